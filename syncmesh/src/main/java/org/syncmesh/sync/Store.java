package org.syncmesh.sync;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.syncmesh.Bytes;
import org.syncmesh.Hlc;
import org.syncmesh.Version;
import org.syncmesh.net.OutboundFrame;
import org.syncmesh.wire.InternalMessage;

/**
 * The replicated dictionary of one node: every key's state (value or tombstone, version, owner,
 * timestamp, lease tenure, field versions of a map) and every write to it, local or remote.
 *
 * <h2>Concurrency</h2>
 * One writer: every write, local or remote, runs as a step of the node's single writer (see
 * MeshSocket, "Concurrency"), so for each write the version, the lease check, the change, the
 * broadcast and the event are one step with no lock: the order in which this node applies writes
 * is the order its broadcasts leave in and the order its listeners hear about them. Local writes
 * arrive as {@link LocalWrite}s, already validated and encoded on the caller's thread. Reads
 * ({@link #entry}, {@link #size}, {@link #entries}) may come from any thread and take no lock:
 * they read one {@link ConcurrentHashMap}, and iteration is weakly consistent.
 *
 * <h2>Convergence</h2>
 * Every write carries a {@link Version} from the node's {@link HybridClock}; a write from a js2p
 * or py2p peer gets one derived from what protocol 0.7 carries ({@link #derived}). A remote state
 * is merged with {@link Resolution#merge}, a join: every node that has received the same writes
 * holds the same state, whatever their order. A delete leaves a tombstone (a state without a
 * value), collected after the grace period; a remote write older than the newest tombstone this
 * node collected is refused for a key it does not hold, as it may be a delete's victim coming back
 * (docs/extension-v1.md §4).
 *
 * <h2>Leases</h2>
 * On leasing networks a write's tenure is judged from versions ({@link Resolution#tenure}): a
 * refused local write throws {@link LeaseException} before anything is stored or sent; a refused
 * remote write is dropped, counted and reported in the socket's status. In a secure leasing
 * network each key also keeps its tenure history ({@link History}, §8.4): every record received,
 * one per tenure (those not shown in {@link OtherRecords}), and shows the state their walk makes,
 * so a member's early takeover is refused by every node alike and kept as evidence.
 */
final class Store {

  /**
   * The state of one key. {@code value} null: a tombstone. {@code base}: the version of the last
   * store or delete (null if only deltas made the map); {@code fields}: versions of a map's fields
   * written by deltas after it (null if none); {@code epoch} and {@code claim}: the lease tenure
   * (0 and null without leasing). The owner is the writer of {@code version}; {@code timestamp}
   * is that write's time in seconds; {@code ownerBin}: the owner arrived as msgpack bin.
   */
  record Entry(@Nullable Object value, Version version, long timestamp, @Nullable Version base,
      @Nullable Map<Object, Version> fields, int epoch, @Nullable Version claim, boolean ownerBin) {

    boolean deleted() {
      return value == null;
    }

    String owner() {
      return version.writer();
    }

    MetaTuple meta() {
      return new MetaTuple(version.writer(), timestamp, version, value == null);
    }
  }

  /** What a write does besides changing the map; called from the writer's steps. */
  interface Effects {
    long nowMillis();

    /** Whether any peer speaks plain 0.7, so a local write needs its 0.7 form. */
    boolean hasPlainPeers();

    /**
     * Sends a local write: {@code ext} to syncmesh peers (null: the signer sends it, §8.3), the 0.7
     * form made by {@code plain} to the others; {@code plain} null: they hold this value already.
     */
    void publish(@Nullable OutboundFrame ext, @Nullable Supplier<OutboundFrame> plain);

    /** {@code key} now holds {@code state}'s value; {@code state.meta()} is made only if someone listens. */
    void updated(Bytes key, Entry state);

    /**
     * As {@link #updated(Bytes, Entry)}, with the key's state before ({@code previous}: null, or a
     * tombstone, when it held no value), for listeners that want the old value.
     */
    default void updated(Bytes key, @Nullable Entry previous, Entry state) {
      updated(key, state);
    }

    void deleted(Bytes key, Entry tombstone);

    /** As {@link #deleted(Bytes, Entry)}, with the value the key held before, {@code previous}. */
    default void deleted(Bytes key, Entry previous, Entry tombstone) {
      deleted(key, tombstone);
    }

    /** A remote write was refused or malformed. */
    void dropped(String why);
  }

  /**
   * Where a durable node saves each change, called from the writer's steps in the order they
   * install (docs/data-directory.md); {@link #NONE} for a node in memory only.
   */
  interface Persistence {
    /** {@code key} now holds {@code state}, proved by {@code signed} (secure networks; else null). */
    void put(Bytes key, Entry state, SignedWrites.@Nullable Proof signed);

    /**
     * As {@link #put(Bytes, Entry, SignedWrites.Proof)}, with the key's other records (a secure
     * leasing network's tenure history, {@link History}; empty elsewhere).
     */
    default void put(Bytes key, Entry state, SignedWrites.@Nullable Proof signed, List<History.Record> others) {
      put(key, state, signed);
    }

    /** {@code key}'s tombstone was collected. */
    void remove(Bytes key);

    /** A value of the node's own state (its horizon, its peers). */
    void meta(String name, byte[] value);

    Persistence NONE = new Persistence() {
      @Override
      public void put(Bytes key, Entry state, SignedWrites.@Nullable Proof signed) {}

      @Override
      public void remove(Bytes key) {}

      @Override
      public void meta(String name, byte[] value) {}
    };
  }

  static final String HORIZON = "horizon";

  /** The latest 0.7 second a derived version holds. */
  static final long MAX_DERIVED_SECONDS = Hlc.MAX_MILLIS / 1000;

