package org.syncmesh.net;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.syncmesh.mesh.NodeCertificates;
import org.syncmesh.mesh.NodeCertificates.Issued;

/** A secure node's three files in one directory (certificate, key, CA file) and the CA that signs them. */
record NodeTlsFiles(Issued ca, Path cert, Path key, Path cas) {

  /** A fresh CA, written as the CA file; no certificate yet. */
  static NodeTlsFiles in(Path dir) throws IOException {
    Issued ca = NodeCertificates.authority("CA", Duration.ofDays(1));
    Path cas = dir.resolve("ca.pem");
    Files.writeString(cas, NodeCertificates.pem(ca.certificate()));
    return new NodeTlsFiles(ca, dir.resolve("n.crt"), dir.resolve("n.key"), cas);
  }

  /** Issues a day's certificate naming node {@code id} and writes it with its key over the files. */
  Issued issue(String id) throws IOException {
    Issued issued = NodeCertificates.node(ca, id, Duration.ofDays(1));
    NodeCertificates.write(issued, cert, key);
    return issued;
  }
}
