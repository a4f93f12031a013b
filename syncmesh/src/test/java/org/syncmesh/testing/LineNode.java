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
 * A node in a child process driven through the node line protocol: the packaged Java node
 * ({@code java -jar syncmesh-cli/target/syncmesh.jar node --json}) or the js2p driver
 * ({@code node interop/js2p/driver.js}), which speak the same protocol, so one helper drives both;
 * and the py2p driver ({@code interop/py2p/driver.py}), which speaks a subset of it.
 *
 * <p>Every read has a timeout, so a hung node fails the test instead of hanging it.
 * {@link #close()} kills the process if it has not exited. Not thread-safe: one test thread
 * drives it.
 */
public final class LineNode implements AutoCloseable {

  public static final long REPLY_TIMEOUT_SECONDS = 20;

  private final String name;
  private final Process process;
  private final BufferedReader out;
  private final Writer in;
  private final ExecutorService reader = Executors.newSingleThreadExecutor(r -> {
    Thread t = new Thread(r, "line-node-reader");
    t.setDaemon(true);
    return t;
  });
  private String id = "";
  private int port;

  private LineNode(String name, List<String> command) {
    this(name, command, logFile());
  }

  private LineNode(String name, List<String> command, Path stderr) {
    this.name = name;
    ProcessBuilder builder = new ProcessBuilder(command)
        .directory(projectDir().toFile())
        .redirectError(ProcessBuilder.Redirect.appendTo(stderr.toFile()));
    try {
      this.process = builder.start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + command, e);
    }
    this.out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    this.in = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
  }

  /** Where the nodes' standard error goes: the running module's target/ (syncmesh/ or syncmesh-cli/). */
  private static Path logFile() {
    Path target = Path.of(System.getProperty("user.dir")).toAbsolutePath().resolve("target");
    try {
      Files.createDirectories(target);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create " + target, e);
    }
    return target.resolve("line-nodes.log");
  }

  /** The Java node, not yet past its start line; {@code options} follow {@code node --json}. */
  public static LineNode javaUnstarted(String... options) {
    return new LineNode("java node", javaCommand(List.of(), List.of(options)));
  }

  /** {@code java JVM_OPTIONS -jar syncmesh.jar node --json NODE_OPTIONS}. */
  private static List<String> javaCommand(List<String> jvmOptions, List<String> nodeOptions) {
    List<String> command = new ArrayList<>(List.of(javaBinary()));
    command.addAll(jvmOptions);
    command.addAll(List.of("-jar", jar().toString(), "node", "--json"));
    command.addAll(nodeOptions);
    return command;
  }

  /**
   * The Java node on 127.0.0.1 with an ephemeral port, started, its standard error (the logs)
   * appended to {@code stderr} instead of the shared log, so a test can read them.
   */
  public static LineNode javaLoggingTo(Path stderr, String... options) {
    return new LineNode("java node", javaCommand(List.of(), onLoopback(options)), stderr).started();
  }

  /**
   * The Java node on 127.0.0.1 with an ephemeral port, started, its JVM given {@code jvmOptions}
   * before {@code -jar}.
   */
  public static LineNode javaWithJvmOptions(List<String> jvmOptions, String... options) {
    return new LineNode("java node", javaCommand(jvmOptions, onLoopback(options))).started();
  }

  /** The Java node on 127.0.0.1 with an ephemeral port, started (its start line read). */
  public static LineNode java(String... options) {
    return new LineNode("java node", javaCommand(List.of(), onLoopback(options))).started();
  }

  /** {@code --host 127.0.0.1 --port 0}, then {@code options}. */
  private static List<String> onLoopback(String... options) {
    List<String> all = new ArrayList<>(List.of("--host", "127.0.0.1", "--port", "0"));
    all.addAll(List.of(options));
    return all;
  }

  /** The js2p driver on 127.0.0.1 with an ephemeral port, started. */
  public static LineNode js2p(String... options) {
    Path modules = projectDir().resolve("interop/js2p/node_modules/js2p");
    if (!Files.isDirectory(modules)) {
      throw new IllegalStateException("js2p is not installed at " + modules
          + ": run `npm ci --prefix interop/js2p` (README's test command does)");
    }
    List<String> command = new ArrayList<>(List.of("node", projectDir().resolve("interop/js2p/driver.js").toString(),
        "--host", "127.0.0.1", "--port", "0"));
    command.addAll(List.of(options));
    return new LineNode("js2p driver", command).started();
  }

  /**
   * The py2p driver ({@code interop/py2p/driver.py}, run by {@code python}) for the py2p package
   * at {@code py2pSrc}, on 127.0.0.1 with a free port, started.
   */
  public static LineNode py2p(String python, Path py2pSrc, String... options) {
    List<String> command = new ArrayList<>(List.of(python, projectDir().resolve("interop/py2p/driver.py").toString(),
        "--py2p-src", py2pSrc.toString(), "--host", "127.0.0.1", "--port", "0"));
    command.addAll(List.of(options));
    return new LineNode("py2p driver", command).started();
  }

  /** Reads the start line, which must be a success, and keeps the id and port from it. */
  public LineNode started() {
    String line = readLine();
    Map<?, ?> hello = (Map<?, ?>) result("start", line);
    id = (String) hello.get("id");
    port = ((Long) hello.get("port")).intValue();
    return this;
  }

  public static Path jar() {
    String configured = System.getProperty("syncmesh.jar");
    Path jar = configured != null ? Path.of(configured) : projectDir().resolve("syncmesh-cli/target/syncmesh.jar");
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException(jar + " is missing: process tests run after `package` (mvn verify)");
    }
    return jar;
  }

  public static String javaBinary() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  /**
   * The repository's root (where {@code interop/} and {@code bin/} are): tests run in their module's folder
   * ({@code syncmesh/} or {@code syncmesh-cli/}), so this walks up from there to the reactor's root.
   */
  public static Path projectDir() {
    Path start = Path.of(System.getProperty("user.dir")).toAbsolutePath();
    for (Path p = start; p != null; p = p.getParent()) {
      if (Files.isDirectory(p.resolve("interop")) && Files.isRegularFile(p.resolve("pom.xml"))) {
        return p;
      }
    }
    throw new IllegalStateException("no repository root (a folder with interop/ and pom.xml) at or above " + start);
  }

  public String id() {
    return id;
  }

  public int port() {
    return port;
  }

  public Process process() {
    return process;
  }

  /** Writes one line (a line break is added) without reading a reply. */
  public void send(String line) {
    try {
      in.write(line);
      in.write('\n');
      in.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(name + " died before `" + line + "`", e);
    }
  }

  /** Sends one command and returns its raw reply line. */
  public String raw(String command) {
    send(command);
    return readLine();
  }

  /** Sends one command and returns its result; fails the test on {@code ok:false}. */
  public Object call(String command) {
    return result(command, raw(command));
  }

  /** Sends one command that must fail and returns its error message. */
  public String error(String command) {
    Map<?, ?> reply = parse(command, raw(command));
    if (!Boolean.FALSE.equals(reply.get("ok"))) {
      throw new AssertionError(name + ": `" + command + "` should have failed but replied " + reply);
    }
    return (String) reply.get("error");
  }

  private Object result(String command, String line) {
    Map<?, ?> reply = parse(command, line);
    if (!Boolean.TRUE.equals(reply.get("ok"))) {
      throw new AssertionError(name + ": `" + command + "` replied " + line);
    }
    return reply.get("result");
  }

  private Map<?, ?> parse(String command, String line) {
    try {
      return (Map<?, ?>) Json.parseWithJavaNulls(line);
    } catch (RuntimeException e) {
      throw new AssertionError(name + ": `" + command + "` gave a line that is not a JSON object: " + line, e);
    }
  }

  /** The next stdout line; fails on timeout, or if the process ended. */
  public String readLine() {
    String line = readLineOrEnd();
    if (line == null) {
      throw new AssertionError(name + " exited (status " + exitStatus() + ")");
    }
    return line;
  }

  /** The next stdout line, or null at the end of output; fails on timeout. */
  public String readLineOrEnd() {
    Future<String> line = reader.submit(out::readLine);
    try {
      return line.get(REPLY_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      line.cancel(true);
      throw new AssertionError(name + " gave no line within " + REPLY_TIMEOUT_SECONDS + " s");
    } catch (ExecutionException e) {
      throw new AssertionError("cannot read from " + name, e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** Closes standard input: end of input for the node. */
  public void closeInput() {
    try {
      in.close();
    } catch (IOException e) {
      // already gone
    }
  }

  /** Waits up to {@code seconds} for the exit; returns the status, or null if still running. */
  public Integer awaitExit(long seconds) throws InterruptedException {
    return process.waitFor(seconds, TimeUnit.SECONDS) ? process.exitValue() : null;
  }

  private String exitStatus() {
    try {
      return process.waitFor(2, TimeUnit.SECONDS) ? String.valueOf(process.exitValue()) : "still running";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "unknown";
    }
  }

  /** Asks the node to quit, then kills it (and its children) if it has not exited within 5 s. */
  @Override
  public void close() {
    try {
      if (process.isAlive()) {
        in.write("quit\n");
        in.flush();
      }
      in.close();
    } catch (IOException ignored) {
      // already gone
    }
    try {
      if (!process.waitFor(5, TimeUnit.SECONDS)) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
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