  private final ConcurrentHashMap<Bytes, Entry> entries;
  private final AtomicInteger live = new AtomicInteger();
  private final String selfId;
  private final boolean leasing;
  private final Effects effects;
  private final LocalWrites writes;
  private final HybridClock clock;
  private final DigestTree tree = new DigestTree();
  private final StoreLimits limits;
  /** The newest collected tombstone's milliseconds: older writes to absent keys are refused. */
  private final AtomicLong horizon = new AtomicLong();
  /** The highest lease epoch of a collected tombstone: claims of absent keys start above it. */
  private final AtomicInteger epochFloor = new AtomicInteger();
  private volatile long lastChangeNanos = System.nanoTime();
  /** Writer ids and lease claims shared by all entries, and by the writes decoded for this store. */
  private final SharedIds ids = new SharedIds();

  private Persistence persistence = Persistence.NONE;

  /**
   * Secure networks (docs/extension-v1.md §8): what proves each key's state, sent with it by
   * anti-entropy: the signature of the store or delete that made it, or, for a map made by deltas,
   * the few signed writes that still make it (§8.5); null in an open network. Written by the
   * writer's steps, read by any thread; a proof counts only for the state it proves.
   */
  private volatile @Nullable ConcurrentHashMap<Bytes, SignedWrites.Proof> signatures;

  /**
   * Secure leasing networks (docs/extension-v1.md §8.4): per key, its records other than the
   * visible one (the visible state and its proof are in {@link #entries} and {@link #signatures}),
   * best first by tenure order; keys with one record have none here. Written by the writer's
   * steps, read by any thread.
   */
  private final OtherRecords otherRecords = new OtherRecords(tree);

  final AtomicLong refusedRemote = new AtomicLong();
  final AtomicLong droppedRemote = new AtomicLong();
  /** Secure networks: writes and entries dropped as forged, tampered, unsigned, denied or unsigned deltas. */
  final AtomicLong forgedRemote = new AtomicLong();
  /** Secure networks: signed writes ignored as older than their writer's held write (replays, late copies). */
  final AtomicLong staleRemote = new AtomicLong();
  /**
   * Secure leasing networks: early takeovers refused (§8.4), on arrival or when later evidence
   * showed the owner's lease held at their claim; also counted in refusedRemote and refusedLease.
   */
  final AtomicLong earlyTakeovers = new AtomicLong();
  // refusedRemote by reason (they sum to it): a lease, a clock too far ahead, older than the
  // forgotten deletes (the horizon), the entry limit. Counted where refusedRemote is.
  final AtomicLong refusedLease = new AtomicLong();
  final AtomicLong refusedClock = new AtomicLong();
  final AtomicLong refusedHorizon = new AtomicLong();
  final AtomicLong refusedLimit = new AtomicLong();
  /** The part of droppedRemote counted in the writer's steps (so {@link LinkDrops#attributed} can tell whose). */
  final AtomicLong malformedInSteps = new AtomicLong();
  /** Remote messages and entries not taken, per link and reason (the per-link meters). */
  final LinkDrops linkDrops = new LinkDrops();
  /** Secure networks: signed messages dropped because too many waited for their check (part of droppedRemote). */
  final AtomicLong busyRemote = new AtomicLong();
  /** Writes installed: this node's own (sent), and peers' that changed a key. For metrics; a LongAdder add each. */
  final java.util.concurrent.atomic.LongAdder localWrites = new java.util.concurrent.atomic.LongAdder();
  final java.util.concurrent.atomic.LongAdder remoteWrites = new java.util.concurrent.atomic.LongAdder();

  Store(String selfId, boolean leasing, Effects effects, LocalWrites writes, HybridClock clock, StoreLimits limits) {
    this(selfId, leasing, effects, writes, clock, limits, 0);
  }

  /** A store sized for about {@code expectedEntries} (a durable node's, before it loads them). */
  Store(String selfId, boolean leasing, Effects effects, LocalWrites writes, HybridClock clock, StoreLimits limits,
      long expectedEntries) {
    this.entries = new ConcurrentHashMap<>((int) Math.min(Math.max(16, expectedEntries + expectedEntries / 8),
        limits.maxEntries()));
    this.selfId = selfId;
    this.leasing = leasing;
    this.effects = effects;
    this.writes = writes;
    this.clock = clock;
    this.limits = limits;
  }

  /** Keeps each state's signature from now on (a secure network); before the node accepts peers. */
  void keepSignatures() {
    signatures = new ConcurrentHashMap<>();
  }

  /** Whether this store keeps signatures: a secure network's. */
  boolean keepsSignatures() {
    return signatures != null;
  }

  /** Whether this store keeps each key's tenure history (§8.4): a secure leasing network's. */
  boolean keepsHistory() {
    return leasing && signatures != null;
  }

  /** {@code key}'s records other than its visible state, best first; empty for most keys. Any thread. */
  List<History.Record> others(Bytes key) {
    return otherRecords.of(key);
  }

  /**
   * The digest anti-entropy compares for {@code key} whose visible state is {@code e}: its entry
   * digest, XOR those of its other records (§5.1), so replicas with different histories differ.
   */
  long keyDigest(Bytes key, long keyHash, Entry e) {
    return otherRecords.digest(key, keyHash, e);
  }

  /** The highest hlc among {@code key}'s records, {@code e} its visible state. */
  long maxHlc(Bytes key, Entry e) {
    return otherRecords.maxHlc(key, e);
  }

  /** Whether {@code key} holds {@code state} already, as its visible state or one of its records. Any thread. */
  boolean holds(Bytes key, Entry state) {
    return state.equals(entries.get(key)) || otherRecords.contains(key, state);
  }

