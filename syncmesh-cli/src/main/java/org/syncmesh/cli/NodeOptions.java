package org.syncmesh.cli;

import java.nio.file.Path;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.syncmesh.Protocol;
import org.syncmesh.mesh.MeshSocket;
import org.syncmesh.sync.Durability;
import org.syncmesh.sync.SyncSocket;
import org.syncmesh.wire.Checks;
import org.syncmesh.wire.FrameCodec;

/**
 * The settings of one {@code syncmesh node}, parsed from its command line by {@link NodeCommand}.
 * Immutable and validated, so tests can check parsing without starting anything.
 *
 * @param host address to bind (default 127.0.0.1; 0.0.0.0 binds every interface)
 * @param port port to bind, 0 for an ephemeral one (default 4444)
 * @param connect peers to connect to at start, in order
 * @param subnet the protocol subnet as given; the sync socket appends its leasing digit
 * @param transport {@link Protocol#PLAINTEXT} or {@link Protocol#SSL}
 * @param leasing whether the sync socket enforces leases (meaningless with {@code mesh})
 * @param mesh a plain mesh socket instead of a sync socket
 * @param json the line protocol on standard input and output instead of the REPL
 * @param quiet no live event lines in the REPL
 * @param verbosity 0 logs warnings and errors, 1 adds info, 2 or more adds debug
 * @param maxFrameBytes the frame cap, which also bounds a value (every node of a network needs the same)
 * @param data the data directory of a durable node ({@code --data}), or null to keep nothing on disk
 * @param fsync {@link Durability#SYNC} instead of {@link Durability#PROCESS_CRASH} ({@code --fsync});
 *     needs {@code data}
 * @param security the secure network's files ({@code --tls-cert}, {@code --tls-key},
 *     {@code --tls-ca}, {@code --identity}, {@code --deny}); {@link Security#NONE} for an open network
 * @param outAddr the address peers are told to dial ({@code --out-addr}), or null for the bound
 *     address; required when {@code host} is a wildcard ({@code 0.0.0.0} or {@code ::}), which
 *     names no address a peer could dial
 * @param maxOutgoing most connections the node opens itself from peers lists ({@code --max-outgoing},
 *     0–1000, default {@link #DEFAULT_MAX_OUTGOING}); {@code --connect} seeds are always dialled
 */
