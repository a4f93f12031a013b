package org.syncmesh.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.syncmesh.json.Json;
import org.syncmesh.testing.LineNode;

/**
 * {@code interop/browser/driver.js} in a child process: a headless Chromium that a test drives one
 * JSON command line at a time (the commands are listed in the script). Every reply is awaited at
 * most {@link #REPLY_TIMEOUT_SECONDS}; {@link #close()} quits the browser, killing it if it hangs.
 * Not thread-safe: one test thread drives it.
 */
final class BrowserDriver implements AutoCloseable {

  static final long REPLY_TIMEOUT_SECONDS = 30;
  static final Path SCRIPT = LineNode.projectDir().resolve("interop/browser/driver.js");
  static final Path PLAYWRIGHT = LineNode.projectDir().resolve("interop/browser/node_modules/playwright-core");
  static final Path CHROMIUM = Path.of(System.getenv().getOrDefault("CHROMIUM", "/usr/bin/chromium"));

  private final Process process;
  private final BufferedReader out;
  private final Writer in;
  private final ExecutorService reader = Executors.newSingleThreadExecutor(r -> {
    Thread t = new Thread(r, "browser-driver-reader");
    t.setDaemon(true);
    return t;
  });

  /** What is missing to run the browser, or null if nothing is. */
  static String missing() {
    if (!Files.isExecutable(CHROMIUM)) {
      return CHROMIUM + " (apt-get install chromium)";
    }
    if (!Files.isDirectory(PLAYWRIGHT)) {
      return PLAYWRIGHT + " (npm ci --prefix interop/browser)";
    }
    return null;
  }

  /** Starts the browser; its standard error goes to {@code log}. */
  BrowserDriver(Path log) {
    try {
      Files.createDirectories(log.getParent());
      ProcessBuilder builder = new ProcessBuilder("node", SCRIPT.toString())
          .directory(LineNode.projectDir().toFile())
          .redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()));
      builder.environment().put("CHROMIUM", CHROMIUM.toString());
      builder.environment().put("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
      process = builder.start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start node " + SCRIPT, e);
    }
    out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    in = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
    Map<?, ?> hello = read();
    if (!Boolean.TRUE.equals(hello.get("ok"))) {
      close();
      throw new IllegalStateException("the browser did not start: " + hello.get("error"));
    }
  }

  /** Runs {@code cmd} with {@code args} (name, value, name, value…) and returns its result. */
  Object call(String cmd, Object... args) {
    Map<String, Object> command = new LinkedHashMap<>();
    command.put("cmd", cmd);
    for (int i = 0; i < args.length; i += 2) {
      command.put((String) args[i], args[i + 1]);
    }
    String line = Json.write(command);
    try {
      in.write(line + "\n");
      in.flush();
    } catch (IOException e) {
      throw new UncheckedIOException("the browser driver's input closed at " + line, e);
    }
    Map<?, ?> reply = read();
    if (!Boolean.TRUE.equals(reply.get("ok"))) {
      throw new AssertionError(line + " failed: " + reply.get("error"));
    }
    return reply.get("result");
  }

  /** The text of every element matching {@code selector}. */
  List<String> texts(String selector) {
    return ((List<?>) call("texts", "selector", selector)).stream().map(String::valueOf).toList();
  }

  /** Waits until an element matching {@code selector} shows {@code text}. */
  void waitFor(String selector, String text) {
    call("waitFor", "selector", selector, "text", text);
  }

  private Map<?, ?> read() {
    Future<String> line = reader.submit(out::readLine);
    try {
      String text = line.get(REPLY_TIMEOUT_SECONDS, TimeUnit.SECONDS);
      if (text == null) {
        throw new IllegalStateException("the browser driver ended (exit " + process.waitFor() + ")");
      }
      return (Map<?, ?>) Json.parse(text);
    } catch (java.util.concurrent.TimeoutException e) {
      line.cancel(true);
      throw new AssertionError("no reply from the browser driver within " + REPLY_TIMEOUT_SECONDS + " s");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } catch (java.util.concurrent.ExecutionException e) {
      throw new IllegalStateException("cannot read the browser driver", e.getCause());
    }
  }

  @Override
  public void close() {
    try {
      if (process.isAlive()) {
        in.write("{\"cmd\":\"quit\"}\n");
        in.flush();
      }
    } catch (IOException e) {
      // it ended already
    }
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      reader.shutdownNow();
    }
  }
}
