package org.syncmesh.cli;

import java.nio.file.Path;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.syncmesh.mesh.MeshSocket;
import org.syncmesh.sync.Durability;
import org.syncmesh.sync.SyncSocket;
import org.syncmesh.wire.Checks;
import org.syncmesh.wire.FrameCodec;
import org.syncmesh.wire.Protocol;

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
 */
record NodeOptions(String host, int port, List<HostPort> connect, String subnet, String transport,
    boolean leasing, boolean mesh, boolean json, boolean quiet, int verbosity, int maxFrameBytes,
    @Nullable Path data, boolean fsync) {

  /** The port a node binds when none is given, as js2p's driver does. */
  static final int DEFAULT_PORT = 4444;

  /** A peer address given as {@code HOST:PORT}. */
  record HostPort(String host, int port) {
    HostPort {
      Checks.notEmpty(host, "host");
      Checks.inRange(port, 1, 65_535, "port");
    }

    /**
     * Parses {@code HOST:PORT}; the last colon splits, so an IPv6 host needs no brackets.
     *
     * @throws IllegalArgumentException if there is no colon, no host, or the port is not 1–65535
     */
    static HostPort parse(String text) {
      int colon = text.lastIndexOf(':');
      String port = colon < 0 ? "" : text.substring(colon + 1);
      if (colon < 1 || !port.matches("[0-9]{1,5}") || Integer.parseInt(port) < 1 || Integer.parseInt(port) > 65_535) {
        throw new IllegalArgumentException("bad --connect value (want HOST:PORT, port 1-65535): " + text);
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
   */
  MeshSocket bindMesh() {
    return new MeshSocket.Builder().host(host).port(port).protocol(protocol()).maxFrameBytes(maxFrameBytes).build();
  }

  /**
   * Binds a {@link SyncSocket} with these settings (durable with {@link #data}). Connects to
   * nobody yet, except the peers a data directory remembers, which it redials by itself.
   *
   * @throws java.io.UncheckedIOException if the port cannot be bound
   * @throws org.syncmesh.store.StorageException if the data directory cannot be used (in use,
   *     another node's, corrupt…)
   */
  SyncSocket bindSync() {
    SyncSocket.Builder builder = new SyncSocket.Builder().host(host).port(port).protocol(protocol()).leasing(leasing)
        .maxFrameBytes(maxFrameBytes);
    if (data != null) {
      builder.dataDirectory(data).durability(durability());
    }
    return builder.build();
  }

  /** What a returned write survives with {@link #data}: power loss with {@code --fsync}, else a kill. */
  Durability durability() {
    return fsync ? Durability.SYNC : Durability.PROCESS_CRASH;
  }
}
