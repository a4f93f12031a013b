package org.syncmesh.bench;

import java.io.BufferedReader;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;
import tools.jackson.core.JsonGenerator;
import tools.jackson.core.ObjectWriteContext;

/**
 * One benchmark node in its own JVM, driven through the node line protocol of
 * {@code interop/js2p/driver.js} (first line {"ok":true,"result":{"id","host","port"}}, then one
 * JSON reply line per command). Subclasses plug in the system (syncmesh, Hazelcast).
 *
 * <p>Commands: {@code id}, {@code connect HOST PORT}, {@code peers}, {@code set KEY VALUE},
 * {@code get KEY}, {@code count}, {@code waitkeys N TIMEOUT_MS}, {@code events on|off},
 * {@code arrivals}, {@code status}, {@code quit}; and the writer commands shared with the js2p
 * driver: {@code bulkset N PREFIX VALUESIZE} (N sets as fast as the API allows, replies
 * {"n","t0_ns","t1_ns"}) and {@code paceset N INTERVAL_MS PREFIX VALUESIZE} (one set every
 * INTERVAL_MS, replies {"n","t0_ns","sends":[t_ns…]}). Every time is {@link System#nanoTime()},
 * which on Linux is CLOCK_MONOTONIC, the clock of node's process.hrtime.bigint().
 *
 * <p>Start options common to every node: {@code --host H} (127.0.0.1), {@code --port P} (0 = a
 * free port), {@code --connect H:P} (repeatable), {@code --ttl-s S} (exit by itself after S
 * seconds, default 1800). End of input or {@code quit} closes the node and exits 0.
 */
abstract class LineNode {
  protected String host = "127.0.0.1";
  protected int port = 0;
  protected final List<String[]> connects = new ArrayList<>();
  protected final List<String> extraArgs = new ArrayList<>();

  private final PrintStream out;
  private volatile boolean eventsOn;
  private final Object arrivalLock = new Object();
  /** Keys as the listener got them (a String, or syncmesh's Bytes): no copy kept per arrival. */
  private Object[] arrivalKeys = new Object[1024];
  private long[] arrivalTimes = new long[1024];
  private int arrivalCount;

  protected LineNode() {
    // stdout belongs to the protocol: whatever a library prints goes to stderr
    this.out = new PrintStream(new FileOutputStream(FileDescriptor.out), false, StandardCharsets.UTF_8);
    System.setOut(System.err);
  }

  // ---- the system under test -------------------------------------------------------------------
  /** Binds / starts; returns the node id. */
  protected abstract String start() throws Exception;

  protected abstract int boundPort();

  protected abstract void connect(String host, int port) throws Exception;

  protected abstract List<Map<String, Object>> peers();

  protected abstract int count();

  protected abstract void put(String key, String value) throws Exception;

  protected abstract Object get(String key);

  protected abstract Object status();

  protected abstract void close();

  /** The text of a key given to {@link #arrived}. */
  protected String keyText(Object key) {
    return key.toString();
  }

  /**
   * Subclasses call this from their update/entry listener with the key object they were given;
   * it is turned into text only when the arrivals are asked for.
   */
  protected final void arrived(Object key) {
    if (!eventsOn) {
      return;
    }
    long t = System.nanoTime();
    synchronized (arrivalLock) {
      if (arrivalCount == arrivalTimes.length) {
        arrivalTimes = Arrays.copyOf(arrivalTimes, arrivalCount * 2);
        arrivalKeys = Arrays.copyOf(arrivalKeys, arrivalCount * 2);
      }
      arrivalKeys[arrivalCount] = key;
      arrivalTimes[arrivalCount] = t;
      arrivalCount++;
    }
  }

  // ---- main loop ---------------------------------------------------------------------------------
  final void run(String[] args) {
    long ttlSeconds = 1800;
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      switch (a) {
        case "--host" -> host = args[++i];
        case "--port" -> port = Integer.parseInt(args[++i]);
        case "--connect" -> {
          String v = args[++i];
          int c = v.lastIndexOf(':');
          connects.add(new String[] {v.substring(0, c), v.substring(c + 1)});
        }
        case "--ttl-s" -> ttlSeconds = Long.parseLong(args[++i]);
        default -> extraArgs.add(a);
      }
    }
    final long ttlMs = 1000L * Math.max(1, ttlSeconds);
    Thread ttl = new Thread(() -> {
      try {
        Thread.sleep(ttlMs);
      } catch (InterruptedException e) {
        return;
      }
      System.err.println("[node] ttl reached, exiting");
      Runtime.getRuntime().halt(3);
    }, "ttl");
    ttl.setDaemon(true);
    ttl.start();

    String id;
    try {
      id = start();
      idCache = id;
      for (String[] c : connects) {
        connect(c[0], Integer.parseInt(c[1]));
      }
    } catch (Throwable e) {
      e.printStackTrace();
      reply(fail("cannot start: " + e));
      out.flush();
      Runtime.getRuntime().halt(1);
      return;
    }
    Map<String, Object> hello = new LinkedHashMap<>();
    hello.put("id", id);
    hello.put("host", host);
    hello.put("port", boundPort());
    reply(ok(hello));

