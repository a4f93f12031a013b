package org.syncmesh.examples;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;
import org.syncmesh.sync.Codecs;
import org.syncmesh.sync.SyncMap;
import org.syncmesh.sync.SyncSocket;

/**
 * A Java node and a js2p node sharing one dictionary: syncmesh speaks protocol 0.7 as js2p 0.7.870
 * does, so a js2p sync socket joins a Java one as it would another js2p node.
 *
 * <p>The Java node listens on a free port of 127.0.0.1 and sets {@code from-java}; it then starts
 * {@code node examples/js2p/peer.js PORT}, a js2p sync socket that sets {@code from-js2p} and
 * connects to it. Each side prints what it receives from the other; the program exits 0 once both
 * hold both keys, 1 if that did not happen within 30 seconds. Run it from the repository's root
 * after {@code npm ci --prefix interop/js2p}, which installs js2p:
 *
 * <pre>
 * java -cp examples/target/examples.jar org.syncmesh.examples.WithJs2p [PATH/TO/peer.js]
 * </pre>
 *
 * <p>Both sides use protocol 0.7's defaults for a sync socket: subnet {@code sync} with leasing
 * on (protocol {@code sync1}), Plaintext. A node with different settings is another network: the
 * handshake refuses it.
 */
public final class WithJs2p {

  /** How long the whole exchange may take, node's start included. */
  private static final long TIMEOUT_SECONDS = 30;

  private WithJs2p() {}

  public static void main(String[] args) throws IOException, InterruptedException {
    System.exit(run(args, System.out));
  }

  /**
   * Runs the exchange, printing both sides' lines to {@code out}.
   *
   * @param args optionally the path of peer.js; by default {@code examples/js2p/peer.js} or, from
   *     the examples folder, {@code js2p/peer.js}
   * @return the exit status: 0 when both nodes hold both keys, 1 otherwise, 2 for bad arguments
   */
  public static int run(String[] args, PrintStream out) throws IOException, InterruptedException {
    if (args.length > 1) {
      out.println("usage: WithJs2p [PATH/TO/peer.js]");
      return 2;
    }
    Path script = args.length == 1 ? Path.of(args[0])
        : Files.isRegularFile(Path.of("examples/js2p/peer.js")) ? Path.of("examples/js2p/peer.js") : Path.of("js2p/peer.js");
    if (!Files.isRegularFile(script)) {
      out.println("error: no peer script at " + script.toAbsolutePath() + " (run from the repository's root, or give its path)");
      return 2;
    }
    // peer.js loads js2p from the interop driver's install, two folders up from it.
    Path js2p = script.toAbsolutePath().getParent().resolve("../../interop/js2p/node_modules/js2p").normalize();
    if (!Files.isDirectory(js2p)) {
      out.println("error: js2p is not installed at " + js2p + ": run npm ci --prefix interop/js2p");
      return 1;
    }

    // Defaults: 127.0.0.1, a free port, subnet "sync", leasing on: what js2p's sync socket speaks.
    try (SyncSocket javaNode = new SyncSocket.Builder().build()) {
      SyncMap<String, String> dictionary = javaNode.map(Codecs.string(), Codecs.string());
      CompletableFuture<String> fromJs2p = new CompletableFuture<>();
      // Every key stored here, ours included, on the socket's callback thread, until the socket closes.
      dictionary.onUpdate((key, oldValue, value) -> {
        if (!key.equals("from-java")) {
          out.println("java received " + key + " = " + value);
        }
        if (key.equals("from-js2p")) {
          fromJs2p.complete(value);
        }
      });
      // Stored now, sent to js2p with the rest of the dictionary when it shakes hands.
      dictionary.put("from-java", "hello from Java");
      out.println("java node on 127.0.0.1:" + javaNode.port() + " set from-java");

      Process peer = startPeer(script, javaNode.port(), out);
      if (peer == null) {
        return 1;
      }
      try {
        // The js2p peer copies its lines to ours and exits 0 once it holds both keys.
        Thread copier = copyLines(peer, out);
        boolean exited = peer.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        fromJs2p.get(exited ? TIMEOUT_SECONDS : 0, TimeUnit.SECONDS);
        copier.join(TimeUnit.SECONDS.toMillis(5));
        if (!exited || peer.exitValue() != 0) {
          out.println("error: the js2p peer " + (exited ? "exited with status " + peer.exitValue() : "did not finish"));
          return 1;
        }
      } catch (TimeoutException e) {
        out.println("error: from-js2p did not reach the Java node within " + TIMEOUT_SECONDS + " s");
        return 1;
      } catch (ExecutionException e) {
        throw new IllegalStateException(e.getCause());  // never: the future is only completed normally
      } finally {
        peer.destroyForcibly();   // no effect once it has exited
      }
      out.println("java holds " + String.join(" and ", new TreeSet<>(dictionary.keySet())));
      return 0;
    }
  }

  /** Starts {@code node SCRIPT PORT}, its standard error passed through; null (and a message) if node cannot run. */
  private static @Nullable Process startPeer(Path script, int port, PrintStream out) {
    try {
      return new ProcessBuilder(List.of("node", script.toString(), Integer.toString(port)))
          .redirectError(ProcessBuilder.Redirect.INHERIT)
          .start();
    } catch (IOException e) {
      out.println("error: cannot run node (Node.js 20 or later on the PATH): " + e.getMessage());
      return null;
    }
  }

  /** Copies the peer's output to {@code out}, line by line, on a thread of its own until the peer closes it. */
  private static Thread copyLines(Process peer, PrintStream out) {
    Thread copier = new Thread(() -> {
      try (BufferedReader lines = new BufferedReader(new InputStreamReader(peer.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line = lines.readLine(); line != null; line = lines.readLine()) {
          out.println(line);
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }, "js2p-peer-output");
    copier.setDaemon(true);
    copier.start();
    return copier;
  }
}
