package org.syncmesh.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A real js2p 0.7.870 node in a child process, driven through the node line protocol by
 * {@code interop/js2p/driver.js} (see interop/js2p/README.md). Each command gets exactly one JSON
 * reply line; replies are read with a timeout so a hung peer fails the test instead of hanging it.
 *
 * <p>Needs {@code npm ci --prefix interop/js2p} first (README's test command does it); fails
 * loudly otherwise. Not thread-safe: one test thread drives it.
 */
public final class Js2pNode implements AutoCloseable {

  private static final long REPLY_TIMEOUT_SECONDS = 20;

  private final Process process;
  private final BufferedReader out;
  private final Writer in;
  private final ExecutorService reader = Executors.newSingleThreadExecutor(r -> {
    Thread t = new Thread(r, "js2p-reader");
    t.setDaemon(true);
    return t;
  });
  private final String id;
  private final int port;

  private Js2pNode(List<String> command) throws IOException {
    ProcessBuilder builder = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD);
    builder.directory(projectDir().toFile());
    this.process = builder.start();
    this.out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    this.in = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
    Map<?, ?> hello = (Map<?, ?>) result(readLine());
    this.id = (String) hello.get("id");
    this.port = ((Long) hello.get("port")).intValue();
  }

  /**
   * Starts a js2p node on 127.0.0.1 with an ephemeral port; {@code options} are the driver's
   * ({@code --mesh}, {@code --subnet S}, {@code --no-leasing}, {@code --transport SSL}, …).
   */
  public static Js2pNode start(String... options) {
    Path driver = projectDir().resolve("interop/js2p/driver.js");
    Path modules = projectDir().resolve("interop/js2p/node_modules/js2p");
    if (!Files.isDirectory(modules)) {
      throw new IllegalStateException("js2p is not installed at " + modules
          + ": run `npm ci --prefix interop/js2p` (README's test command does)");
    }
    List<String> command = new ArrayList<>(List.of("node", driver.toString(), "--host", "127.0.0.1", "--port", "0"));
    command.addAll(List.of(options));
    try {
      return new Js2pNode(command);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + command, e);
    }
  }

  private static Path projectDir() {
    return Path.of(System.getProperty("user.dir")).toAbsolutePath();
  }

  public String id() {
    return id;
  }

  public int port() {
    return port;
  }

  /** Sends one command and returns its raw reply line. */
  public String raw(String command) {
    try {
      in.write(command);
      in.write('\n');
      in.flush();
    } catch (IOException e) {
      throw new UncheckedIOException("js2p node died before `" + command + "`", e);
    }
    return readLine();
  }

  /** Sends one command and returns its result; fails the test on {@code ok:false}. */
  public Object call(String command) {
    String line = raw(command);
    try {
      return result(line);
    } catch (AssertionError e) {
      throw new AssertionError("`" + command + "` failed: " + e.getMessage(), e);
    }
  }

  /** Sends one command that must fail and returns its error message. */
  public String error(String command) {
    Map<?, ?> reply = (Map<?, ?>) Json.parse(raw(command));
    if (!Boolean.FALSE.equals(reply.get("ok"))) {
      throw new AssertionError("`" + command + "` should have failed but replied " + reply);
    }
    return (String) reply.get("error");
  }

  private static Object result(String line) {
    Map<?, ?> reply = (Map<?, ?>) Json.parse(line);
    if (!Boolean.TRUE.equals(reply.get("ok"))) {
      throw new AssertionError("js2p driver replied " + line);
    }
    return reply.get("result");
  }

  private String readLine() {
    Future<String> line = reader.submit(out::readLine);
    try {
      String text = line.get(REPLY_TIMEOUT_SECONDS, TimeUnit.SECONDS);
      if (text == null) {
        throw new AssertionError("js2p node exited (status " + exitStatus() + ")");
      }
      return text;
    } catch (TimeoutException e) {
      line.cancel(true);
      throw new AssertionError("js2p node gave no reply within " + REPLY_TIMEOUT_SECONDS + " s");
    } catch (ExecutionException e) {
      throw new AssertionError("cannot read from js2p node", e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  private String exitStatus() {
    try {
      return process.waitFor(2, TimeUnit.SECONDS) ? String.valueOf(process.exitValue()) : "still running";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "unknown";
    }
  }

  /** Asks the node to quit, then kills it if it has not exited within 5 s. */
  @Override
  public void close() {
    try {
      in.write("quit\n");
      in.flush();
      in.close();
    } catch (IOException ignored) {
      // already gone
    }
    try {
      if (!process.waitFor(5, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    } finally {
      reader.shutdownNow();
    }
  }
}