  /** The proof of {@code e}, {@code key}'s state, if this node holds it; any thread. */
  SignedWrites.@Nullable Proof proof(Bytes key, Entry e) {
    ConcurrentHashMap<Bytes, SignedWrites.Proof> sigs = signatures;
    SignedWrites.Proof p = sigs == null ? null : sigs.get(key);
    if (p instanceof SignedWrites.Signed s) {
      return e.fields() == null && s.version().equals(e.version()) ? s : null;
    }
    if (p instanceof SignedWrites.Writes ws) {
      return ws.equals(SignedWrites.proofOf(e, ws.writes())) ? ws : null; // these writes cover exactly e's
    }
    return null;
  }

  /** The signature of {@code e}, {@code key}'s state, when a store or delete made it; any thread. */
  SignedWrites.@Nullable Signed signature(Bytes key, Entry e) {
    return proof(key, e) instanceof SignedWrites.Signed s ? s : null;
  }

  /**
   * The proof of {@code next}, the state {@code key} moves to from {@code current} by a write or
   * entry {@code incoming} proved by {@code incomingProof}: the signature that came with it, for a
   * store's state; for a map made by deltas, the writes that still contribute among those proving
   * {@code current} and {@code incoming}; null if they do not (then anti-entropy leaves it out).
   */
  private SignedWrites.@Nullable Proof proofFor(Bytes key, @Nullable Entry current, Entry next, Entry incoming,
      SignedWrites.@Nullable Proof incomingProof) {
    if (next.fields() == null) {
      return incomingProof instanceof SignedWrites.Signed s && s.version().equals(next.version()) ? s : null;
    }
    List<SignedWrites.Write> candidates = new ArrayList<>();
    if (current != null) {
      addWrites(candidates, current, proof(key, current));
    }
    addWrites(candidates, incoming, incomingProof);
    return SignedWrites.proofOf(next, candidates);
  }

  private static void addWrites(List<SignedWrites.Write> to, Entry state, SignedWrites.@Nullable Proof p) {
    if (p instanceof SignedWrites.Signed s && state.fields() == null) {
      to.add(SignedWrites.Write.of(state, s));
    } else if (p instanceof SignedWrites.Writes ws) {
      to.addAll(ws.writes());
    }
  }

  /** Records (or, with null, forgets) the proof of the state {@code key} is about to hold. */
  private void signed(Bytes key, SignedWrites.@Nullable Proof signed) {
    ConcurrentHashMap<Bytes, SignedWrites.Proof> sigs = signatures;
    if (sigs != null) {
      if (signed == null) {
        sigs.remove(key);
      } else {
        sigs.put(key, signed);
      }
    }
  }

  /** Saves every change from now on to {@code p}; before the node accepts peers. */
  void persistTo(Persistence p) {
    this.persistence = p;
  }

  // ---------------------------------------------------------------- a durable node's start

  /**
   * Holds {@code state} at {@code key} as read from disk, with the signature saved with it (a
   * secure network's): no event, nothing sent or saved.
   */
  void load(Bytes key, Entry state, SignedWrites.@Nullable Proof signed) {
    load(key, state, signed, List.of());
  }

  /** As {@link #load(Bytes, Entry, SignedWrites.Proof)}, with the key's other records (§8.4) saved with it. */
  void load(Bytes key, Entry state, SignedWrites.@Nullable Proof signed, List<History.Record> others) {
    otherRecords.replace(key, others);
    for (History.Record r : others) {
      clock.restore(r.state().version().hlc());
    }
    Entry shared = intern(state);
    if (signed instanceof SignedWrites.Signed s) {
      signed(key, new SignedWrites.Signed(shared.version(), s.publicKey(), s.signature()));
    } else if (signed != null) {
      signed(key, signed);
    }
    Entry previous = entries.put(key, shared);
    if (previous == null && !shared.deleted()) {
      live.incrementAndGet();
    }
    tree.replace(key, previous, shared);
    clock.restore(shared.version().hlc());
  }

  /** The horizon and epoch floor saved with {@link #HORIZON}, as {@link #horizonRecord} wrote them. */
  void restoreHorizon(byte[] record) {
    java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(record);
    horizon.accumulateAndGet(b.getLong(), Math::max);
    epochFloor.accumulateAndGet(b.getInt(), Math::max);
  }

  private byte[] horizonRecord() {
    return java.nio.ByteBuffer.allocate(12).putLong(horizon.get()).putInt(epochFloor.get()).array();
  }

  // ---------------------------------------------------------------- reads (any thread, no lock)

  /** The key's state, tombstones included. */
  @Nullable Entry entry(Bytes key) {
    return entries.get(key);
  }

  /** The key's state if it holds a value; null if absent or deleted. */
  @Nullable Entry live(Bytes key) {
    Entry e = entries.get(key);
    return e == null || e.deleted() ? null : e;
  }

  /** Keys holding a value. */
  int size() {
    return live.get();
  }

  /** Tombstones held. */
  int tombstones() {
    return entries.size() - live.get();
  }

  /** A weakly consistent live view of every state, tombstones included. */
  Iterable<Map.Entry<Bytes, Entry>> entries() {
    return entries.entrySet();
  }

  DigestTree tree() {
    return tree;
  }

  boolean leasing() {
    return leasing;
  }

  long horizonMillis() {
    return horizon.get();
  }

  HybridClock clock() {
    return clock;
  }

  // ---------------------------------------------------------------- local writes (the writer's steps)

