package org.syncmesh.cli;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;
import org.syncmesh.mesh.Message;
import org.syncmesh.mesh.PeerInfo;
import org.syncmesh.sync.LeaseException;
import org.syncmesh.sync.MetaTuple;
import org.syncmesh.wire.Bytes;

/**
 * The node line protocol (docs/node-line-protocol.md): parses one command line, runs it against
 * a {@link NodeSession}, and answers with one {@link Reply}. The same commands, arguments and
 * replies as {@code interop/js2p/driver.js}, so tests and benchmarks drive a Java node and a
 * js2p node alike.
 *
 * <p>{@link #execute} never throws: an unknown command, a missing or malformed argument, a lease
 * refusal and any other failure become {@code ok:false} with a message, and the node stays up.
 *
 * <p>Not thread-safe: one thread reads commands and calls {@link #execute} (the session itself
 * is thread-safe).
 */
final class LineProtocol {

  /** One reply: {@code {"ok":true,"result":…}} or {@code {"ok":false,"error":"…"}}. */
  record Reply(boolean ok, @Nullable Object result, @Nullable String error) {

    static Reply success(@Nullable Object result) {
      return new Reply(true, result, null);
    }

    static Reply failure(String error) {
      return new Reply(false, null, error);
    }

    /** The reply as one line of JSON, without the line break; never throws. */
    String toLine() {
      Map<String, @Nullable Object> line = new LinkedHashMap<>();
      line.put("ok", ok);
      if (ok) {
        line.put("result", result);
      } else {
        line.put("error", error);
      }
      try {
        return Json.write(line);
      } catch (IllegalArgumentException e) {
        return Json.write(Map.of("ok", false, "error", "cannot write the result as JSON: " + e.getMessage()));
      }
    }
  }

  @FunctionalInterface
  private interface Command {
    @Nullable Object run(String rest) throws Exception;
  }

  /** The commands, in the order `help` lists them. */
  static final List<String> COMMANDS = List.of("id", "connect", "peers", "set", "get", "del", "delta", "pop",
      "keys", "items", "meta", "send", "recv", "status", "quit", "count", "waitkeys", "events", "arrivals");

  /** A run of what {@link #isSpace} calls space, as a regular expression. */
  private static final String SPACES = "[\\s\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000\\ufeff]+";

  private final NodeSession session;
  private final Map<String, Command> commands = new LinkedHashMap<>();

  LineProtocol(NodeSession session) {
    this.session = session;
    commands.put("id", this::id);
    commands.put("connect", this::connect);
    commands.put("peers", this::peers);
    commands.put("set", this::set);
    commands.put("get", this::get);
    commands.put("del", this::del);
    commands.put("delta", this::delta);
    commands.put("pop", this::pop);
    commands.put("keys", this::keys);
    commands.put("items", this::items);
    commands.put("meta", this::meta);
    commands.put("send", this::send);
    commands.put("recv", this::recv);
    commands.put("status", this::status);
    commands.put("quit", rest -> noMore(rest, "quit"));
    commands.put("count", this::count);
    commands.put("waitkeys", this::waitkeys);
    commands.put("events", this::events);
    commands.put("arrivals", this::arrivals);
    assert commands.keySet().equals(Set.copyOf(COMMANDS));
  }

  /** The node the commands run against. */
  NodeSession session() {
    return session;
  }

  /** Runs one command line and returns its reply line; never throws. */
  String handle(String line) {
    return execute(line).toLine();
  }

  /** Runs one command line (without its line break); never throws. */
  Reply execute(String line) {
    String[] split = splitCommand(line);
    String name = split[0];
    if (name.isEmpty()) {
      return Reply.failure("empty command");
    }
    Command command = commands.get(name);
    if (command == null) {
      return Reply.failure("unknown command: " + name);
    }
    try {
      return Reply.success(command.run(split[1]));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Reply.failure("interrupted");
    } catch (Exception | StackOverflowError e) {
      String message = e.getMessage();
      return Reply.failure(message == null || message.isBlank() ? e.toString() : message);
    }
  }

  /** Whether {@code line} is a {@code quit} whose reply was a success: the node must then close. */
  static boolean isQuit(String line, Reply reply) {
    return reply.ok() && "quit".equals(splitCommand(line)[0]);
  }

  /** The command word and the rest of the line: {@code ^\s*(\S*)(.*)$} with JavaScript's \s. */
  static String[] splitCommand(String line) {
    int start = skipSpace(line, 0);
    int end = start;
    while (end < line.length() && !isSpace(line.charAt(end))) {
      end++;
    }
    return new String[] {line.substring(start, end), line.substring(end)};
  }

