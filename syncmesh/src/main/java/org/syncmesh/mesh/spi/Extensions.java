package org.syncmesh.mesh.spi;

import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.syncmesh.mesh.MeshOptions;
import org.syncmesh.mesh.MeshSocket;
import org.syncmesh.mesh.Message;
import org.syncmesh.wire.Checks;
import org.syncmesh.wire.InternalMessage;

/**
 * The way a protocol on top of the mesh (the sync socket's dictionary) gets onto it: a
 * {@link MeshSocket} whose messages pass a {@link MeshExtension} first, and the wire form of a
 * {@link Message}. Internal, not API (this package is not exported); stateless and thread-safe.
 *
 * <p>Why an accessor: the mesh package is exported, and what is public there is API; so the
 * extension constructor of {@code MeshSocket} and {@code Message.wire()} stay package-private,
 * and {@code MeshSocket}'s static initializer hands this package an {@link Access} to them
 * (the JDK's "shared secrets" pattern). Only the mesh package may install it, once.
 */
public final class Extensions {

  /** What the mesh package grants this one; implemented in {@code MeshSocket}. */
  public interface Access {
    /** A bound socket with {@code extension}; {@code id} restores a node's id when not null. */
    MeshSocket meshSocket(MeshOptions<?> options, @Nullable String id,
        Function<MeshExtension.Node, MeshExtension> extension);

    /** The wire form of {@code message}, body bytes as they arrived. */
    InternalMessage wire(Message message);

    /** Live figures of {@code socket}'s node, for metrics. */
    Stats stats(MeshSocket socket);
  }

  /**
   * Figures of one mesh node, read live (each call reads the current value) from any thread:
   * what a metrics binder samples. Cheap: no call walks a queue or takes a lock.
   */
  public interface Stats {
    /** The routed peers and their links, as the routing table was last published. */
    java.util.Map<org.syncmesh.mesh.PeerInfo, org.syncmesh.net.Link> links();

    /** Listener events and handler calls queued, not yet run. */
    int callbacksQueued();

    /** Listener events and handler calls run since start. */
    long callbacksRun();

    /** Received messages dropped (the oldest first) because the recv queue was full. */
    long recvDropped();

    /** Failed dials and handshakes of this node, by reason. */
    org.syncmesh.net.Failures failures();
  }

  /** Live figures of {@code socket}'s node (see {@link Stats}). */
  public static Stats stats(MeshSocket socket) {
    Checks.notNull(socket, "socket");
    return access().stats(socket);
  }

  private static volatile @Nullable Access access;

  private Extensions() {}

  /**
   * Installs the mesh package's {@link Access}; called once, by {@code MeshSocket}'s static
   * initializer.
   *
   * @throws IllegalStateException if called from anywhere else, or a second time
   */
  public static synchronized void install(Access granted) {
    Checks.notNull(granted, "granted");
    // The caller check keeps anything else in the module from replacing the mesh's access.
    Class<?> caller = StackWalker.getInstance(StackWalker.Option.RETAIN_CLASS_REFERENCE).getCallerClass();
    if (caller != MeshSocket.class) {
      throw new IllegalStateException("only MeshSocket installs the extension access, not " + caller.getName());
    }
    if (access != null) {
      throw new IllegalStateException("the extension access was already installed");
    }
    access = granted;
  }

  /**
   * Binds a socket whose messages pass {@code extension} first. {@code extension} is called once,
   * before the socket accepts any connection, with the node it may use.
   *
   * @throws java.io.UncheckedIOException if the port cannot be bound
   */
  public static MeshSocket meshSocket(MeshOptions<?> options, Function<MeshExtension.Node, MeshExtension> extension) {
    Checks.notNull(options, "options");
    Checks.notNull(extension, "extension");
    return access().meshSocket(options, null, extension);
  }

  /**
   * {@link #meshSocket(MeshOptions, Function)} for a node restored with the id {@code id},
   * whatever {@code options} say (a durable sync socket's, read from its data directory).
   */
  public static MeshSocket meshSocket(MeshOptions<?> options, String id,
      Function<MeshExtension.Node, MeshExtension> extension) {
    Checks.notNull(options, "options");
    Checks.notNull(id, "id");
    Checks.notNull(extension, "extension");
    return access().meshSocket(options, id, extension);
  }

  /** The wire form of {@code message}: its body bytes as they arrived, sender's encoding, etc. */
  public static InternalMessage wire(Message message) {
    Checks.notNull(message, "message");
    return access().wire(message);
  }

  private static Access access() {
    Access granted = access;
    if (granted == null) {
      // MeshSocket installs the access when it is initialized; nothing may have loaded it yet.
      try {
        Class.forName(MeshSocket.class.getName(), true, MeshSocket.class.getClassLoader());
      } catch (ClassNotFoundException e) {
        throw new AssertionError(e);
      }
      granted = access;
    }
    if (granted == null) {
      throw new IllegalStateException("MeshSocket did not install the extension access");
    }
    return granted;
  }
}