  /**
   * The version and tenure a local write to {@code key} would get if it entered the node now; any
   * thread (it reads the clock and the key's state as they are; the write's step checks both).
   */
  LocalWrites.Guess guess(Bytes key) {
    long hlc = clock.peekNext();
    Version v = new Version(hlc, selfId);
    Resolution.Tenure t = Resolution.tenure(entries.get(key), v, Hlc.millis(hlc) / 1000, leasing, epochFloor.get(),
        keepsHistory());
    return new LocalWrites.Guess(v, t == null ? Resolution.Tenure.NONE : t);
  }

  /** Stores a write's value, or deletes when it is null; returns the previous live entry, if any. */
  @Nullable Entry store(LocalWrite write) {
    Entry current = entries.get(write.key());
    if (write.value() == null && (current == null || current.deleted())) {
      return null; // nothing to delete: nothing is sent
    }
    Stamp stamp = stamp(write, current);
    Resolution.Tenure tenure = requireLease(write.key(), current, stamp);
    commit(write, stamp, tenure, current);
    return current == null || current.deleted() ? null : current;
  }

  /** Stores every write, or none if one of them is refused. */
  void storeAll(List<LocalWrite> all) {
    List<Stamp> stamps = new ArrayList<>(all.size());
    List<Resolution.Tenure> tenures = new ArrayList<>(all.size());
    for (LocalWrite w : all) {
      Stamp stamp = stamp(w, entries.get(w.key()));
      tenures.add(requireLease(w.key(), entries.get(w.key()), stamp));
      stamps.add(stamp);
    }
    requireRoom(all.stream().filter(w -> !entries.containsKey(w.key())).count());
    for (int i = 0; i < all.size(); i++) {
      LocalWrite w = all.get(i);
      Entry current = entries.get(w.key());
      if (w.value() != null || (current != null && !current.deleted())) {
        commit(w, stamps.get(i), tenures.get(i), current);
      }
    }
  }

  /** Deletes the first key this node may delete and returns it with its value; null when empty. */
  Map.@Nullable Entry<Bytes, Object> popAny() {
    LeaseException first = null;
    for (Map.Entry<Bytes, Entry> e : entries.entrySet()) {
      if (e.getValue().deleted()) {
        continue;
      }
      try {
        Entry removed = store(writes.store(e.getKey(), null));
        if (removed != null) {
          return Map.entry(e.getKey(), removed.value());
        }
      } catch (LeaseException refused) {
        first = first == null ? refused : first;
      }
    }
    if (first != null) {
      throw first;
    }
    return null;
  }

  /**
   * Merges a delta into the map at its key (an empty map when absent) and returns the merged map.
   *
   * @throws IllegalArgumentException if the key holds a non-map, or the merged map would not fit
   *     an initial sync
   * @throws LeaseException if another node holds the key
   */
  Map<Object, Object> delta(LocalWrite write) {
    Bytes key = write.key();
    Entry current = entries.get(key);
    if (current != null && !current.deleted() && !(current.value() instanceof Map)) {
      throw new IllegalArgumentException("cannot apply a delta to key " + Keys.render(key)
          + ": it holds a " + current.value().getClass().getSimpleName() + " (expected: a map or no value)");
    }
    Stamp stamp = stamp(write, null);
    Resolution.Tenure tenure = requireLease(key, current, stamp);
    Entry incoming = deltaEntry((Map<?, ?>) write.value(), stamp.version, stamp.seconds, tenure, false);
    Entry next = current == null ? incoming : Resolution.merge(current, incoming, leasing);
    @SuppressWarnings("unchecked")
    Map<Object, Object> merged = (Map<Object, Object>) next.value();
    writes.requireFits(key, merged);
    if (current == null) {
      requireRoom(1);
    }
    commitPlain(stamp);
    SignedWrites.Write pending = writes.pending(write, stamp.version, stamp.seconds, tenure);
    if (pending != null && keepsHistory()) { // its tenure's record takes it (§8.4)
      settle(key, current, new History.Record(incoming, new SignedWrites.Writes(List.of(pending))));
    } else {
      if (pending != null) { // a secure network: the delta joins the map's proof, signed soon (§8.3, §8.5)
        signed(key, proofFor(key, current, next, incoming, new SignedWrites.Writes(List.of(pending))));
      }
      install(key, current, next);
    }
    send(write, stamp, tenure, pending);
    return merged;
  }

  private void commit(LocalWrite write, Stamp stamp, Resolution.Tenure tenure, @Nullable Entry current) {
    if (current == null) {
      requireRoom(1);
    }
    commitPlain(stamp);
    Version v = stamp.version;
    SignedWrites.Write pending = writes.pending(write, v, stamp.seconds, tenure);
    Entry next = new Entry(write.value(), v, stamp.seconds, v, null, tenure.epoch(),
        ids.claim(tenure.claim()), false);
    if (pending != null && keepsHistory()) { // its tenure's record takes it (§8.4)
      settle(write.key(), current, new History.Record(next,
          new SignedWrites.Signed(v, pending.publicKey(), pending.signature())));
    } else {
      if (pending != null) { // a secure network: its proof waits for the signer (§8.3)
        signed(write.key(), new SignedWrites.Signed(v, pending.publicKey(), pending.signature()));
      }
      install(write.key(), current, next);
    }
    send(write, stamp, tenure, pending);
  }

  /**
   * Sends an installed local write: in an open network its versioned broadcast now; in a secure
   * one ({@code pending} not null) the signer sends it once signed, with the others of its batch.
   */
  private void send(LocalWrite write, Stamp stamp, Resolution.Tenure tenure, SignedWrites.@Nullable Write pending) {
    localWrites.increment();
    if (pending == null) {
      publish(writes.frame(write, stamp.version, stamp.seconds, tenure), stamp);
    } else {
      writes.signLater(write.key(), pending);
      publish(null, stamp);
    }
  }

