package org.syncmesh.examples;

import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PipedReader;
import java.io.PipedWriter;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An example's {@code run(args, in, out)} on a thread of its own, as a user would run it in a
 * terminal: the test types lines into its input and reads the lines it prints. Every wait is
 * bounded. Driven by one test thread, which must stay alive while it types (a pipe's rule).
 */
final class RunningProgram implements AutoCloseable {

  /** An example's entry point. */
  @FunctionalInterface
  interface Main {
    int run(String[] args, BufferedReader in, PrintStream out) throws Exception;
  }

  static final Duration WAIT = Duration.ofSeconds(20);

  private final String name;
  private final PipedWriter input = new PipedWriter();
  private final Lines output = new Lines();
  private final CompletableFuture<Integer> status = new CompletableFuture<>();

  private RunningProgram(String name, Main main, String... args) {
    this.name = name;
    BufferedReader in;
    try {
      in = new BufferedReader(new PipedReader(input));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    PrintStream out = new PrintStream(output, true, StandardCharsets.UTF_8);
    Thread thread = new Thread(() -> {
      try {
        status.complete(main.run(args, in, out));
      } catch (Throwable e) {
        status.completeExceptionally(e);
      }
    }, "example-" + name);
    thread.setDaemon(true);
    thread.start();
  }

  static RunningProgram start(String name, Main main, String... args) {
    return new RunningProgram(name, main, args);
  }

  /** Every line printed so far. */
  List<String> lines() {
    return output.lines();
  }

  /** Waits for a printed line that matches {@code regex} whole, and returns its match. */
  Matcher awaitLine(String regex) {
    Pattern pattern = Pattern.compile(regex);
    Matcher[] found = new Matcher[1];
    await(name + " to print a line matching " + regex).atMost(WAIT).until(() -> {
      for (String line : lines()) {
        Matcher m = pattern.matcher(line);
        if (m.matches()) {
          found[0] = m;
          return true;
        }
      }
      return false;
    });
    return found[0];
  }

  /** Types one line. */
  void type(String line) throws IOException {
    input.write(line + "\n");
    input.flush();
  }

  /** Ends the input (Ctrl-D) and returns the exit status, waiting at most {@link #WAIT}. */
  int endInput() throws Exception {
    input.close();
    return exitStatus();
  }

  /** The exit status, waiting at most {@link #WAIT} for the program to end. */
  int exitStatus() throws Exception {
    return status.get(WAIT.toSeconds(), TimeUnit.SECONDS);
  }

  /** Ends the input if the test did not, and waits (at most {@link #WAIT}) for the program to close its socket. */
  @Override
  public void close() throws IOException, ExecutionException, TimeoutException {
    input.close();
    try {
      status.get(WAIT.toSeconds(), TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while " + name + " ends", e);
    }
  }

  @Override
  public String toString() {
    return name + " " + lines();
  }

  /** Collects what is printed, split into lines. */
  private static final class Lines extends OutputStream {
    private final ByteArrayOutputStream current = new ByteArrayOutputStream();
    private final List<String> lines = new ArrayList<>();

    @Override
    public synchronized void write(int b) {
      if (b == '\n') {
        lines.add(current.toString(StandardCharsets.UTF_8));
        current.reset();
      } else {
        current.write(b);
      }
    }

    synchronized List<String> lines() {
      return List.copyOf(lines);
    }
  }
}
