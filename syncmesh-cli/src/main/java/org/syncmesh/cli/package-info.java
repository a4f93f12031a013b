/**
 * The {@code syncmesh} command line (picocli). Entry point: {@link org.syncmesh.cli.Main}; its
 * {@code node} command ({@code NodeCommand}, settings in {@code NodeOptions}, a config file
 * read by {@code ConfigFile}; docs/configuration.md) runs one node ({@code NodeSession}) as a REPL
 * ({@code Repl}, rendering by {@code HumanFormat}), without input as a service
 * ({@code Unattended}), or speaks the node line protocol ({@code JsonMode}; commands in
 * {@code LineProtocol}, arguments in
 * {@code LineArgs}; docs/node-line-protocol.md), its JSON read and written with jackson-core's
 * streaming API ({@code Json}) and mapped to msgpack values ({@code JsonValues}). User input
 * quoted back in errors goes through {@code Abbrev}; failed connects are put in words by
 * {@code ConnectFailures}. {@code --http} starts {@code WebServer} (docs/http.md): {@code WebRouter} routes
 * and checks the {@code WebToken}, {@code WebResources} serves the page's files (resources under
 * {@code org/syncmesh/cli/web/}), {@code WebApi} the JSON API, {@code WebEvents} the event stream. Depends on every
 * layer below; nothing depends on it.
 */
@NullMarked
package org.syncmesh.cli;

import org.jspecify.annotations.NullMarked;