  /**
   * Puts the signatures the signer made in place of the pending ones of the proofs they belong to,
   * and saves them with their states; a write whose state was replaced meanwhile is skipped (the
   * state that replaced it has its own proof). A writer's step.
   */
  void signaturesMade(List<SignedWrites.KeyedWrite> signed) {
    ConcurrentHashMap<Bytes, SignedWrites.Proof> sigs = signatures;
    if (sigs == null) {
      return;
    }
    for (SignedWrites.KeyedWrite w : signed) {
      boolean changed = otherRecords.sign(w);
      SignedWrites.Proof p = sigs.get(w.key());
      SignedWrites.Proof withSignature = p == null ? null : SignedWrites.withSignature(p, w.write());
      if (withSignature != p) {
        sigs.put(w.key(), withSignature);
        changed = true;
      }
      Entry state = entries.get(w.key());
      if (changed && state != null) {
        persist(w.key(), state);
      }
    }
  }

  /**
   * The writes of this node whose signature was pending when a durable node stopped: the signer
   * signs them again at start (§8.3). Any thread, before the node accepts peers.
   */
  List<SignedWrites.KeyedWrite> pendingSignatures() {
    ConcurrentHashMap<Bytes, SignedWrites.Proof> sigs = signatures;
    List<SignedWrites.KeyedWrite> out = new ArrayList<>();
    if (sigs == null) {
      return out;
    }
    for (Map.Entry<Bytes, SignedWrites.Proof> e : sigs.entrySet()) {
      Entry state = entries.get(e.getKey());
      if (state != null && SignedWrites.pending(e.getValue())) {
        for (SignedWrites.Write w : SignedWrites.pendingWrites(state, e.getValue())) {
          if (w.version().writer().equals(selfId)) {
            out.add(new SignedWrites.KeyedWrite(e.getKey(), w));
          }
        }
      }
    }
    otherRecords.pendingWrites(selfId, out);
    return out;
  }

  private void publish(@Nullable OutboundFrame ext, Stamp stamp) {
    InternalMessage plain = stamp.plain;
    effects.publish(ext, plain == null ? null : () -> writes.frame(plain));
  }

  private void commitPlain(Stamp stamp) {
    if (stamp.plain != null) {
      writes.outbox().commit(stamp.plain);
    }
  }

  /**
   * A local write's version, its time in seconds (the version's second), and its 0.7 form for
   * js2p and py2p peers at that second: the same message every syncmesh node that passes the write
   * on makes (§3.3), and one whose derived version (§2.5) is below the version.
   *
   * <p>0.7 ids have no room for anything but the second, so writing a key back to a value it held
   * earlier in the same second (a, b, a) would give the third write the first one's id, and 0.7
   * peers would drop it as a duplicate. Then the version moves to the next second, and the 0.7
   * form with it; but at most 2 s ahead of the physical clock, so that rewrites many times a
   * second cannot drag the clock away (past that, 0.7 peers miss the flip; syncmesh peers never
   * do). Writing the value a key already holds needs no 0.7 form at all: {@code plain} is null.
   */
  private record Stamp(Version version, long seconds, @Nullable InternalMessage plain) {}

  /** The most a version may be moved ahead of the physical clock to keep a 0.7 id unique. */
  private static final long MAX_PLAIN_LEAD_SECONDS = 2;

  private Stamp stamp(LocalWrite write, @Nullable Entry current) {
    Version version = clock.tickAt(write.guess());
    long seconds = Hlc.millis(version.hlc()) / 1000;
    if (!effects.hasPlainPeers()) {
      return new Stamp(version, seconds, null);
    }
    InternalMessage plain = writes.plain(write, seconds);
    if (!writes.outbox().accepts(plain, seconds)) {
      boolean unchanged = current != null && !current.deleted() && current.owner().equals(selfId)
          && !write.delta() && Objects.equals(current.value(), write.value());
      long lead = seconds + 1 - Math.floorDiv(effects.nowMillis(), 1000);
      if (unchanged || lead > MAX_PLAIN_LEAD_SECONDS) {
        return new Stamp(version, seconds, null);
      }
      version = clock.tickAtLeast(Hlc.of((seconds + 1) * 1000, 0));
      seconds = Hlc.millis(version.hlc()) / 1000;
      plain = writes.plain(write, seconds);
    }
    return new Stamp(version, seconds, plain);
  }

  private Resolution.Tenure requireLease(Bytes key, @Nullable Entry current, Stamp stamp) {
    Resolution.Tenure tenure = Resolution.tenure(current, stamp.version, stamp.seconds, leasing, epochFloor.get(),
        keepsHistory());
    if (tenure == null) {
      throw new LeaseException(key, current.meta(), leaseEndSeconds(current), leasing);
    }
    return tenure;
  }

  private void requireRoom(long newKeys) {
    if (newKeys > 0 && entries.size() + newKeys > limits.maxEntries()) {
      throw new IllegalStateException("the dictionary holds " + entries.size() + " keys and tombstones, its limit ("
          + limits.maxEntries() + "); delete keys or raise maxEntries");
    }
  }

  /** The last second, inclusive, in which {@code e}'s lease holds. */
  static long leaseEndSeconds(Entry e) {
    return e.timestamp() + LeasePolicy.LEASE_SECONDS;
  }

  // ---------------------------------------------------------------- remote writes (the writer's steps)

  /**
   * Merges a peer's state of {@code key}: a versioned write or an anti-entropy entry from a
   * syncmesh peer, or a 0.7 write given its derived version.
   */
  boolean applyRemote(Bytes key, Entry incoming, String from, String kind) {
    return applyRemote(key, incoming, null, from, kind);
  }

