package org.syncmesh.cli;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.syncmesh.sync.SyncSocket;

/**
 * The run the build makes the class-data-sharing archive from ({@code syncmesh.jsa}, docs/deployment.md
 * §6), not a command for users: {@code java -XX:DumpLoadedClassList=classes.txt -cp syncmesh.jar
 * org.syncmesh.cli.CdsTraining} lists the classes it loads, then {@code java -Xshare:dump
 * -XX:SharedClassListFile=classes.txt -XX:SharedArchiveFile=syncmesh.jsa -cp syncmesh.jar} archives
 * them. It runs {@code syncmesh node --json} in this JVM, as the jar's main
 * class would, connected to a peer it starts beside it holding {@value #KEYS} keys; the node waits for
 * them (an initial sync), then sets, reads and deletes a key and quits. So the archive holds the
 * classes of starting a node and of the line protocol, and also those of a link, a handshake and an
 * initial sync on both ends, which a node otherwise loads from the jar when its first peer comes.
 *
 * <p>Exits with the node's status. Not thread-safe; one per process.
 */
public final class CdsTraining {

  static final int KEYS = 300;

  private CdsTraining() {}

  public static void main(String[] args) {
    Main.prepareProcess();
    int status;
    try (SyncSocket peer = new SyncSocket.Builder().host("127.0.0.1").port(0).build()) {
      Map<String, Object> keys = new LinkedHashMap<>();
      for (int i = 0; i < KEYS; i++) {
        keys.put("training-" + i, Map.of("n", i, "text", "value " + i));
      }
      peer.update(keys);
      String script = "waitkeys " + KEYS + " 30000\n"
          + "set training {\"n\": [1, 2.5]}\nget training\nkeys\ncount\ndel training\nstatus\npeers\nquit\n";
      System.setIn(new ByteArrayInputStream(script.getBytes(StandardCharsets.UTF_8)));
      String[] node = {"node", "--json", "--port", "0", "--connect", "127.0.0.1:" + peer.mesh().port()};
      status = Main.newCommandLine(node).execute(node);
    }
    System.exit(status);
  }
}
