/**
 * syncmesh: a peer-to-peer mesh socket ({@link org.syncmesh.mesh.MeshSocket}) and a synchronized dictionary on top
 * ({@link org.syncmesh.sync.SyncSocket}), wire-compatible with protocol 0.7 of js2p and py2p.
 *
 * <p>Exported: the values ({@code org.syncmesh}), the mesh, the dictionary and its store; no public signature there
 * mentions an internal type (ExportedApiTest checks). wire (encoding), net (transport) and mesh.spi (the hook the
 * dictionary plugs into the mesh with) are internal. msgpack-core and rocksdbjni have no module name of their own, so they are required by
 * the names Java derives from their jar files ({@code msgpack.core}, {@code rocksdbjni}). Netty's epoll classes are
 * required; its native library's module (x86-64 Linux's) is not, so a modular application names it with
 * {@code --add-modules} to run on epoll, else the links run on NIO (net.Transport). The {@code static}
 * requirements are optional at run time: BouncyCastle's PKIX jar for certificates (the TLS transport's self-signed
 * certificate, {@code syncmesh certs}), and the snappy, bz2 (commons-compress) and xz compression libraries, each
 * offered to peers only when present; jackson-core for {@code Codecs.json()}; and Micrometer
 * ({@code micrometer.core}, its jar's automatic module name) for {@link org.syncmesh.sync.SyncMetrics} only.
 */
module org.syncmesh {
  exports org.syncmesh;
  exports org.syncmesh.mesh;
  exports org.syncmesh.sync;
  exports org.syncmesh.store;

  requires io.netty.buffer;
  requires io.netty.codec;
  requires io.netty.common;
  requires io.netty.handler;
  requires io.netty.transport;
  requires io.netty.transport.classes.epoll;
  requires msgpack.core;
  requires org.slf4j;
  requires org.bouncycastle.provider;
  requires rocksdbjni;

  requires static org.jspecify;
  requires static org.bouncycastle.pkix;
  requires static org.bouncycastle.util;
  requires static org.xerial.snappy;
  requires static org.apache.commons.compress;
  requires static org.tukaani.xz;
  requires static tools.jackson.core;
  requires static micrometer.core;
}