record NodeOptions(String host, int port, List<HostPort> connect, String subnet, String transport,
    boolean leasing, boolean mesh, boolean json, boolean quiet, int verbosity, int maxFrameBytes,
    @Nullable Path data, boolean fsync, Security security, @Nullable HostPort outAddr, int maxOutgoing) {

  /**
   * The files of a node in a secure network (docs/security.md): its certificate, key and trusted
   * CAs (all three, or none for an open network), its identity key, and a deny list.
   *
   * @param tlsCert the node's certificate (PEM), or null
   * @param tlsKey the certificate's private key (PEM PKCS#8), or null
   * @param tlsCa the CA certificates trusted (PEM, one or more), or null
   * @param identity the node's identity key (PEM PKCS#8 Ed25519), or null: a sync node with
   *     {@code --data} keeps one in its data directory
   * @param deny a file of node ids refused, one per line, or null
   */
  record Security(@Nullable Path tlsCert, @Nullable Path tlsKey, @Nullable Path tlsCa, @Nullable Path identity,
      @Nullable Path deny) {

    /** An open network, no deny list. */
    static final Security NONE = new Security(null, null, null, null, null);

    Security {
      int given = (tlsCert != null ? 1 : 0) + (tlsKey != null ? 1 : 0) + (tlsCa != null ? 1 : 0);
      if (given != 0 && given != 3) {
        throw new IllegalArgumentException("--tls-cert, --tls-key and --tls-ca go together: give all three for a "
            + "secure network, or none");
      }
      if (identity != null && given == 0) {
        throw new IllegalArgumentException("--identity is for a secure network: give --tls-cert, --tls-key and "
            + "--tls-ca too");
      }
    }

    /** Whether the node runs in a secure network. */
    boolean secure() {
      return tlsCert != null;
    }

    /** Applies these settings to a socket's builder. */
    <B extends org.syncmesh.mesh.MeshOptions<B>> void applyTo(B builder) {
      if (secure()) {
        builder.secure(tlsCert, tlsKey, tlsCa);
      }
      if (identity != null) {
        builder.identity(org.syncmesh.sync.IdentityKeys.read(identity));
      }
      if (deny != null) {
        builder.denyList(deny);
      }
    }
  }

  /** The port a node binds when none is given, as js2p's driver does. */
  static final int DEFAULT_PORT = 4444;

  /** Outgoing connections from peers lists when none is given: the mesh socket's default. */
  static final int DEFAULT_MAX_OUTGOING = 4;

  /** A peer address given as {@code HOST:PORT}. */
  record HostPort(String host, int port) {
    HostPort {
      Checks.notEmpty(host, "host");
      Checks.inRange(port, 1, 65_535, "port");
    }

    /**
     * Parses {@code HOST:PORT} given to {@code --connect}; see {@link #parse(String, String)}.
     *
     * @throws IllegalArgumentException if there is no colon, no host, or the port is not 1–65535
     */
    static HostPort parse(String text) {
      return parse(text, "--connect");
    }

    /**
     * Parses {@code HOST:PORT}; the last colon splits, so an IPv6 host needs no brackets.
     *
     * @param option the option the text was given to, for the error message
     * @throws IllegalArgumentException if there is no colon, no host, or the port is not 1–65535
     */
    static HostPort parse(String text, String option) {
      int colon = text.lastIndexOf(':');
      String port = colon < 0 ? "" : text.substring(colon + 1);
      if (colon < 1 || !port.matches("[0-9]{1,5}") || Integer.parseInt(port) < 1 || Integer.parseInt(port) > 65_535) {
        throw new IllegalArgumentException("bad " + option + " value (want HOST:PORT, port 1-65535): "
            + Abbrev.quote(text));
      }
      String host = text.substring(0, colon);
      if (host.startsWith("[") && host.endsWith("]")) {
        host = host.substring(1, host.length() - 1);
      }
      return new HostPort(host, Integer.parseInt(port));
    }

    @Override
    public String toString() {
      return host + ":" + port;
    }
  }

  NodeOptions {
    Checks.notEmpty(host, "host");
    Checks.inRange(port, 0, 65_535, "port");
    connect = List.copyOf(connect);
    Checks.notNull(subnet, "subnet");
    new Protocol(subnet, transport); // validates the transport
    Checks.inRange(verbosity, 0, Integer.MAX_VALUE, "verbosity");
    Checks.inRange(maxFrameBytes, 1024, Integer.MAX_VALUE - 8, "--max-frame-bytes");
    if (fsync && data == null) {
      throw new IllegalArgumentException("--fsync needs --data DIR (it says how durable the data directory's writes are)");
    }
    if (mesh && data != null) {
      throw new IllegalArgumentException("--data is for sync nodes: a --mesh node has no dictionary to keep");
    }
    Checks.notNull(security, "security");
    if (security.secure() && security.identity() == null && data == null) {
      throw new IllegalArgumentException("a node of a secure network needs its identity key: give --identity FILE"
          + (mesh ? "" : ", or --data DIR (it keeps one in DIR/identity.key)")
          + "; syncmesh certs node makes one with the node's certificate");
    }
    if (outAddr == null && isWildcard(host)) {
      throw new IllegalArgumentException("--host " + host + " listens on every interface but names no address "
          + "peers can dial: give --out-addr HOST:PORT, the address (and port) other hosts reach this node at");
    }
    if (outAddr != null && isWildcard(outAddr.host())) {
      throw new IllegalArgumentException("--out-addr " + outAddr + " names no address peers can dial: give the "
          + "address (or name) other hosts reach this node at");
    }
    Checks.inRange(maxOutgoing, 0, 1_000, "--max-outgoing");
  }

  /** Settings of an open or secure network, advertising the bound address. */
  NodeOptions(String host, int port, List<HostPort> connect, String subnet, String transport, boolean leasing,
      boolean mesh, boolean json, boolean quiet, int verbosity, int maxFrameBytes, @Nullable Path data,
      boolean fsync, Security security) {
    this(host, port, connect, subnet, transport, leasing, mesh, json, quiet, verbosity, maxFrameBytes, data, fsync,
        security, null, DEFAULT_MAX_OUTGOING);
  }

  /** Whether {@code host} binds every interface: {@code 0.0.0.0}, {@code ::} or {@code [::]}. */
  static boolean isWildcard(String host) {
    return host.equals("0.0.0.0") || host.equals("::") || host.equals("[::]") || host.equals("0:0:0:0:0:0:0:0");
  }

  /** Settings of an open network. */
  NodeOptions(String host, int port, List<HostPort> connect, String subnet, String transport, boolean leasing,
      boolean mesh, boolean json, boolean quiet, int verbosity, int maxFrameBytes, @Nullable Path data,
      boolean fsync) {
    this(host, port, connect, subnet, transport, leasing, mesh, json, quiet, verbosity, maxFrameBytes, data, fsync,
        Security.NONE);
  }

  /** Settings without a data directory. */
  NodeOptions(String host, int port, List<HostPort> connect, String subnet, String transport, boolean leasing,
      boolean mesh, boolean json, boolean quiet, int verbosity, int maxFrameBytes) {
    this(host, port, connect, subnet, transport, leasing, mesh, json, quiet, verbosity, maxFrameBytes, null, false);
  }

  /** Settings with the default frame cap. */
  NodeOptions(String host, int port, List<HostPort> connect, String subnet, String transport, boolean leasing,
      boolean mesh, boolean json, boolean quiet, int verbosity) {
    this(host, port, connect, subnet, transport, leasing, mesh, json, quiet, verbosity,
        FrameCodec.DEFAULT_MAX_FRAME_BYTES);
  }

  /** Defaults for everything: a sync node on 127.0.0.1:4444, REPL mode. */
  static NodeOptions defaults() {
    return new NodeOptions("127.0.0.1", DEFAULT_PORT, List.of(), SyncSocket.DEFAULT_SUBNET, Protocol.PLAINTEXT,
        true, false, false, false, 0);
  }

  /** The default subnet of a node kind: "sync", or "mesh" with {@code --mesh}. */
  static String defaultSubnet(boolean mesh) {
    return mesh ? "mesh" : SyncSocket.DEFAULT_SUBNET;
  }

  /** The protocol as given, before the sync socket appends its leasing digit. */
  Protocol protocol() {
    return new Protocol(subnet, transport);
  }

  /**
   * Binds a {@link MeshSocket} with these settings (for {@code --mesh}). Connects to nobody yet.
   *
   * @throws java.io.UncheckedIOException if the port cannot be bound
   * @throws IllegalArgumentException if a file of {@link #security} is missing
   * @throws org.syncmesh.store.StorageException if the identity key cannot be read
   */
  MeshSocket bindMesh() {
    MeshSocket.Builder builder = new MeshSocket.Builder().host(host).port(port).protocol(protocol())
        .maxFrameBytes(maxFrameBytes);
    applyNetwork(builder);
    security.applyTo(builder);
    return builder.build();
  }

  /**
   * Binds a {@link SyncSocket} with these settings (durable with {@link #data}). Connects to
   * nobody yet, except the peers a data directory remembers, which it redials by itself.
   *
   * @throws java.io.UncheckedIOException if the port cannot be bound
   * @throws org.syncmesh.store.StorageException if the data directory cannot be used (in use,
   *     another node's, corrupt…) or the identity key cannot be read
   * @throws IllegalArgumentException if a file of {@link #security} is missing
   */
  SyncSocket bindSync() {
    SyncSocket.Builder builder = new SyncSocket.Builder().host(host).port(port).protocol(protocol()).leasing(leasing)
        .maxFrameBytes(maxFrameBytes);
    if (data != null) {
      builder.dataDirectory(data).durability(durability());
    }
    applyNetwork(builder);
    security.applyTo(builder);
    return builder.build();
  }

  /** The advertised address and the outgoing limit, on either socket's builder. */
  private <B extends org.syncmesh.mesh.MeshOptions<B>> void applyNetwork(B builder) {
    if (outAddr != null) {
      builder.outAddress(outAddr.host(), outAddr.port());
    }
    builder.maxOutgoing(maxOutgoing);
  }

  /** What a returned write survives with {@link #data}: power loss with {@code --fsync}, else a kill. */
  Durability durability() {
    return fsync ? Durability.SYNC : Durability.PROCESS_CRASH;
  }
}