  // ---------------------------------------------------------------- commands

  private @Nullable Object id(String rest) {
    noMore(rest, "id");
    return session.socket().id();
  }

  private @Nullable Object connect(String rest) {
    String[] parts = trim(rest).split(SPACES);
    if (parts.length != 2 || !parts[1].matches("[0-9]{1,5}") || Integer.parseInt(parts[1]) < 1
        || Integer.parseInt(parts[1]) > 65_535) {
      throw new IllegalArgumentException("usage: connect HOST PORT (PORT 1-65535)");
    }
    session.connect(parts[0], Integer.parseInt(parts[1]));
    return null;
  }

  private @Nullable Object peers(String rest) {
    noMore(rest, "peers");
    List<Object> out = new ArrayList<>();
    for (PeerInfo p : session.peers()) {
      Map<String, Object> peer = new LinkedHashMap<>();
      peer.put("id", p.id());
      peer.put("host", p.host());
      peer.put("port", (long) p.port());
      out.add(peer);
    }
    return out;
  }

  private @Nullable Object set(String rest) {
    session.sync();
    KeyAndRest k = takeKey(rest);
    Object value = parseValue(k.rest());
    if (value == null) {
      return del(Json.quote(k.key()));
    }
    try {
      session.sync().set(k.key(), value);
    } catch (LeaseException e) {
      throw leaseRefused(e);
    }
    return null;
  }

  private @Nullable Object get(String rest) {
    session.sync();
    String key = onlyKey(rest);
    return JsonValues.toJson(session.sync().get(key, null));
  }

  private @Nullable Object del(String rest) {
    session.sync();
    String key = onlyKey(rest);
    try {
      session.sync().del(key);
    } catch (LeaseException e) {
      throw leaseRefused(e);
    }
    return null;
  }

  private @Nullable Object delta(String rest) {
    session.sync();
    KeyAndRest k = takeKey(rest);
    Object delta = parseValue(k.rest());
    if (!(delta instanceof Map<?, ?> map)) {
      throw new IllegalArgumentException("delta needs a JSON object");
    }
    try {
      session.sync().applyDelta(k.key(), map);
    } catch (LeaseException e) {
      throw leaseRefused(e);
    }
    return null;
  }

  private @Nullable Object pop(String rest) {
    session.sync();
    String key = onlyKey(rest);
    try {
      return JsonValues.toJson(session.sync().pop(key, null));
    } catch (LeaseException e) {
      throw leaseRefused(e);
    }
  }

  private @Nullable Object keys(String rest) {
    session.sync();
    noMore(rest, "keys");
    List<String> keys = new ArrayList<>();
    for (Bytes key : session.sync().keys()) {
      keys.add(JsonValues.keyText(key));
    }
    Collections.sort(keys);
    return keys;
  }

  private @Nullable Object items(String rest) {
    session.sync();
    noMore(rest, "items");
    Map<String, @Nullable Object> out = new TreeMap<>();
    for (Map.Entry<Bytes, Object> e : session.sync().items().entrySet()) {
      out.put(JsonValues.keyText(e.getKey()), JsonValues.toJson(e.getValue()));
    }
    return out;
  }

