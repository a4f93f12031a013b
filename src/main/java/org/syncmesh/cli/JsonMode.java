package org.syncmesh.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.syncmesh.store.StorageException;

/**
 * {@code syncmesh node --json}: the node line protocol on standard input and output
 * (docs/node-line-protocol.md). The first line reports the bound node, or the reason it could not
 * start; then every input line, an empty one included, gets exactly one reply line. End of
 * input or {@code quit} closes the node.
 *
 * <p>Writes nothing but protocol lines to {@code out}; runs on the calling thread.
 */
final class JsonMode {

  private static final Logger log = LoggerFactory.getLogger(JsonMode.class);

  private JsonMode() {}

  /**
   * Starts the node, serves commands until end of input or {@code quit}, and closes the node.
   *
   * @param started receives the session once it is bound (the caller's shutdown hook closes it)
   * @return the exit status: 0 after a clean end, 1 if the node could not start
   */
  static int run(NodeOptions options, InputStream in, PrintStream out, Consumer<NodeSession> started) {
    NodeSession session;
    try {
      session = NodeSession.start(options);
    } catch (RuntimeException e) {
      log.debug("cannot start", e);
      writeLine(out, LineProtocol.Reply.failure(startFailure(e)).toLine());
      return NodeCommand.EXIT_FAILURE;
    }
    try (session) {
      started.accept(session);
      writeLine(out, startLine(options, session));

      LineProtocol protocol = new LineProtocol(session);
      BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
      String line;
      while ((line = reader.readLine()) != null) {
        LineProtocol.Reply reply = protocol.execute(line);
        writeLine(out, reply.toLine());
        if (LineProtocol.isQuit(line, reply)) {
          break;
        }
      }
    } catch (IOException e) {
      log.warn("standard input failed; closing the node", e);
    }
    return NodeCommand.EXIT_OK;
  }

  /** The start line: {@code {"ok":true,"result":{"id":…,"host":…,"port":…}}}. */
  static String startLine(NodeOptions options, NodeSession session) {
    Map<String, Object> hello = new LinkedHashMap<>();
    hello.put("id", session.socket().id());
    hello.put("host", options.host());
    hello.put("port", (long) session.socket().port());
    return LineProtocol.Reply.success(hello).toLine();
  }

  /**
   * The start failure's message, on one line; a bind failure already names the address, and a
   * data directory's failure (a {@link StorageException}, wherever in the causes) names the
   * directory and what to do.
   */
  static String startFailure(RuntimeException e) {
    Throwable cause = e instanceof java.io.UncheckedIOException && e.getCause() != null ? e.getCause() : e;
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof StorageException) {
        cause = t;
        break;
      }
    }
    String message = cause.getMessage() == null ? cause.toString() : cause.getMessage();
    message = message.strip().replaceAll("\\s*[\\r\\n]+\\s*", " ");
    return cause instanceof java.net.BindException ? message : "cannot start the node: " + message;
  }

  private static void writeLine(PrintStream out, String line) {
    out.print(line);
    out.print('\n');
    out.flush();
  }
}
