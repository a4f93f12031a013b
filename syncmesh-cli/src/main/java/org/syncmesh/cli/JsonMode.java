package org.syncmesh.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
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
 * start; then every input line, an empty one included, gets exactly one reply line; a line that
 * is not valid UTF-8 gets an error and changes nothing. End of input or {@code quit} closes the
 * node.
 *
 * <p>Writes nothing but protocol lines to {@code out}; runs on the calling thread.
 */
final class JsonMode {

  private static final Logger log = LoggerFactory.getLogger(JsonMode.class);

  /** What {@link #strictUtf8} puts in place of a malformed byte sequence: a lone low surrogate. */
  private static final char MALFORMED = '\udfff';

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
      BufferedReader reader = new BufferedReader(new InputStreamReader(in, strictUtf8()));
      String line;
      while ((line = reader.readLine()) != null) {
        int malformed = malformedAt(line);
        LineProtocol.Reply reply = malformed >= 0
            ? LineProtocol.Reply.failure("the line is not valid UTF-8: a malformed byte sequence at offset " + malformed)
            : protocol.execute(line);
        reply.writeLine(out);
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

  /**
   * A UTF-8 decoder that marks each malformed byte sequence with {@link #MALFORMED}, so that a line
   * with one is refused rather than run with U+FFFD in place of the bytes (a key or value would be
   * stored changed). The Java decoder never yields an unpaired surrogate from valid input, encoded
   * surrogates included, so the mark cannot be mistaken for text.
   */
  private static CharsetDecoder strictUtf8() {
    return StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPLACE)
        .onUnmappableCharacter(CodingErrorAction.REPLACE)
        .replaceWith(String.valueOf(MALFORMED));
  }

  /** The index of the first malformed byte sequence's mark in {@code line}, or -1. */
  static int malformedAt(String line) {
    for (int i = line.indexOf(MALFORMED); i >= 0; i = line.indexOf(MALFORMED, i + 1)) {
      if (i == 0 || !Character.isHighSurrogate(line.charAt(i - 1))) {
        return i; // unpaired: a mark, not the low half of a supplementary character (U+10FFFF)
      }
    }
    return -1;
  }

  private static void writeLine(PrintStream out, String line) {
    out.print(line);
    out.print('\n');
    out.flush();
  }
}
