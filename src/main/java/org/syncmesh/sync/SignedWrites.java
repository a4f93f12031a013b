package org.syncmesh.sync;

import java.util.Arrays;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;
import org.syncmesh.wire.Bytes;
import org.syncmesh.wire.Flags;
import org.syncmesh.wire.NodeId;
import org.syncmesh.wire.NodeIdentity;
import org.syncmesh.wire.Packets;
import org.syncmesh.wire.Version;

/**
 * Signed writes in a secure network (docs/extension-v1.md §8): every versioned store or delete
 * carries its writer's Ed25519 public key and signature over a canonical msgpack array, and
 * every node checks both, off the I/O thread, before it applies or relays the write, or takes it
 * as an anti-entropy entry.
 *
 * <pre>
 * signed = ["syncmesh-write-v1", protocolId, sub, key(bin), value|nil, hlc, writer, timestamp, epoch, claimHlc]
 * </pre>
 *
 * Thread-safe.
 */
final class SignedWrites {

  /** The first element of every signed array: a signature made for anything else never verifies here. */
  static final String DOMAIN = "syncmesh-write-v1";

  /** A write's public key and signature, and the version they sign. */
  record Signed(Version version, Bytes publicKey, Bytes signature) {}

  private final NodeIdentity identity;
  private final String protocolId;
  private final Predicate<String> denied;

  SignedWrites(NodeIdentity identity, String protocolId, Predicate<String> denied) {
    this.identity = identity;
    this.protocolId = protocolId;
    this.denied = denied;
  }

  String protocolId() {
    return protocolId;
  }

  /** The bytes a write's signature covers (§8). */
  static byte[] canonical(String protocolId, int sub, Bytes key, @Nullable Object value, long hlc, String writer,
      long timestamp, int epoch, long claimHlc) {
    return Packets.encode(Arrays.asList(DOMAIN, protocolId, (long) sub, key, value, hlc, writer, timestamp,
        (long) epoch, claimHlc));
  }

  /** Signs a store or delete by this node; the caller's thread. */
  Signed sign(Bytes key, @Nullable Object value, Version version, long timestamp, Resolution.Tenure tenure) {
    byte[] message = canonical(protocolId, Flags.SUB_SM_WRITE, key, value, version.hlc(), version.writer(), timestamp,
        tenure.epoch(), tenure.claim() == null ? 0L : tenure.claim().hlc());
    return new Signed(version, Bytes.wrapOwned(identity.publicKey()), Bytes.wrapOwned(identity.sign(message)));
  }

  /**
   * Why the state {@code e} of {@code key} with {@code signed} must be refused, or null if it is a
   * store or delete its writer signed and the writer is not denied. Any thread (the verifiers').
   */
  @Nullable String refusal(Bytes key, Store.Entry e, @Nullable Signed signed) {
    String writer = e.version().writer();
    if (denied.test(writer)) {
      return "its writer " + writer + " is denied";
    }
    if (signed == null) {
      return "it is unsigned";
    }
    if (e.fields() != null || e.base() == null || !e.base().equals(e.version())) {
      return "deltas are not signed yet in secure networks";
    }
    byte[] publicKey = signed.publicKey().toByteArray();
    if (publicKey.length != NodeIdentity.PUBLIC_KEY_BYTES || !NodeId.fromPublicKey(publicKey).equals(writer)) {
      return "its public key does not name its writer " + writer;
    }
    if (e.claim() != null && !e.claim().writer().equals(writer)) {
      return "its claim names another writer";
    }
    byte[] message = canonical(protocolId, Flags.SUB_SM_WRITE, key, e.value(), e.version().hlc(), writer,
        e.timestamp(), e.epoch(), e.claim() == null ? 0L : e.claim().hlc());
    if (!NodeIdentity.verify(publicKey, message, signed.signature().toByteArray())) {
      return "its signature is not valid";
    }
    return null;
  }

  // ---------------------------------------------------------------- the verifiers

  private @Nullable ExecutorService verifiers;
  private boolean closed;

  /**
   * This node's verifiers: daemon threads, one per core, made at the first check and stopped by
   * {@link #close}; null once closed. Any thread.
   */
  synchronized @Nullable ExecutorService verifiers() {
    if (verifiers == null && !closed) {
      int n = Math.max(1, Runtime.getRuntime().availableProcessors());
      AtomicInteger count = new AtomicInteger();
      verifiers = new ThreadPoolExecutor(n, n, 0, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
        Thread t = new Thread(r, "syncmesh-verifier-" + identity.id().substring(0, 6) + "-" + count.incrementAndGet());
        t.setDaemon(true);
        return t;
      });
    }
    return closed ? null : verifiers;
  }

  /** Stops the verifiers; checks still waiting are dropped. Idempotent. */
  synchronized void close() {
    closed = true;
    if (verifiers != null) {
      verifiers.shutdownNow();
    }
  }
}
