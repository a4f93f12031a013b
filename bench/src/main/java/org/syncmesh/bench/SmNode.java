package org.syncmesh.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.syncmesh.Bytes;
import org.syncmesh.NodeIdentity;
import org.syncmesh.mesh.PeerInfo;
import org.syncmesh.sync.MetaTuple;
import org.syncmesh.sync.SyncListener;
import org.syncmesh.sync.SyncSocket;

/**
 * A syncmesh node for the benchmark: one {@link SyncSocket} (the library, nothing else) behind
 * the node line protocol of {@link LineNode}. Extra options: {@code --no-leasing},
 * {@code --max-outgoing N} (default 0: the node dials only whom it is told to, so a line stays a
 * line; js2p never auto-connects on one host either), and for a secure network
 * {@code --tls-cert FILE --tls-key FILE --tls-ca FILE --identity FILE} (PEM files: the node's
 * certificate and TLS key, the network's CA, the node's Ed25519 identity key).
 */
public final class SmNode extends LineNode {
  private SyncSocket socket;

  public static void main(String[] args) {
    new SmNode().run(args);
  }

  @Override
  protected String start() throws java.io.IOException {
    boolean leasing = !extraArgs.contains("--no-leasing");
    int maxOutgoing = 0;
    int i = extraArgs.indexOf("--max-outgoing");
    if (i >= 0) {
      maxOutgoing = Integer.parseInt(extraArgs.get(i + 1));
    }
    SyncSocket.Builder builder = new SyncSocket.Builder().host(host).port(port).leasing(leasing).maxOutgoing(maxOutgoing);
    String cert = option("--tls-cert");
    if (cert != null) {
      // a secure network (docs/security.md): mutual TLS 1.3 with the CA's members, signed writes
      builder.secure(Path.of(cert), Path.of(option("--tls-key")), Path.of(option("--tls-ca")))
          .identity(NodeIdentity.fromPem(Files.readString(Path.of(option("--identity")))));
    }
    socket = builder.build();
    socket.addListener(new SyncListener() {
      @Override
      public void onUpdate(SyncSocket s, Bytes key, Object value, MetaTuple meta) {
        arrived(key);
      }
    });
    return socket.id();
  }

  private String option(String name) {
    int i = extraArgs.indexOf(name);
    if (i < 0) {
      return null;
    }
    if (i + 1 >= extraArgs.size()) {
      throw new IllegalArgumentException(name + " needs a value");
    }
    return extraArgs.get(i + 1);
  }

  @Override
  protected String keyText(Object key) {
    return ((Bytes) key).utf8();
  }

  @Override
  protected int boundPort() {
    return socket.port();
  }

  @Override
  protected void connect(String h, int p) {
    socket.connect(h, p).join();
  }

  @Override
  protected List<Map<String, Object>> peers() {
    List<Map<String, Object>> out = new ArrayList<>();
    for (PeerInfo pi : socket.routingTable().values()) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("id", pi.id());
      m.put("host", pi.host());
      m.put("port", pi.port());
      out.add(m);
    }
    return out;
  }

  @Override
  protected int count() {
    return socket.size();
  }

  @Override
  protected void put(String key, String value) {
    socket.set(key, value);
  }

  @Override
  protected Object get(String key) {
    return socket.get(key).orElse(null);
  }

  @Override
  protected Object status() {
    return socket.status();
  }

  @Override
  protected void close() {
    socket.close();
  }
}