  private @Nullable Object meta(String rest) {
    session.sync();
    String key = onlyKey(rest);
    MetaTuple meta = session.sync().meta(key).orElse(null);
    if (meta == null) {
      return null;
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("owner", meta.owner());
    out.put("timestamp", meta.timestamp());
    return out;
  }

  private @Nullable Object send(String rest) {
    Object packets = parseValue(rest);
    if (!(packets instanceof List<?> list)) {
      throw new IllegalArgumentException("send needs a JSON array of packets");
    }
    session.socket().send(list);
    return null;
  }

  private @Nullable Object recv(String rest) {
    noMore(rest, "recv");
    List<Object> out = new ArrayList<>();
    for (Message m : session.recvAll()) {
      Map<String, @Nullable Object> message = new LinkedHashMap<>();
      message.put("sender", m.sender());
      message.put("packets", JsonValues.toJson(m.packets()));
      out.add(message);
    }
    return out;
  }

  private @Nullable Object status(String rest) {
    noMore(rest, "status");
    List<String> errors = session.status();
    return errors.isEmpty() ? "Nominal" : errors;
  }

  private @Nullable Object count(String rest) {
    session.sync();
    noMore(rest, "count");
    return (long) session.sync().size();
  }

  private @Nullable Object waitkeys(String rest) throws InterruptedException {
    session.sync();
    String[] parts = trim(rest).split(SPACES);
    if (parts.length != 2 || !parts[0].matches("[0-9]{1,18}") || !parts[1].matches("[0-9]{1,18}")) {
      throw new IllegalArgumentException("usage: waitkeys N TIMEOUT_MS");
    }
    long n = Long.parseLong(parts[0]);
    long timeout = Long.parseLong(parts[1]);
    long t0 = System.nanoTime();
    int count = session.awaitKeys(n, timeout);
    double elapsedMillis = (System.nanoTime() - t0) / 1e6;
    if (count < n) {
      throw new IllegalStateException("timeout after " + timeout + " ms: " + count + " of " + n + " keys");
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("count", (long) count);
    out.put("elapsed_ms", elapsedMillis);
    return out;
  }

  private @Nullable Object events(String rest) {
    String v = trim(rest);
    if (!v.equals("on") && !v.equals("off")) {
      throw new IllegalArgumentException("usage: events on|off");
    }
    session.recordArrivals(v.equals("on"));
    return null;
  }

  private @Nullable Object arrivals(String rest) {
    noMore(rest, "arrivals");
    List<Object> out = new ArrayList<>();
    for (NodeSession.Arrival a : session.takeArrivals()) {
      Map<String, Object> arrival = new LinkedHashMap<>();
      arrival.put("key", a.key());
      arrival.put("t_ns", a.nanos());
      out.add(arrival);
    }
    return out;
  }

  // ---------------------------------------------------------------- arguments

  /** A KEY argument and the text after it. */
  record KeyAndRest(String key, String rest) {}

  /**
   * Takes a KEY: a bare token up to the next space, or a JSON string literal.
   *
   * @throws IllegalArgumentException if the key is missing or a malformed JSON string
   */
  static KeyAndRest takeKey(String text) {
    String s = text.substring(skipSpace(text, 0));
    if (s.isEmpty()) {
      throw new IllegalArgumentException("missing KEY");
    }
    if (s.charAt(0) == '"') {
      int i = 1;
      while (i < s.length() && s.charAt(i) != '"') {
        i += s.charAt(i) == '\\' ? 2 : 1;
      }
      if (i >= s.length()) {
        throw new IllegalArgumentException("unterminated JSON string KEY");
      }
      try {
        return new KeyAndRest((String) Json.parse(s.substring(0, i + 1)), s.substring(i + 1));
      } catch (Json.JsonException e) {
        throw new IllegalArgumentException("KEY is not a valid JSON string: " + e.getMessage(), e);
      }
    }
    int end = 0;
    while (end < s.length() && !isSpace(s.charAt(end))) {
      end++;
    }
    return new KeyAndRest(s.substring(0, end), s.substring(end));
  }

  /**
   * Parses a VALUE: the rest of the line as JSON, {@code {"$bin":…}} as bin.
   *
   * @throws IllegalArgumentException if it is missing or not valid JSON
   */
  static @Nullable Object parseValue(String rest) {
    String t = trim(rest);
    if (t.isEmpty()) {
      throw new IllegalArgumentException("missing VALUE");
    }
    Object json;
    try {
      json = Json.parse(t);
    } catch (Json.JsonException e) {
      throw new IllegalArgumentException("VALUE is not valid JSON: " + e.getMessage(), e);
    }
    return JsonValues.toWire(json);
  }

  private static String onlyKey(String rest) {
    KeyAndRest k = takeKey(rest);
    noMore(k.rest(), "KEY");
    return k.key();
  }

  private static @Nullable Object noMore(String rest, String what) {
    String t = trim(rest);
    if (!t.isEmpty()) {
      throw new IllegalArgumentException("unexpected text after " + what + ": " + t);
    }
    return null;
  }

  private static IllegalStateException leaseRefused(LeaseException e) {
    return new IllegalStateException("lease refused: " + e.getMessage(), e);
  }

  /** JavaScript's {@code String.prototype.trim}. */
  static String trim(String s) {
    int start = skipSpace(s, 0);
    int end = s.length();
    while (end > start && isSpace(s.charAt(end - 1))) {
      end--;
    }
    return s.substring(start, end);
  }

  private static int skipSpace(String s, int from) {
    int i = from;
    while (i < s.length() && isSpace(s.charAt(i))) {
      i++;
    }
    return i;
  }

  /** JavaScript's {@code \s}: what the driver splits on, so both nodes read a line alike. */
  static boolean isSpace(char c) {
    return c == ' ' || (c >= '\t' && c <= '\r') || c == '\u00a0' || c == '\u1680' || (c >= '\u2000' && c <= '\u200a')
        || c == '\u2028' || c == '\u2029' || c == '\u202f' || c == '\u205f' || c == '\u3000' || c == '\ufeff';
  }
}