  /**
   * As {@link #applyRemote(Bytes, Entry, String, String)}, with the signature that came with the
   * state (a secure network, verified before); returns whether the key's state changed.
   */
  boolean applyRemote(Bytes key, Entry incoming, SignedWrites.@Nullable Proof signed, String from, String kind) {
    try {
      clock.observe(incoming.version());
    } catch (ClockDriftException e) {
      refusedRemote.incrementAndGet();
      refusedClock.incrementAndGet();
      effects.dropped("refused " + kind + " of key " + Keys.render(key) + " from " + from + ": " + e.getMessage());
      return false;
    }
    Entry current = entries.get(key);
    Entry next;
    if (current == null) {
      long horizonMillis = horizon.get();
      if (Hlc.millis(incoming.version().hlc()) <= horizonMillis) {
        refusedRemote.incrementAndGet();
        refusedHorizon.incrementAndGet();
        effects.dropped("refused " + kind + " of key " + Keys.render(key) + " from " + from + " at "
            + incoming.version() + ": older than the deletes this node has already forgotten (up to "
            + Instant.ofEpochMilli(horizonMillis) + "), so it may be a deleted key coming back");
        return false;
      }
      if (entries.size() >= limits.maxEntries()) {
        refusedRemote.incrementAndGet();
        refusedLimit.incrementAndGet();
        effects.dropped("refused " + kind + " of new key " + Keys.render(key) + " from " + from
            + ": this node holds its limit of " + limits.maxEntries() + " keys and tombstones");
        return false;
      }
      // A key this node does not hold has no history either: the incoming state is its only record.
      next = intern(incoming);
    } else if (keepsHistory() && (Resolution.compareTenure(current, incoming) != 0 || !others(key).isEmpty())) {
      return applyRecord(key, current, intern(incoming), signed, from, kind);
    } else {
      // Without leasing, or (secure leasing networks) a write of the shown tenure to a key with no
      // other record: its one record merges as the history would merge it (History.add), cheaply.
      next = Resolution.merge(current, incoming, leasing);
      if (next == incoming) {
        next = intern(incoming);
      }
      if (next == current) {
        if (Resolution.losesTenure(current, incoming, leasing) && !current.owner().equals(incoming.owner())) {
          refusedRemote.incrementAndGet();
          refusedLease.incrementAndGet();
          effects.dropped("refused " + kind + " of key " + Keys.render(key) + " from " + from + " as "
              + incoming.owner() + " (lease epoch " + incoming.epoch() + "): owned by " + current.owner()
              + " in epoch " + current.epoch() + ", leased until "
              + Instant.ofEpochSecond(leaseEndSeconds(current)));
        } else if (signatures != null) {
          reportIfStale(key, current, incoming, from, kind);
        }
        return false;
      }
    }
    if (signatures != null) {
      signed(key, proofFor(key, current, next, incoming, signed));
    }
    install(key, current, next);
    remoteWrites.increment();
    return true;
  }

  /**
   * Secure networks (§8): counts and reports a signed write that changed nothing because its writer
   * wrote the key since (a replay or a late copy).
   */
  private void reportIfStale(Bytes key, Entry current, Entry incoming, String from, String kind) {
    if ("write".equals(kind) && incoming.owner().equals(current.owner())
        && incoming.version().compareTo(current.version()) < 0) {
      staleRemote.incrementAndGet();
      effects.dropped("ignored write of key " + Keys.render(key) + " from " + from + " by " + incoming.owner()
          + " at " + incoming.version() + ": older than its own write at " + current.version()
          + " (a replay or a late copy); not relayed");
    }
  }

  /**
   * Secure leasing networks (§8.4): merges a peer's signed state into the record of its tenure and
   * shows what the history's walk makes visible. A state that changes only the history (evidence,
   * or an early takeover kept as such) still counts as a change: it is saved, digested and relayed.
   * An early takeover, refused on arrival or once evidence shows the lease it took was live, is
   * counted and reported.
   */
  private boolean applyRecord(Bytes key, @Nullable Entry current, Entry incoming,
      SignedWrites.@Nullable Proof signed, String from, String kind) {
    History.Walk walk = settle(key, current, new History.Record(incoming, signed));
    if (walk == null) {
      if (current != null) {
        reportIfStale(key, current, incoming, from, kind);
      }
      return false;
    }
    remoteWrites.increment();
    Entry visible = walk.visible().state();
    History.Refused refused = walk.refusalOf(incoming);
    if (refused != null) {
      refusedTakeover(key, refused, kind + " from " + from);
    } else if (Resolution.compareTenure(visible, incoming) > 0 && !visible.owner().equals(incoming.owner())) {
      refusedRemote.incrementAndGet();
      refusedLease.incrementAndGet();
      effects.dropped("refused " + kind + " of key " + Keys.render(key) + " from " + from + " as "
          + incoming.owner() + " (lease epoch " + incoming.epoch() + "): owned by " + visible.owner()
          + " in epoch " + visible.epoch() + ", leased until " + Instant.ofEpochSecond(leaseEndSeconds(visible))
          + " (kept as evidence, not shown)");
    }
    if (current != null && Resolution.compareTenure(current, incoming) != 0) {
      History.Refused killed = walk.refusalOf(current);
      if (killed != null) { // shown until this evidence came
        refusedTakeover(key, killed, "shown until " + kind + " from " + from + " showed the lease live");
      }
    }
    return true;
  }

