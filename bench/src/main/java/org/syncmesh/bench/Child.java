package org.syncmesh.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * One node process driven through the node line protocol: start it, read its first line, send a
 * command and wait (bounded) for its one reply line, read its peak RSS and CPU time from /proc,
 * and stop it. Every child ever started is remembered so that a shutdown hook can kill the ones
 * still alive.
 */
final class Child implements AutoCloseable {
  static final List<Child> ALL = new CopyOnWriteArrayList<>();
  private static final String EOF = "\u0000EOF";

  final String name;
  final Process process;
  private final Writer in;
  private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
  Object hello;

  static final class Failure extends RuntimeException {
    Failure(String message) {
      super(message);
    }
  }

  private Child(String name, Process process) {
    this.name = name;
    this.process = process;
    this.in = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
    Thread reader = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = r.readLine()) != null) {
          lines.add(line);
        }
      } catch (IOException e) {
        // the process went away
      }
      lines.add(EOF);
    }, "out-" + name);
    reader.setDaemon(true);
    reader.start();
  }

  /** Starts the command, waits up to {@code startTimeoutMs} for its first line (which must be ok). */
  static Child start(String name, List<String> command, Path log, long startTimeoutMs) throws IOException {
    Files.createDirectories(log.getParent());
    ProcessBuilder pb = new ProcessBuilder(command);
    pb.redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()));
    Files.writeString(log, "$ " + String.join(" ", command) + "\n",
        java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
    Child c = new Child(name, pb.start());
    ALL.add(c);
    c.hello = c.readReply(startTimeoutMs, "start");
    return c;
  }

  String host() {
    return Json.text(hello, "host");
  }

  int port() {
    return (int) Json.number(hello, "port");
  }

  long pid() {
    return process.pid();
  }

  /**
   * Sends one command and returns its result as {@link Json#parse} reads it; throws {@link Failure}
   * on ok:false, timeout or exit.
   */
  Object call(String command, long timeoutMs) {
    try {
      in.write(command);
      in.write('\n');
      in.flush();
    } catch (IOException e) {
      throw new Failure(name + ": cannot send '" + command + "': " + e.getMessage());
    }
    return readReply(timeoutMs, command);
  }

  private Object readReply(long timeoutMs, String what) {
    String line;
    try {
      line = lines.poll(Math.max(1, timeoutMs), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new Failure(name + ": interrupted");
    }
    if (line == null) {
      throw new Failure(name + ": no reply to '" + abbreviate(what) + "' within " + timeoutMs + " ms");
    }
    if (line.equals(EOF)) {
      lines.add(EOF);
      throw new Failure(name + ": process exited (status " + exitStatus() + ") before replying to '" + abbreviate(what) + "'");
    }
    Object r;
    try {
      r = Json.parse(line);
    } catch (IOException e) {
      throw new Failure(name + ": not a JSON line: " + abbreviate(line));
    }
    if (!Boolean.TRUE.equals(Json.member(r, "ok"))) {
      throw new Failure(name + ": '" + abbreviate(what) + "' failed: " + Json.text(r, "error"));
    }
    return Json.member(r, "result");
  }

  private String exitStatus() {
    try {
      return process.waitFor(200, TimeUnit.MILLISECONDS) ? String.valueOf(process.exitValue()) : "still running";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "?";
    }
  }

  private static String abbreviate(String s) {
    return s.length() > 120 ? s.substring(0, 120) + "…" : s;
  }

  /**
   * Peak RSS (VmHWM) in bytes, CPU seconds (utime+stime), and the part of them the JVM's JIT
   * compiler threads took (0 for node), read from /proc while alive.
   */
  record ProcStats(long peakRssBytes, double cpuSeconds, double jitSeconds) {}

  ProcStats stats(long clockTicks) {
    try {
      long hwmKb = -1;
      for (String l : Files.readAllLines(Path.of("/proc/" + pid() + "/status"))) {
        if (l.startsWith("VmHWM:")) {
          hwmKb = Long.parseLong(l.replaceAll("[^0-9]", ""));
        }
      }
      String stat = Files.readString(Path.of("/proc/" + pid() + "/stat"));
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split("\\s+");
      long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]);
      return new ProcStats(hwmKb * 1024, ticks / (double) clockTicks, compilerTicks() / (double) clockTicks);
    } catch (IOException | RuntimeException e) {
      throw new Failure(name + ": cannot read /proc/" + pid() + ": " + e);
    }
  }

  /** CPU ticks of the live threads of HotSpot's JIT compilers. */
  private long compilerTicks() throws IOException {
    long ticks = 0;
    for (Map.Entry<String, Long> t : ProcThreads.ticksByName(Path.of("/proc/" + pid())).entrySet()) {
      if (ProcThreads.isJitCompiler(t.getKey())) {
        ticks += t.getValue();
      }
    }
    return ticks;
  }

  /** The command that ends the child: the node line protocol's quit, or another driver's. */
  String quitCommand = "quit";

  /** {@link #quitCommand}, then wait up to 5 s, then kill. */
  @Override
  public void close() {
    if (process.isAlive()) {
      try {
        in.write(quitCommand + "\n");
        in.flush();
        in.close();
      } catch (IOException e) {
        // already gone
      }
      try {
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
          process.destroyForcibly();
          process.waitFor(5, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        process.destroyForcibly();
      }
    }
    ALL.remove(this);
  }

  static void killAll() {
    for (Child c : ALL) {
      c.process.destroyForcibly();
    }
  }
}
