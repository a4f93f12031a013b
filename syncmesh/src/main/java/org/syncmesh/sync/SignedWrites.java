package org.syncmesh.sync;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;
import org.syncmesh.Bytes;
import org.syncmesh.NodeIdentity;
import org.syncmesh.Version;
import org.syncmesh.wire.Flags;
import org.syncmesh.wire.Packets;

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

  /**
   * What proves a key's state (§8): the signature of the store or delete that made it
   * ({@link Signed}), or, for a map made by deltas, the signed writes that make it ({@link Writes}).
   */
  sealed interface Proof permits Signed, Writes {}

  /**
   * A write's public key and signature (a batch signature's blob, {@link BatchSignatures}), and the
   * version they sign: proves a store's or delete's state. A {@linkplain #pending() pending} one is
   * this node's own write waiting for the signer: it proves nothing to anyone yet.
   */
  record Signed(Version version, Bytes publicKey, Bytes signature) implements Proof {
    boolean pending() {
      return signature.isEmpty();
    }
  }

  /** The signature of a write of this node that the signer has not signed yet. */
  static final Bytes PENDING = Bytes.wrapOwned(new byte[0]);

  /**
   * One signed write of a key as a proof carries it (§8.5): its sub-flag (0x20 store or delete,
   * 0x21 delta), value (the delta map for a delta), version, timestamp, tenure, public key and
   * signature.
   */
  record Write(int sub, @Nullable Object value, Version version, long timestamp, int epoch, long claimHlc,
      Bytes publicKey, Bytes signature) {

    /** The store or delete that made the state {@code e} (no fields), with its signature. */
    static Write of(Store.Entry e, Signed s) {
      return new Write(Flags.SUB_SM_WRITE, e.value(), e.version(), e.timestamp(), e.epoch(),
          e.claim() == null ? 0L : e.claim().hlc(), s.publicKey(), s.signature());
    }

    /** Whether this is a write of this node waiting for its signature. */
    boolean pending() {
      return signature.isEmpty();
    }

    Write withSignature(Bytes signature) {
      return new Write(sub, value, version, timestamp, epoch, claimHlc, publicKey, signature);
    }

    Resolution.Tenure tenure() {
      return new Resolution.Tenure(epoch, claimHlc == 0 ? null : new Version(claimHlc, version.writer()));
    }

    /** The state this write alone makes. */
    Store.Entry entry() {
      Version claim = claimHlc == 0 ? null : new Version(claimHlc, version.writer());
      if (sub == Flags.SUB_SM_DELTA) {
        return Store.deltaEntry((java.util.Map<?, ?>) value, version, timestamp, new Resolution.Tenure(epoch, claim),
            false);
      }
      return new Store.Entry(value, version, timestamp, version, null, epoch, claim, false);
    }
  }

  /**
   * The signed writes that make a map built by deltas (§8.5): its base write, the store or delete
   * it has if any, first, then each delta still giving it a field, by version.
   */
  record Writes(List<Write> writes) implements Proof {
    boolean pending() {
      for (Write w : writes) {
        if (w.pending()) {
          return true;
        }
      }
      return false;
    }
  }

  /** Whether {@code p} waits for a signature of this node, so proves nothing to peers yet. */
  static boolean pending(Proof p) {
    return p instanceof Signed s ? s.pending() : ((Writes) p).pending();
  }

  /**
   * {@code p} with {@code signed}'s signature in place of the pending one of the same write (its
   * sub-flag and version), or {@code p} itself if it has no such write.
   */
  static Proof withSignature(Proof p, Write signed) {
    if (p instanceof Signed s) {
      return s.pending() && signed.sub() == Flags.SUB_SM_WRITE && s.version().equals(signed.version())
          ? new Signed(s.version(), s.publicKey(), signed.signature()) : s;
    }
    List<Write> writes = ((Writes) p).writes();
    List<Write> out = null;
    for (int i = 0; i < writes.size(); i++) {
      Write w = writes.get(i);
      if (w.pending() && w.sub() == signed.sub() && w.version().equals(signed.version())) {
        out = out == null ? new ArrayList<>(writes) : out;
        out.set(i, w.withSignature(signed.signature()));
      }
    }
    return out == null ? p : new Writes(List.copyOf(out));
  }

  /** The pending writes of {@code p}, the state of {@code key}: what the signer must still sign. */
  static List<Write> pendingWrites(Store.Entry state, Proof p) {
    if (p instanceof Signed s) {
      return s.pending() && state.fields() == null ? List.of(Write.of(state, s)) : List.of();
    }
    List<Write> out = new ArrayList<>();
    for (Write w : ((Writes) p).writes()) {
      if (w.pending()) {
        out.add(w);
      }
    }
    return out;
  }

  /**
   * The proof of {@code state} (a map made by deltas) among {@code candidates}: those that still
   * contribute (the base write, the deltas whose version is some field's), base first, then deltas
   * by version, one per version; null if they do not cover the base and every field's version.
   */
  static @Nullable Writes proofOf(Store.Entry state, Iterable<Write> candidates) {
    java.util.Map<Object, Version> fields = state.fields();
    if (fields == null) {
      return null;
    }
    java.util.Set<Version> wanted = new java.util.HashSet<>(fields.values());
    Write base = null;
    java.util.TreeMap<Version, Write> deltas = new java.util.TreeMap<>();
    for (Write w : candidates) {
      if (w.sub() == Flags.SUB_SM_WRITE && w.version().equals(state.base())) {
        base = base == null ? w : base;
      } else if (w.sub() == Flags.SUB_SM_DELTA && wanted.contains(w.version())) {
        deltas.putIfAbsent(w.version(), w);
      }
    }
    if ((state.base() != null && base == null) || deltas.size() != wanted.size()) {
      return null;
    }
    List<Write> out = new ArrayList<>(deltas.size() + 1);
    if (base != null) {
      out.add(base);
    }
    out.addAll(deltas.values());
    return new Writes(List.copyOf(out));
  }

  /** The state {@code writes} make, merged in their order (§4.1); null for none. */
  static Store.@Nullable Entry replay(List<Write> writes, boolean leasing) {
    Store.Entry state = null;
    for (Write w : writes) {
      Store.Entry e = w.entry();
      state = state == null ? e : Resolution.merge(state, e, leasing);
    }
    return state;
  }

  private final NodeIdentity identity;
  private final String protocolId;
  private final Predicate<String> denied;
  private final boolean leasing;
  private final Bytes publicKey;

  SignedWrites(NodeIdentity identity, String protocolId, Predicate<String> denied) {
    this(identity, protocolId, denied, false);
  }

  /** {@code leasing}: the network leases keys, so states made by deltas are replayed with tenures (§4.2). */
  SignedWrites(NodeIdentity identity, String protocolId, Predicate<String> denied, boolean leasing) {
    this.identity = identity;
    this.protocolId = protocolId;
    this.denied = denied;
    this.leasing = leasing;
    this.publicKey = Bytes.wrapOwned(identity.publicKey());
    this.roots = new VerifiedRoots(protocolId);
  }

  /** This node's id, the writer of what it signs. */
  String id() {
    return identity.id();
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

  /** Signs a store or delete by this node, alone (a batch of one). */
  Signed sign(Bytes key, @Nullable Object value, Version version, long timestamp, Resolution.Tenure tenure) {
    return sign(Flags.SUB_SM_WRITE, key, value, version, timestamp, tenure);
  }

  /** Signs a store or delete ({@code sub} 0x20) or a delta (0x21, the delta map as value) by this node, alone. */
  Signed sign(int sub, Bytes key, @Nullable Object value, Version version, long timestamp, Resolution.Tenure tenure) {
    Write w = pending(sub, value, version, timestamp, tenure);
    return new Signed(version, w.publicKey(), signAll(List.of(new KeyedWrite(key, w))).get(0));
  }

  /** A write of this node at {@code key}, to be signed: its signature {@link #PENDING}. */
  record KeyedWrite(Bytes key, Write write) {}

  /** This node's write, not signed yet. */
  Write pending(int sub, @Nullable Object value, Version version, long timestamp, Resolution.Tenure tenure) {
    return new Write(sub, value, version, timestamp, tenure.epoch(), tenure.claim() == null ? 0L : tenure.claim().hlc(),
        publicKey, PENDING);
  }

  /** {@code writes} of this node signed as one batch (§8.1), in order. */
  List<KeyedWrite> signedAll(List<KeyedWrite> writes) {
    List<Bytes> signatures = signAll(writes);
    List<KeyedWrite> out = new ArrayList<>(writes.size());
    for (int i = 0; i < writes.size(); i++) {
      out.add(new KeyedWrite(writes.get(i).key(), writes.get(i).write().withSignature(signatures.get(i))));
    }
    return out;
  }

  /** Signs {@code writes} of this node as one batch (§8.1) and returns their signatures, in order. */
  List<Bytes> signAll(List<KeyedWrite> writes) {
    List<byte[]> messages = new ArrayList<>(writes.size());
    for (KeyedWrite u : writes) {
      Write w = u.write();
      messages.add(canonical(protocolId, w.sub(), u.key(), w.value(), w.version().hlc(), w.version().writer(),
          w.timestamp(), w.epoch(), w.claimHlc()));
    }
    return BatchSignatures.sign(identity, protocolId, messages);
  }

  /**
   * Why the state {@code e} of {@code key} with {@code proof} must be refused, or null if it is a
   * store or delete its writer signed, or a map made by deltas that the signed writes of
   * {@code proof} make exactly (§8.5), and no writer is denied. Any thread (the verifiers').
   */
  @Nullable String refusal(Bytes key, Store.Entry e, @Nullable Proof proof) {
    String writer = e.version().writer();
    if (denied.test(writer)) {
      return "its writer " + writer + " is denied";
    }
    if (proof == null) {
      return "it is unsigned";
    }
    if (proof instanceof Writes ws) {
      return refusal(key, e, ws);
    }
    Signed signed = (Signed) proof;
    if (e.fields() != null || e.base() == null || !e.base().equals(e.version())) {
      return "it is made by deltas but carries one signature, not the writes that make it";
    }
    if (e.claim() != null && !e.claim().writer().equals(writer)) {
      return "its claim names another writer";
    }
    return refusal(key, Write.of(e, signed));
  }

  private @Nullable String refusal(Bytes key, Store.Entry e, Writes ws) {
    List<Write> writes = ws.writes();
    if (e.fields() == null) {
      return "it is made by one store, so it carries its signature, not writes";
    }
    if (writes.isEmpty() || writes.size() > e.fields().size() + 1) {
      return "it carries " + writes.size() + " writes for " + e.fields().size() + " fields";
    }
    Writes canonical = proofOf(e, writes);
    if (canonical == null || !canonical.equals(ws)) {
      return "its writes are not exactly those that make it (its base write first, then one delta per field "
          + "version, by version)";
    }
    for (Write w : writes) {
      if (denied.test(w.version().writer())) {
        return "its write at " + w.version() + " is by " + w.version().writer() + ", who is denied";
      }
      if (w.sub() == Flags.SUB_SM_DELTA && !(w.value() instanceof java.util.Map)) {
        return "its delta at " + w.version() + " is not a map";
      }
      String why = refusal(key, w);
      if (why != null) {
        return "its write at " + w.version() + ": " + why;
      }
    }
    Store.Entry replayed = replay(writes, leasing);
    Store.Entry expected = e.ownerBin() ? new Store.Entry(e.value(), e.version(), e.timestamp(), e.base(), e.fields(),
        e.epoch(), e.claim(), false) : e;
    if (!expected.equals(replayed)) {
      return "its writes make another state"; // not the state itself: a map may be large
    }
    return null;
  }

  /** Why one write's signature does not check, or null. */
  private @Nullable String refusal(Bytes key, Write w) {
    String writer = w.version().writer();
    NodeIdentity.PublicKey publicKey = publicKey(w.publicKey());
    if (publicKey == null || !publicKey.id().equals(writer)) {
      return "its public key does not name its writer " + writer;
    }
    byte[] message = canonical(protocolId, w.sub(), key, w.value(), w.version().hlc(), writer, w.timestamp(),
        w.epoch(), w.claimHlc());
    BatchSignatures.Opened opened = BatchSignatures.open(message, w.signature().toByteArray());
    if (opened == null) {
      return "its signature is malformed (" + w.signature().size() + " bytes: not a signature, batch size, index "
          + "and path)";
    }
    if (!roots.verified(publicKey, w.publicKey(), opened)) {
      return "its signature is not valid";
    }
    return null;
  }

  /** Batch roots whose signature checked, so the other writes of a batch cost a few hashes (§8.1). */
  private final VerifiedRoots roots;

  /** Writers' keys decoded once (members are few); beyond the bound, decoded per check. */
  private final java.util.concurrent.ConcurrentHashMap<Bytes, NodeIdentity.PublicKey> keys =
      new java.util.concurrent.ConcurrentHashMap<>();
  static final int MAX_CACHED_KEYS = 4096;

  /** {@code bytes} as a public key, or null if they are not one; any thread. */
  private NodeIdentity.@Nullable PublicKey publicKey(Bytes bytes) {
    NodeIdentity.PublicKey k = keys.get(bytes);
    if (k != null) {
      return k;
    }
    try {
      k = NodeIdentity.PublicKey.of(bytes.toByteArray());
    } catch (IllegalArgumentException e) {
      return null;
    }
    if (keys.size() < MAX_CACHED_KEYS) {
      keys.putIfAbsent(bytes, k);
    }
    return k;
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