  private void refusedTakeover(Bytes key, History.Refused r, String how) {
    refusedRemote.incrementAndGet();
    refusedLease.incrementAndGet();
    earlyTakeovers.incrementAndGet();
    Entry taker = r.taker().state();
    Entry holder = r.holder().state();
    long until = holder.deleted() ? holder.timestamp() - 1 : leaseEndSeconds(holder);
    effects.dropped("refused takeover of key " + Keys.render(key) + " by " + History.claimant(taker) + ": the lease of "
        + holder.owner() + " holds until " + Instant.ofEpochSecond(until) + ", and it claimed epoch " + taker.epoch()
        + " at " + Instant.ofEpochSecond(History.claimSecond(taker)) + " (" + how + "; kept as evidence, not shown)");
  }

  /**
   * Secure leasing networks (§8.4): merges {@code incoming} into {@code key}'s records, makes the
   * visible state their walk's, and installs what changed (a change of the history alone is saved
   * and digested, without an event). The walk, or null if the records did not change.
   */
  private History.@Nullable Walk settle(Bytes key, @Nullable Entry current, History.Record incoming) {
    List<History.Record> before = records(key, current);
    List<History.Record> after = History.add(before, incoming);
    if (after == before) {
      return null;
    }
    History.Walk walk = History.walk(after);
    List<History.Record> others = new ArrayList<>(after.size());
    for (History.Record r : after) {
      if (r != walk.visible()) {
        others.add(r);
      }
    }
    otherRecords.replace(key, others);
    Entry next = walk.visible().state();
    signed(key, walk.visible().proof());
    if (next.equals(current)) { // the history alone changed
      lastChangeNanos = System.nanoTime();
      persist(key, current);
    } else {
      install(key, current, next);
    }
    return walk;
  }

  /** {@code key}'s records, best first: its visible state {@code current} (if any) among the others. */
  private List<History.Record> records(Bytes key, @Nullable Entry current) {
    return current == null ? List.of() : otherRecords.withVisible(key, new History.Record(current, proof(key, current)));
  }

  /**
   * {@code e} with its writer id and claim shared with the other entries (see {@link SharedIds}): its
   * version, base and claim, which name that writer; field versions are left as they came. A write
   * decoded with {@link #ids()} comes back as it is.
   */
  private Entry intern(Entry e) {
    String writer = e.version().writer();
    String shared = ids.writer(writer);
    Version claim = ids.claim(e.claim());
    if (shared == writer && claim == e.claim()) {
      return e;
    }
    Version v = shared == writer ? e.version() : new Version(e.version().hlc(), shared);
    Version base = e.base() == null ? null : e.base().equals(e.version()) ? v : e.base();
    return new Entry(e.value(), v, e.timestamp(), base, e.fields(), e.epoch(), claim, e.ownerBin());
  }

  /** What writes decoded for this store share their writer ids and claims through; thread-safe. */
  SharedIds ids() {
    return ids;
  }

  /**
   * A peer's 0.7 store or delete: 3-packet ({@code dump} false, meta from the message header) or
   * 5-packet initial sync ({@code dump} true, meta as claimed, §10.6). Versioned by
   * {@link #derived}; on leasing networks its tenure is judged as a local write's would be.
   */
  void remoteStore(Bytes key, @Nullable Object value, MetaTuple meta, boolean ownerBin, boolean dump, String from) {
    Entry current = entries.get(key);
    if (value == null && (current == null || current.deleted())) {
      return; // deleting what we do not hold (py2p would drop the link here)
    }
    Version v = derivedOrDrop(meta, key, value, from);
    if (v == null) {
      return;
    }
    Resolution.Tenure tenure = remoteTenure(key, current, v, meta.timestamp(), dump ? null : "store", from);
    if (tenure != null) {
      applyRemote(key, new Entry(value, v, meta.timestamp(), v, null, tenure.epoch(), tenure.claim(), ownerBin), from,
          dump ? "0.7 initial-sync store" : "0.7 store");
    }
  }

  /** A peer's 0.7 delta (§10.5): merged into a map; dropped on a non-map, as 0.7 peers do. */
  void remoteDelta(Bytes key, Map<?, ?> delta, MetaTuple meta, boolean ownerBin, String from) {
    Entry current = entries.get(key);
    if (current != null && !current.deleted() && !(current.value() instanceof Map)) {
      droppedRemote.incrementAndGet();
      malformedInSteps.incrementAndGet();
      effects.dropped("dropped delta of key " + Keys.render(key) + " from " + from + ": the key holds a "
          + current.value().getClass().getSimpleName() + ", not a map");
      return;
    }
    Version v = derivedOrDrop(meta, key, delta, from);
    if (v == null) {
      return;
    }
    Resolution.Tenure tenure = remoteTenure(key, current, v, meta.timestamp(), "delta", from);
    if (tenure != null) {
      applyRemote(key, deltaEntry(delta, v, meta.timestamp(), tenure, ownerBin), from, "0.7 delta");
    }
  }

  /** The tenure of a 0.7 write, or null if a lease refuses it; reported unless {@code kind} is null (a dump). */
  private Resolution.@Nullable Tenure remoteTenure(Bytes key, @Nullable Entry current, Version v, long seconds,
      @Nullable String kind, String from) {
    Resolution.Tenure tenure = Resolution.tenure(current, v, seconds, leasing, epochFloor.get());
    if (tenure == null && kind != null) {
      refusedRemote.incrementAndGet();
      refusedLease.incrementAndGet();
      effects.dropped("refused remote " + kind + " of key " + Keys.render(key) + " from " + from + " as "
          + v.writer() + " at " + Instant.ofEpochSecond(seconds) + ": owned by " + current.owner()
          + " since " + current.meta().time() + ", leased until " + Instant.ofEpochSecond(leaseEndSeconds(current)));
    }
    return tenure;
  }