    try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
      String line;
      while ((line = in.readLine()) != null) {
        line = line.strip();
        Map<String, Object> r;
        try {
          r = ok(handle(line));
        } catch (Throwable e) {
          r = fail(e.getMessage() == null ? e.toString() : e.getMessage());
        }
        reply(r);
        if (line.equals("quit")) {
          break;
        }
      }
    } catch (Exception e) {
      e.printStackTrace();
    }
    try {
      close();
    } finally {
      out.flush();
      Runtime.getRuntime().halt(0);
    }
  }

  /** A result written by a JSON generator as it is produced, not built first. */
  @FunctionalInterface
  interface Streamed {
    void write(JsonGenerator g) throws java.io.IOException;
  }

  private void reply(Map<String, Object> r) {
    try {
      if (r.get("result") instanceof Streamed streamed) {
        JsonGenerator g = Json.FACTORY.createGenerator(ObjectWriteContext.empty(), out); // leaves out open (Json.FACTORY)
        g.writeStartObject();
        g.writeBooleanProperty("ok", true);
        g.writeName("result");
        streamed.write(g);
        g.writeEndObject();
        g.flush();
        out.print('\n');
        out.flush();
        return;
      }
      out.print(Json.write(r));
      out.print('\n');
      out.flush();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static Map<String, Object> ok(Object result) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("ok", true);
    m.put("result", result);
    return m;
  }

  private static Map<String, Object> fail(String error) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("ok", false);
    m.put("error", error);
    return m;
  }

  private Object handle(String line) throws Exception {
    String[] p = line.split("\\s+", 2);
    String cmd = p[0];
    String rest = p.length > 1 ? p[1] : "";
    String[] a = rest.isEmpty() ? new String[0] : rest.split("\\s+");
    switch (cmd) {
      case "id":
        return id();
      case "connect":
        need(a, 2, "connect HOST PORT");
        connect(a[0], Integer.parseInt(a[1]));
        return null;
      case "peers":
        return peers();
      case "set": {
        String[] kv = rest.split("\\s+", 2);
        if (kv.length != 2) {
          throw new IllegalArgumentException("usage: set KEY VALUE");
        }
        Object v = Json.parse(kv[1]);
        if (!(v instanceof String)) {
          throw new IllegalArgumentException("this bench node stores string values only");
        }
        put(unquote(kv[0]), (String) v);
        return null;
      }
      case "get":
        need(a, 1, "get KEY");
        return get(unquote(a[0]));
      case "count":
        return count();
      case "waitkeys": {
        need(a, 2, "waitkeys N TIMEOUT_MS");
        int n = Integer.parseInt(a[0]);
        long timeoutNs = Long.parseLong(a[1]) * 1_000_000L;
        long t0 = System.nanoTime();
        for (;;) {
          int c = count();
          long el = System.nanoTime() - t0;
          if (c >= n) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("count", c);
            m.put("elapsed_ms", el / 1e6);
            return m;
          }
          if (el >= timeoutNs) {
            throw new IllegalStateException("timeout after " + a[1] + " ms: " + c + " of " + n + " keys");
          }
          LockSupport.parkNanos(500_000);
        }
      }
      case "events":
        need(a, 1, "events on|off");
        if (!a[0].equals("on") && !a[0].equals("off")) {
          throw new IllegalArgumentException("usage: events on|off");
        }
        eventsOn = a[0].equals("on");
        return null;
      case "arrivals": {
        // Streamed straight to stdout, with no per-arrival objects: a reply of 100,000 arrivals
        // built as maps and one string would dwarf the node's own memory in its peak RSS.
        Object[] keys;
        long[] times;
        int n;
        synchronized (arrivalLock) {
          keys = arrivalKeys;
          times = arrivalTimes;
          n = arrivalCount;
          arrivalCount = 0;
          arrivalKeys = new Object[1024];
          arrivalTimes = new long[1024];
        }
        return (Streamed) g -> {
          g.writeStartArray();
          for (int i = 0; i < n; i++) {
            g.writeStartObject();
            g.writeStringProperty("key", keyText(keys[i]));
            g.writeNumberProperty("t_ns", times[i]);
            g.writeEndObject();
          }
          g.writeEndArray();
        };
      }
      case "bulkset": {
        need(a, 3, "bulkset N PREFIX VALUESIZE");
        int n = Integer.parseInt(a[0]);
        String prefix = a[1];
        int size = Integer.parseInt(a[2]);
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
          put(Gen.key(prefix, i), Gen.value(i, size));
        }
        long t1 = System.nanoTime();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("n", n);
        m.put("t0_ns", t0);
        m.put("t1_ns", t1);
        return m;
      }
      case "paceset": {
        need(a, 4, "paceset N INTERVAL_MS PREFIX VALUESIZE");
        int n = Integer.parseInt(a[0]);
        long intervalNs = (long) (Double.parseDouble(a[1]) * 1_000_000L);
        String prefix = a[2];
        int size = Integer.parseInt(a[3]);
        long[] sends = new long[n];
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
          String k = Gen.key(prefix, i);
          String v = Gen.value(i, size);
          long target = t0 + i * intervalNs;
          for (long now = System.nanoTime(); now < target; now = System.nanoTime()) {
            if (target - now > 200_000) {
              LockSupport.parkNanos(target - now - 150_000);
            } else {
              Thread.onSpinWait();
            }
          }
          sends[i] = System.nanoTime();
          put(k, v);
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("n", n);
        m.put("t0_ns", t0);
        m.put("sends", sends);
        return m;
      }
      case "status":
        return status();
      case "quit":
        return null;
      default:
        throw new IllegalArgumentException("unknown command: " + cmd);
    }
  }

  private String idCache;

  private String id() {
    return idCache;
  }

  private static void need(String[] a, int n, String usage) {
    if (a.length != n) {
      throw new IllegalArgumentException("usage: " + usage);
    }
  }

  private static String unquote(String k) throws Exception {
    return k.startsWith("\"") ? (String) Json.parse(k) : k;
  }
}
