package org.syncmesh.cli;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;
import org.syncmesh.Bytes;
import org.syncmesh.MessageTooLargeException;
import org.syncmesh.json.Json;
import org.syncmesh.json.JsonValues;
import org.syncmesh.mesh.Dialect;
import org.syncmesh.mesh.Message;
import org.syncmesh.mesh.PeerInfo;
import org.syncmesh.sync.LeaseException;
import org.syncmesh.sync.MetaTuple;

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

    /**
     * Writes the reply and its line break to {@code out} and flushes it: the bytes of {@link #toLine()}
     * and {@code \n}. A {@link RowList} result is written as its rows are made, never held as one
     * string (100,000 arrivals are about 5 MB of text, which the node's peak memory would count).
     */
    void writeLine(PrintStream out) {
      if (ok && result instanceof RowList<?>) {
        out.write(ROWS_PREFIX, 0, ROWS_PREFIX.length);
        Json.writeTo(out, result); // strings and numbers only: it cannot fail part-way
        out.write('}');
      } else {
        byte[] line = toLine().getBytes(StandardCharsets.UTF_8);
        out.write(line, 0, line.length);
      }
      out.write('\n');
      out.flush();
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
        return failure("cannot write the result as JSON: " + e.getMessage()).toLine(); // a string always writes
      }
    }
  }

  /** What {@link Reply#toLine()} writes before a successful result. */
  private static final byte[] ROWS_PREFIX = "{\"ok\":true,\"result\":".getBytes(StandardCharsets.UTF_8);

  /**
   * A result of many rows, each made when it is read, of strings and numbers only, so that it always
   * writes as JSON: {@link Reply#writeLine} writes it as it goes.
   */
  abstract static class RowList<E> extends AbstractList<E> {}

  @FunctionalInterface
  private interface Command {
    @Nullable Object run(String rest) throws Exception;
  }

  /** The commands, in the order `help` lists them. */
  static final List<String> COMMANDS = List.of("id", "connect", "peers", "set", "get", "del", "delta", "pop",
      "keys", "items", "meta", "send", "recv", "status", "quit", "count", "waitkeys", "events", "arrivals");

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
    commands.put("quit", rest -> LineArgs.noMore(rest, "quit"));
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
    String[] split = LineArgs.splitCommand(line);
    String name = split[0];
    if (name.isEmpty()) {
      return Reply.failure("empty command");
    }
    Command command = commands.get(name);
    if (command == null) {
      return Reply.failure("unknown command: " + Abbrev.quote(name));
    }
    try {
      return Reply.success(command.run(split[1]));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Reply.failure("interrupted");
    } catch (MessageTooLargeException e) {
      return Reply.failure(e.getMessage() + "; the cap is set with --max-frame-bytes, and every node of the "
          + "network needs the same");
    } catch (Exception | StackOverflowError e) {
      String message = e.getMessage();
      return Reply.failure(message == null || message.isBlank() ? e.toString() : message);
    }
  }

  /** Whether {@code line} is a {@code quit} whose reply was a success: the node must then close. */
  static boolean isQuit(String line, Reply reply) {
    return reply.ok() && "quit".equals(LineArgs.splitCommand(line)[0]);
  }

  // ---------------------------------------------------------------- commands

  private @Nullable Object id(String rest) {
    LineArgs.noMore(rest, "id");
    return session.socket().id();
  }

  private @Nullable Object connect(String rest) throws InterruptedException {
    String[] parts = LineArgs.trim(rest).split(LineArgs.SPACES);
    if (parts.length != 2 || !parts[1].matches("[0-9]{1,5}") || Integer.parseInt(parts[1]) < 1
        || Integer.parseInt(parts[1]) > 65_535) {
      throw new IllegalArgumentException("usage: connect HOST PORT (PORT 1-65535)");
    }
    return session.connectAndWait(parts[0], Integer.parseInt(parts[1])).id();
  }

  private @Nullable Object peers(String rest) {
    LineArgs.noMore(rest, "peers");
    List<Object> out = new ArrayList<>();
    Map<String, org.syncmesh.sync.PeerSyncState> sync = session.isSync() ? session.sync().peerSync() : Map.of();
    for (PeerInfo p : session.peers()) {
      Map<String, Object> peer = new LinkedHashMap<>();
      peer.put("id", p.id());
      peer.put("host", p.host());
      peer.put("port", (long) p.port());
      peer.put("dialect", dialectName(p.dialect()));
      peer.put("extension", (long) p.extensionVersion());
      org.syncmesh.sync.PeerSyncState state = sync.get(p.id());
      peer.put("inSync", state != null && state.inSync());
      peer.put("lastSync", state == null || state.lastRound() == null ? null : state.lastRound().toString());
      out.add(peer);
    }
    return out;
  }

  private @Nullable Object set(String rest) {
    session.sync();
    LineArgs.KeyAndRest k = LineArgs.takeKey(rest);
    Object value = LineArgs.parseValue(k.rest());
    if (value == null) {
      return del(Json.write(k.key()));
    }
    try {
      session.sync().set(k.key(), value);
    } catch (LeaseException e) {
      throw leaseRefused(e);
    }
    return null;
  }

  /** How {@code peers} names a dialect: the implementation and, for py2p, its build. */
  static String dialectName(Dialect dialect) {
    return switch (dialect) {
      case JS2P -> "js2p";
      case PY2P_0_7_870 -> "py2p-0.7.870";
      case PY2P_0_7_878 -> "py2p-0.7.878";
      case SYNCMESH -> "syncmesh";
    };
  }

  private @Nullable Object get(String rest) {
    session.sync();
    String key = LineArgs.onlyKey(rest);
    return JsonValues.toJson(session.sync().get(key, null));
  }

  private @Nullable Object del(String rest) {
    session.sync();
    String key = LineArgs.onlyKey(rest);
    try {
      session.sync().del(key);
    } catch (LeaseException e) {
      throw leaseRefused(e);
    }
    return null;
  }

  private @Nullable Object delta(String rest) {
    session.sync();
    LineArgs.KeyAndRest k = LineArgs.takeKey(rest);
    Object delta = LineArgs.parseValue(k.rest());
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
    String key = LineArgs.onlyKey(rest);
    try {
      return JsonValues.toJson(session.sync().pop(key, null));
    } catch (LeaseException e) {
      throw leaseRefused(e);
    }
  }

  private @Nullable Object keys(String rest) {
    session.sync();
    LineArgs.noMore(rest, "keys");
    List<String> keys = new ArrayList<>();
    for (Bytes key : session.sync().keys()) {
      keys.add(JsonValues.keyText(key));
    }
    Collections.sort(keys);
    return keys;
  }

  private @Nullable Object items(String rest) {
    session.sync();
    LineArgs.noMore(rest, "items");
    Map<String, @Nullable Object> out = new TreeMap<>();
    for (Map.Entry<Bytes, Object> e : session.sync().items().entrySet()) {
      out.put(JsonValues.keyText(e.getKey()), JsonValues.toJson(e.getValue()));
    }
    return out;
  }

  private @Nullable Object meta(String rest) {
    session.sync();
    String key = LineArgs.onlyKey(rest);
    MetaTuple meta = session.sync().meta(key).orElse(null);
    if (meta == null) {
      return null;
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("owner", meta.owner());
    out.put("timestamp", meta.timestamp());
    if (meta.version() != null) {
      out.put("version", Map.of("hlc", meta.version().hlc(), "writer", meta.version().writer()));
    }
    out.put("deleted", meta.deleted());
    return out;
  }

  private @Nullable Object send(String rest) {
    Object packets = LineArgs.parseValue(rest);
    if (!(packets instanceof List<?> list)) {
      throw new IllegalArgumentException("send needs a JSON array of packets");
    }
    session.socket().send(list);
    return null;
  }

  private @Nullable Object recv(String rest) {
    LineArgs.noMore(rest, "recv");
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
    LineArgs.noMore(rest, "status");
    List<String> errors = session.status();
    return errors.isEmpty() ? "Nominal" : errors;
  }

  private @Nullable Object count(String rest) {
    session.sync();
    LineArgs.noMore(rest, "count");
    return (long) session.sync().size();
  }

  private @Nullable Object waitkeys(String rest) throws InterruptedException {
    session.sync();
    String[] parts = LineArgs.trim(rest).split(LineArgs.SPACES);
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
    String v = LineArgs.trim(rest);
    if (!v.equals("on") && !v.equals("off")) {
      throw new IllegalArgumentException("usage: events on|off");
    }
    session.recordArrivals(v.equals("on"));
    return null;
  }

  private @Nullable Object arrivals(String rest) {
    LineArgs.noMore(rest, "arrivals");
    List<ArrivalLog.Arrival> taken = session.takeArrivals();
    // a view, each element made as it is written: 100,000 arrivals are not first 100,000 maps
    return new RowList<Map<String, Object>>() {
      @Override
      public Map<String, Object> get(int i) {
        ArrivalLog.Arrival a = taken.get(i);
        Map<String, Object> arrival = new LinkedHashMap<>();
        arrival.put("key", a.key());
        arrival.put("t_ns", a.nanos());
        return arrival;
      }

      @Override
      public int size() {
        return taken.size();
      }
    };
  }

  private static IllegalStateException leaseRefused(LeaseException e) {
    return new IllegalStateException("lease refused: " + e.getMessage(), e);
  }
}