  private @Nullable Version derivedOrDrop(MetaTuple meta, Bytes key, @Nullable Object value, String from) {
    try {
      return derived(meta.timestamp(), meta.owner(), key, value);
    } catch (IllegalArgumentException e) {
      droppedRemote.incrementAndGet();
      malformedInSteps.incrementAndGet();
      effects.dropped("dropped sync message from " + from + ": its owner id cannot name a version (" + e.getMessage() + ")");
      return null;
    }
  }

  /**
   * The version of a write that arrived by protocol 0.7, which carries only whole seconds and an
   * owner: the millisecond before that second, a counter from the key and the value, and the owner
   * (docs/extension-v1.md §2.5). Every syncmesh node derives the same from the same write, whether
   * it arrived as a store or in an initial sync, and it is below every version a syncmesh node
   * gives a write it stamps with that second, so the versioned copy of a syncmesh write wins over
   * its 0.7 copy.
   *
   * @throws IllegalArgumentException if {@code owner} is no valid version writer
   */
  static Version derived(long seconds, String owner, Bytes key, @Nullable Object value) {
    long s = Math.max(0, Math.min(seconds, MAX_DERIVED_SECONDS));
    long millis = Math.max(0, s * 1000 - 1);
    int counter = (int) (DigestTree.mix(key.hashCode() * 0x9e3779b97f4a7c15L + Objects.hashCode(value)) & Hlc.MAX_COUNTER);
    return new Version(Hlc.of(millis, counter), owner);
  }

  /** The state a delta alone makes: its fields, each at {@code version}, over no base. */
  static Entry deltaEntry(Map<?, ?> delta, Version version, long seconds, Resolution.Tenure tenure, boolean ownerBin) {
    Map<Object, Object> value = new LinkedHashMap<>(delta);
    Map<Object, Version> fields = new LinkedHashMap<>();
    for (Object f : delta.keySet()) {
      fields.put(f, version);
    }
    return new Entry(Collections.unmodifiableMap(value), version, seconds, null, Collections.unmodifiableMap(fields),
        tenure.epoch(), tenure.claim(), ownerBin);
  }

  // ---------------------------------------------------------------- tombstones and anti-entropy (the writer's steps)

  /**
   * Forgets tombstones whose version is more than {@code graceMillis} older than now, and raises
   * the horizon below which writes to absent keys are refused. Returns how many were collected.
   */
  int collectTombstones(long graceMillis) {
    long before = effects.nowMillis() - graceMillis;
    int collected = 0;
    long newest = 0;
    for (Map.Entry<Bytes, Entry> e : entries.entrySet()) {
      Entry state = e.getValue();
      long millis = Hlc.millis(state.version().hlc());
      // With a history (§8.4), only once every record is that old too: a newer one would come back
      // from a peer above the horizon, alone, and show.
      if (state.deleted() && millis < before && Hlc.millis(maxHlc(e.getKey(), state)) < before
          && entries.remove(e.getKey(), state)) {
        tree.replace(e.getKey(), state, null);
        signed(e.getKey(), null);
        for (History.Record r : others(e.getKey())) {
          millis = Math.max(millis, Hlc.millis(r.state().version().hlc()));
          epochFloor.accumulateAndGet(r.state().epoch(), Math::max);
        }
        otherRecords.replace(e.getKey(), List.of());
        newest = Math.max(newest, millis);
        epochFloor.accumulateAndGet(state.epoch(), Math::max);
        persistence.remove(e.getKey());
        collected++;
      }
    }
    horizon.accumulateAndGet(newest, Math::max);
    if (collected > 0) {
      persistence.meta(HORIZON, horizonRecord());
    }
    return collected;
  }

  /**
   * Deletes {@code key} if it is still in state {@code expected}: a peer that does not hold it has
   * forgotten deletes up to a horizon above its version, so it may be a deleted key, and every
   * node must end without it. The delete is a tombstone at the entry's own version, which beats
   * the value it deletes (§4.1) and no newer write, reaches the peers that still hold that value,
   * and is collected at once, being older than the grace. Reported, with a delete event.
   */
  void dropForgotten(Bytes key, Entry expected, String peer, long peerHorizonMillis) {
    if (entries.get(key) != expected || expected.deleted()) {
      return;
    }
    Version top = expected.version();
    signed(key, null); // a tombstone nobody signed: collected at once, being older than the grace
    otherRecords.replace(key, List.of()); // the key goes whole, its history (§8.4) with it: the peer holds none of it
    install(key, expected, new Entry(null, top, expected.timestamp(), top, null, expected.epoch(), expected.claim(),
        expected.ownerBin()));
    effects.dropped("dropped key " + Keys.render(key) + " written at " + top + ": peer " + peer
        + " does not hold it and has forgotten deletes up to " + Instant.ofEpochMilli(peerHorizonMillis)
        + ", so it may have been deleted (a write older than the tombstone grace period that never reached the network is lost)");
  }

  // ---------------------------------------------------------------- shared

  /** When the last change was installed, on the monotonic clock (nanoseconds); any thread. */
  long lastChangeNanos() {
    return lastChangeNanos;
  }

  private void persist(Bytes key, Entry state) {
    if (persistence != Persistence.NONE) { // its proof and other records are looked up for a store only
      persistence.put(key, state, signatures == null ? null : proof(key, state), others(key));
    }
  }

  private void install(Bytes key, @Nullable Entry current, Entry next) {
    lastChangeNanos = System.nanoTime();
    entries.put(key, next);
    tree.replace(key, current, next);
    persist(key, next);
    boolean wasLive = current != null && !current.deleted();
    if (next.deleted()) {
      if (wasLive) {
        live.decrementAndGet();
        effects.deleted(key, current, next);
      }
    } else {
      if (!wasLive) {
        live.incrementAndGet();
      }
      effects.updated(key, current, next);
    }
  }
}
