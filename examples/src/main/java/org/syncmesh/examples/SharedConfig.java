package org.syncmesh.examples;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.syncmesh.sync.Codecs;
import org.syncmesh.sync.SyncMap;
import org.syncmesh.sync.SyncSocket;

/**
 * A configuration map shared by every node of a network: each node may set entries, every node
 * holds all of them, and each prints the changes as they arrive.
 *
 * <pre>
 * java -cp examples/target/examples.jar org.syncmesh.examples.SharedConfig --port 4444 color=red size=3
 * java -cp examples/target/examples.jar org.syncmesh.examples.SharedConfig --port 4445 --connect 127.0.0.1:4444 size=4
 * </pre>
 *
 * The second node joins, waits until it holds the first one's entries, sets its own, and prints
 * the whole configuration sorted by key ({@code color = red}, {@code size = 4}); the first prints
 * {@code changed size: 3 -> 4}. Each node runs until end of input (Ctrl-D).
 *
 * <p>The map is a {@link SyncMap}{@code <String, String>} on a {@link SyncSocket} without leasing:
 * any node may change any entry, and when two change one at once every node ends with the same
 * one of the two (the later write). With leasing (the default) the node that first set a key would
 * hold it for an hour, which suits owned data better than shared settings.
 *
 * <p>{@link #run} does the work on the streams it is given, so a test can run several nodes in
 * one JVM; {@link #main} passes it the console. Not meant to be shared between threads.
 */
public final class SharedConfig {

  /** How long joining, and receiving what the peer holds, may take. */
  private static final long JOIN_TIMEOUT_SECONDS = 10;

  private SharedConfig() {}

  public static void main(String[] args) throws IOException {
    BufferedReader stdin = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    System.exit(run(args, stdin, System.out));
  }

  /**
   * Runs one node until {@code in} ends, then leaves the network.
   *
   * @return the exit status: 0 after end of input, 1 if the peer could not be joined, 2 for bad arguments
   */
  public static int run(String[] args, BufferedReader in, PrintStream out) throws IOException {
    Options options;
    try {
      options = Options.parse(args);   // every argument is checked before anything is bound or sent
    } catch (IllegalArgumentException e) {
      out.println("error: " + e.getMessage());
      out.println("usage: SharedConfig --port PORT [--connect HOST:PORT] [KEY=VALUE]...");
      return 2;
    }

    SyncSocket socket;
    try {
      socket = new SyncSocket.Builder().port(options.port).leasing(false).build();
    } catch (UncheckedIOException e) {
      out.println("error: cannot listen on 127.0.0.1:" + options.port + ": " + e.getCause().getMessage());
      return 1;
    }
    try (socket) {
      // A typed view: keys and values read back as Strings.
      SyncMap<String, String> config = socket.map(Codecs.string(), Codecs.string());
      out.println("listening on 127.0.0.1:" + socket.port());

      HostPort seed = options.connect;
      if (seed != null) {
        try {
          socket.connect(seed.host(), seed.port()).orTimeout(JOIN_TIMEOUT_SECONDS, TimeUnit.SECONDS).join();
          // Completes once this node holds everything the peer held: our entries then go on top of
          // the network's, and the listing below is the whole configuration, not a part of it.
          config.awaitInitialSync().orTimeout(JOIN_TIMEOUT_SECONDS, TimeUnit.SECONDS).join();
        } catch (CompletionException e) {
          out.println("error: cannot join " + seed + ": " + (e.getCause() == null ? e : e.getCause()));
          return 1;
        }
      }

      // Each put is stored here and broadcast to every peer before it returns.
      options.entries.forEach(config::put);

      // The listener runs on the socket's callback thread; the lock keeps every change it prints
      // after the listing, even one that arrives while the listing is printed. It listens until
      // the socket closes (or until the Subscription it returns is closed).
      Object printing = new Object();
      synchronized (printing) {
        config.onUpdate((key, oldValue, newValue) -> {
          synchronized (printing) {
            out.println("changed " + key + ": " + (oldValue == null ? "(none)" : oldValue) + " -> " + newValue);
          }
        });
        out.println("config:");
        new TreeMap<>(config).forEach((key, value) -> out.println("  " + key + " = " + value));
      }
      // Nothing to do but print changes, until the input ends.
      while (in.readLine() != null) {
        // lines typed are ignored
      }
      return 0;
    }
  }

  /** The command line. */
  private record Options(int port, @Nullable HostPort connect, Map<String, String> entries) {

    static Options parse(String[] args) {
      Integer port = null;
      HostPort connect = null;
      Map<String, String> entries = new LinkedHashMap<>();
      List<String> rest = new ArrayList<>(List.of(args));
      while (!rest.isEmpty()) {
        String arg = rest.remove(0);
        if (arg.equals("--port") || arg.equals("--connect")) {
          if (rest.isEmpty()) {
            throw new IllegalArgumentException(arg + " needs a value");
          }
          String value = rest.remove(0);
          if (arg.equals("--port")) {
            port = HostPort.port(value, 0, "--port");
          } else {
            connect = HostPort.parse(value, "--connect");
          }
        } else if (arg.startsWith("--")) {
          throw new IllegalArgumentException("unknown option " + arg);
        } else {
          int equals = arg.indexOf('=');
          if (equals <= 0) {
            throw new IllegalArgumentException("an entry is KEY=VALUE with a non-empty KEY, got " + arg);
          }
          entries.put(arg.substring(0, equals), arg.substring(equals + 1));
        }
      }
      if (port == null) {
        throw new IllegalArgumentException("--port is missing (0 picks a free port)");
      }
      return new Options(port, connect, entries);
    }
  }
}
