/**
 * The {@code syncmesh} command line (picocli). Entry point: {@link org.syncmesh.cli.Main}; its
 * {@code node} command ({@code NodeCommand}, settings in {@code NodeOptions}) runs one node
 * ({@code NodeSession}) as a REPL ({@code Repl}, rendering by {@code HumanFormat}) or speaks the
 * node line protocol ({@code JsonMode}; commands in {@code LineProtocol}, arguments in
 * {@code LineArgs}; docs/node-line-protocol.md), its JSON read and written with jackson-core's
 * streaming API ({@code Json}) and mapped to msgpack values ({@code JsonValues}). Depends on every
 * layer below; nothing depends on it.
 */
@NullMarked
package org.syncmesh.cli;

import org.jspecify.annotations.NullMarked;
