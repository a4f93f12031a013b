package org.syncmesh.examples;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.syncmesh.mesh.MeshListener;
import org.syncmesh.mesh.MeshSocket;
import org.syncmesh.mesh.PeerInfo;

/**
 * Chat over the mesh: every line typed is broadcast to every node of the network, and every line
 * another node broadcasts is printed as {@code NAME: text}.
 *
 * <pre>
 * java -cp examples/target/examples.jar org.syncmesh.examples.Chat --port 4444 --name alice
 * java -cp examples/target/examples.jar org.syncmesh.examples.Chat --port 4445 --connect 127.0.0.1:4444 --name bob
 * </pre>
 *
 * A third chat may connect to either of them: broadcasts flood the whole mesh, and each node
 * prints a message once however many paths it arrives by. End of input (Ctrl-D) leaves the chat.
 *
 * <p>{@link #run} does the work on the streams it is given, so a test can run two chats in one
 * JVM; {@link #main} passes it the console. Not meant to be shared between threads.
 */
public final class Chat {

  /** How long joining a peer may take before the chat gives up. */
  private static final long CONNECT_TIMEOUT_SECONDS = 10;

  private Chat() {}

  public static void main(String[] args) throws IOException {
    BufferedReader stdin = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    System.exit(run(args, stdin, System.out));
  }

  /**
   * Runs one chat until {@code in} ends, then leaves the network.
   *
   * @return the exit status: 0 after end of input, 1 if the peer could not be joined, 2 for bad arguments
   */
  public static int run(String[] args, BufferedReader in, PrintStream out) throws IOException {
    Options options;
    try {
      options = Options.parse(args);
    } catch (IllegalArgumentException e) {
      out.println("error: " + e.getMessage());
      out.println("usage: Chat --port PORT [--connect HOST:PORT] --name NAME");
      return 2;
    }

    // A mesh node listening on 127.0.0.1 (port 0 picks a free one). Closing it leaves the network.
    MeshSocket mesh;
    try {
      mesh = new MeshSocket.Builder().port(options.port).build();
    } catch (UncheckedIOException e) {
      out.println("error: cannot listen on 127.0.0.1:" + options.port + ": " + e.getCause().getMessage());
      return 1;
    }
    try (mesh) {
      // Every message nobody else claimed comes to this handler, on the socket's callback thread
      // (never a network thread), one at a time, in arrival order. Our messages are [name, text].
      mesh.registerHandler((message, from) -> {
        List<Object> packets = message.packets();
        if (packets.size() == 2 && packets.get(0) instanceof String name && packets.get(1) instanceof String text) {
          out.println(name + ": " + text);
          return true;                     // claimed: it does not also wait in mesh.recv()
        }
        return false;                      // another program's message: left for recv()
      });
      // Peers coming and going, on the same callback thread.
      mesh.addListener(new MeshListener() {
        @Override
        public void onPeerConnected(MeshSocket socket, PeerInfo peer) {
          out.println("* " + peer.shortId() + " joined");
        }

        @Override
        public void onDisconnect(MeshSocket socket, PeerInfo peer) {
          out.println("* " + peer.shortId() + " left");
        }
      });
      out.println("listening on 127.0.0.1:" + mesh.port() + " as " + options.name);

      HostPort seed = options.connect;
      if (seed != null) {
        try {
          // Completes once the peer has accepted our handshake.
          PeerInfo peer = mesh.connect(seed.host(), seed.port()).orTimeout(CONNECT_TIMEOUT_SECONDS, TimeUnit.SECONDS).join();
          out.println("connected to " + peer.shortId() + " at " + seed);
        } catch (CompletionException e) {
          out.println("error: cannot connect to " + seed + ": " + (e.getCause() == null ? e : e.getCause()));
          return 1;
        }
      }

      // Each line typed goes to every node of the mesh, ours excepted (we already see it).
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        if (!line.isBlank()) {
          mesh.send(options.name, line);
        }
      }
      return 0;
    }
  }

  /** The command line, checked before anything is bound or sent. */
  private record Options(int port, @Nullable HostPort connect, String name) {

    static Options parse(String[] args) {
      Integer port = null;
      HostPort connect = null;
      String name = null;
      for (int i = 0; i < args.length; i++) {
        String option = args[i];
        if (!option.equals("--port") && !option.equals("--connect") && !option.equals("--name")) {
          throw new IllegalArgumentException("unknown option " + option);
        }
        if (i + 1 == args.length) {
          throw new IllegalArgumentException(option + " needs a value");
        }
        String value = args[++i];
        switch (option) {
          case "--port" -> port = HostPort.port(value, 0, "--port");
          case "--connect" -> connect = HostPort.parse(value, "--connect");
          default -> name = value;  // --name, the only one left
        }
      }
      if (port == null) {
        throw new IllegalArgumentException("--port is missing (0 picks a free port)");
      }
      if (name == null || name.isBlank()) {
        throw new IllegalArgumentException("--name is missing");
      }
      return new Options(port, connect, name);
    }
  }
}
