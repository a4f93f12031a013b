/**
 * The {@code syncmesh} command line (picocli). Entry point: {@link org.syncmesh.cli.Main}; its
 * {@code node} command ({@code NodeCommand}) runs a node as a REPL ({@code Repl}) or speaks the
 * node line protocol ({@code JsonMode}, {@code LineProtocol}, docs/node-line-protocol.md) with a
 * small JSON reader and writer of its own ({@code Json}, {@code JsonValues}). Depends on every
 * layer below; nothing depends on it.
 */
@NullMarked
package org.syncmesh.cli;

import org.jspecify.annotations.NullMarked;
