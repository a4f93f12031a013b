package org.syncmesh.sync;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.syncmesh.Bytes;
import org.syncmesh.Hlc;
import org.syncmesh.Version;
import org.syncmesh.wire.Flags;
import org.syncmesh.wire.InternalMessage;
import org.syncmesh.wire.MessageShapeException;
import org.syncmesh.wire.Packets;
import org.syncmesh.wire.Versions;

/**
 * The messages of syncmesh extension v1 (docs/extension-v1.md §3, §5): their encoding, and a
 * strict decoding that throws {@link MessageShapeException} for anything but the documented
 * shapes, so a peer's bad message costs that message only.
 *
 * <pre>
 * write    [0x20, key, value|nil, hlc, epoch, claim]         broadcast; sender = writer, time = second
 * delta    [0x21, key, map, hlc, epoch, claim]
 * tree     [0x22, 1, round, level, horizon, count, now, parents(bin u16…), digests(bin u64…)]
 * rows     [0x22, 2, round, reply, horizon, buckets(bin u16…), rows(bin 28 B each)]
 * entries  [0x22, 3, round, [entry…]]
 * done     [0x22, 4, round, inSync, now]
 * send-all [0x22, 5, round, horizon]
 * entry    [key, value|nil, hlc, writer, timestamp, base, epoch, claim, fields|nil]
 * </pre>
 *
 * Stateless; thread-safe.
 */
final class ExtMessages {

  static final int TREE = 1;
  static final int ROWS = 2;
  static final int ENTRIES = 3;
  static final int DONE = 4;
  static final int SEND_ALL = 5;

  /** Bytes of one row: key hash, entry digest, hlc (u64 each), then epoch with the has-fields bit on top (u32). */
  static final int ROW_BYTES = 28;
  private static final int HAS_FIELDS = 0x8000_0000;

  private ExtMessages() {}

  // ---------------------------------------------------------------- writes

  static InternalMessage write(String writer, long seconds, int sub, Bytes key, @Nullable Object value, long hlc,
      int epoch, @Nullable Version claim) {
    return InternalMessage.create(Flags.MAIN_BROADCAST, writer, seconds,
        Arrays.asList(sub, key, value, hlc, (long) epoch, claim == null ? 0L : claim.hlc()));
  }

  /** A key and the state a write gives it. */
  record KeyState(Bytes key, Store.Entry entry) {}

  // ---------------------------------------------------------------- signed forms (secure networks, §8)

  /** A key's state and the proof that came with it (null: none). */
  record SignedState(KeyState state, SignedWrites.@Nullable Proof signed) {}

  /** An entries message of a secure network: each entry with its signature. */
  record SignedEntries(long round, List<SignedState> entries) {}

  /** {@link #write} with the writer's public key and signature as two more packets (§8). */
  static InternalMessage signedWrite(String writer, long seconds, int sub, Bytes key, @Nullable Object value, long hlc,
      int epoch, @Nullable Version claim, SignedWrites.Signed signed) {
    return InternalMessage.create(Flags.MAIN_BROADCAST, writer, seconds, Arrays.asList(sub, key, value, hlc,
        (long) epoch, claim == null ? 0L : claim.hlc(), signed.publicKey(), signed.signature()));
  }

  /**
   * Reads a versioned write of a secure network: 8 packets, the last two its public key and
   * signature; one of 6 (unsigned) is read with a null signature, for the caller to refuse.
   */
  static SignedState readSignedWrite(String sender, long seconds, List<@Nullable Object> p) {
    if (p.size() == 6) {
      return new SignedState(readWrite(sender, seconds, p), null);
    }
    if (p.size() != 8) {
      throw new MessageShapeException("a signed versioned write has 8 packets, not " + p.size());
    }
    KeyState state = readWrite(sender, seconds, p.subList(0, 6));
    SignedWrites.Signed signed = signature(state.entry().version(), p.get(6), p.get(7));
    if (integer(p.get(0), "sub-flag") == Flags.SUB_SM_DELTA) { // a delta's state is proved by the delta (§8.5)
      Store.Entry e = state.entry();
      return new SignedState(state, new SignedWrites.Writes(List.of(new SignedWrites.Write(Flags.SUB_SM_DELTA,
          p.get(2), e.version(), e.timestamp(), e.epoch(), e.claim() == null ? 0L : e.claim().hlc(),
          signed.publicKey(), signed.signature()))));
    }
    return new SignedState(state, signed);
  }

  /**
   * An entry of a secure network: {@link #entry} with its public key and signature, or nil and nil
   * (11 elements); for a map made by deltas, nil, nil and the writes that make it (12, §8.5).
   */
  static List<@Nullable Object> entry(Bytes key, Store.Entry e, SignedWrites.@Nullable Proof signed) {
    List<@Nullable Object> out = new ArrayList<>(entry(key, e));
    if (signed instanceof SignedWrites.Writes ws) {
      out.add(null);
      out.add(null);
      out.add(writes(ws));
      return out;
    }
    SignedWrites.Signed s = (SignedWrites.Signed) signed;
    out.add(s == null ? null : s.publicKey());
    out.add(s == null ? null : s.signature());
    return out;
  }

  /** The writes of a proof: an array of {@code [sub, value, hlc, writer, timestamp, epoch, claimHlc, publicKey, signature]}. */
  static List<Object> writes(SignedWrites.Writes ws) {
    List<Object> out = new ArrayList<>(ws.writes().size());
    for (SignedWrites.Write w : ws.writes()) {
      out.add(Arrays.asList((long) w.sub(), w.value(), w.version().hlc(), w.version().writer(), w.timestamp(),
          (long) w.epoch(), w.claimHlc(), w.publicKey(), w.signature()));
    }
    return out;
  }

  /** Reads {@link #writes}; at most {@link #MAX_PROOF_WRITES}. */
  static SignedWrites.Writes readWrites(@Nullable Object packet) {
    if (!(packet instanceof List<?> list) || list.isEmpty() || list.size() > MAX_PROOF_WRITES) {
      throw new MessageShapeException("writes are an array of 1 to " + MAX_PROOF_WRITES + ", not "
          + Packets.describe(packet));
    }
    List<SignedWrites.Write> out = new ArrayList<>(list.size());
    for (Object o : list) {
      if (!(o instanceof List<?> w) || w.size() != 9) {
        throw new MessageShapeException("a write is an array of 9, not " + Packets.describe(o));
      }
      long sub = integer(w.get(0), "sub-flag");
      if (sub != Flags.SUB_SM_WRITE && sub != Flags.SUB_SM_DELTA) {
        throw new MessageShapeException("a write has sub-flag 0x20 or 0x21, not " + sub);
      }
      if (sub == Flags.SUB_SM_DELTA && !(w.get(1) instanceof Map)) {
        throw new MessageShapeException("a delta needs a map, not " + Packets.describe(w.get(1)));
      }
      Version v = version(hlc(w.get(2), "hlc"), writer(w.get(3)));
      long timestamp = integer(w.get(4), "timestamp");
      int epoch = epoch(w.get(5));
      long claimHlc = hlc(w.get(6), "claim");
      SignedWrites.Signed s = signature(v, w.get(7), w.get(8));
      out.add(new SignedWrites.Write((int) sub, w.get(1), v, timestamp, epoch, claimHlc, s.publicKey(), s.signature()));
    }
    return new SignedWrites.Writes(List.copyOf(out));
  }

  /** The most writes one proof may carry: a map's fields and its base (a receiver also bounds it by the fields). */
  static final int MAX_PROOF_WRITES = 65_536;

  /** As {@link #readSync(List, SharedIds)}; with {@code signed} entries are read as a secure network's (§8). */
  static Object readSync(List<@Nullable Object> p, boolean signed, SharedIds ids) {
    if (!signed || p.size() < 3 || !(p.get(1) instanceof Long kind) || kind != ENTRIES) {
      return readSync(p, ids);
    }
    size(p, 4, "entries");
    if (!(p.get(3) instanceof List<?> list)) {
      throw new MessageShapeException("entries: expected an array, not " + Packets.describe(p.get(3)));
    }
    List<SignedState> out = new ArrayList<>(list.size());
    for (Object e : list) {
      if (!(e instanceof List<?> fields) || (fields.size() != 11 && fields.size() != 12)) {
        throw new MessageShapeException("a signed entry is an array of 11 or 12, not " + Packets.describe(e));
      }
      KeyState state = readEntry(fields.subList(0, 9), ids);
      Object publicKey = fields.get(9);
      Object signature = fields.get(10);
      if (fields.size() == 12) {
        if (publicKey != null || signature != null) {
          throw new MessageShapeException("an entry with writes has nil public key and signature");
        }
        out.add(new SignedState(state, readWrites(fields.get(11))));
        continue;
      }
      out.add(new SignedState(state, publicKey == null && signature == null ? null
          : signature(state.entry().version(), publicKey, signature)));
    }
    return new SignedEntries(integer(p.get(2), "round"), out);
  }

  private static SignedWrites.Signed signature(Version version, @Nullable Object publicKey, @Nullable Object signature) {
    if (!(publicKey instanceof Bytes pk) || !(signature instanceof Bytes sig)) {
      throw new MessageShapeException("a public key and a signature are bin, not " + Packets.describe(publicKey)
          + " and " + Packets.describe(signature));
    }
    return new SignedWrites.Signed(version, pk, sig);
  }

  /**
   * Reads a versioned write or delta broadcast by {@code sender} at {@code seconds}, which must be
   * the version's second (docs/extension-v1.md §3.1).
   */
  static KeyState readWrite(String sender, long seconds, List<@Nullable Object> p) {
    return readWrite(sender, seconds, p, SharedIds.NONE);
  }

  /** As {@link #readWrite(String, long, List)}, its writer id and claim shared through {@code ids}. */
  static KeyState readWrite(String sender, long seconds, List<@Nullable Object> p, SharedIds ids) {
    if (p.size() != 6) {
      throw new MessageShapeException("a versioned write has 6 packets, not " + p.size());
    }
    long sub = integer(p.get(0), "sub-flag");
    if (sub != Flags.SUB_SM_WRITE && sub != Flags.SUB_SM_DELTA) {
      throw new MessageShapeException("a versioned write has sub-flag 0x20 or 0x21, not " + sub);
    }
    Bytes key = key(p.get(1));
    String writer = ids.writer(sender);
    Version version = version(hlc(p.get(3), "hlc"), writer);
    if (seconds != Hlc.millis(version.hlc()) / 1000) {
      throw new MessageShapeException("a versioned write is sent at its version's second, "
          + Hlc.millis(version.hlc()) / 1000 + ", not " + seconds);
    }
    int epoch = epoch(p.get(4));
    long claimHlc = hlc(p.get(5), "claim");
    Version claim = claim(claimHlc, writer, ids);
    Resolution.Tenure tenure = new Resolution.Tenure(epoch, claim);
    if (sub == Flags.SUB_SM_DELTA) {
      if (!(p.get(2) instanceof Map<?, ?> delta)) {
        throw new MessageShapeException("a versioned delta needs a map, not " + Packets.describe(p.get(2)));
      }
      return new KeyState(key, Store.deltaEntry(delta, version, seconds, tenure, false));
    }
    return new KeyState(key, new Store.Entry(p.get(2), version, seconds, version, null, epoch, claim, false));
  }

  // ---------------------------------------------------------------- anti-entropy

  record Tree(long round, int level, long horizon, long count, long now, int[] parents, long[] digests) {}

  record Rows(long round, boolean reply, long horizon, int[] buckets, byte[] rows) {}

  record Entries(long round, List<KeyState> entries) {}

  record Done(long round, boolean inSync, long now) {}

  record SendAll(long round, long horizon) {}

  static List<Object> tree(Tree t) {
    ByteBuffer parents = ByteBuffer.allocate(t.parents().length * 2);
    for (int p : t.parents()) {
      parents.putShort((short) p);
    }
    ByteBuffer digests = ByteBuffer.allocate(t.digests().length * 8);
    for (long d : t.digests()) {
      digests.putLong(d);
    }
    return Arrays.asList(Flags.SUB_SM_SYNC, TREE, t.round(), t.level(), t.horizon(), t.count(), t.now(),
        Bytes.wrapOwned(parents.array()), Bytes.wrapOwned(digests.array()));
  }

  static List<Object> rows(Rows r) {
    ByteBuffer buckets = ByteBuffer.allocate(r.buckets().length * 2);
    for (int b : r.buckets()) {
      buckets.putShort((short) b);
    }
    return Arrays.asList(Flags.SUB_SM_SYNC, ROWS, r.round(), r.reply(), r.horizon(), Bytes.wrapOwned(buckets.array()),
        Bytes.wrapOwned(r.rows()));
  }

  static void putRow(ByteBuffer rows, long keyHash, Store.Entry e) {
    putRow(rows, keyHash, DigestTree.entryDigest(keyHash, e), e);
  }

  /** A row with the key's {@code digest}: its entry's, or with a tenure history (§8.4) the XOR of its records'. */
  static void putRow(ByteBuffer rows, long keyHash, long digest, Store.Entry e) {
    rows.putLong(keyHash).putLong(digest).putLong(e.version().hlc())
        .putInt(e.epoch() | (e.fields() != null ? HAS_FIELDS : 0));
  }

  static List<Object> entries(long round, List<Object> encodedEntries) {
    return Arrays.asList(Flags.SUB_SM_SYNC, ENTRIES, round, encodedEntries);
  }

  static List<Object> done(long round, boolean inSync, long now) {
    return Arrays.asList(Flags.SUB_SM_SYNC, DONE, round, inSync, now);
  }

  static List<Object> sendAll(long round, long horizon) {
    return Arrays.asList(Flags.SUB_SM_SYNC, SEND_ALL, round, horizon);
  }

  /** One entry as anti-entropy sends it. */
  static List<@Nullable Object> entry(Bytes key, Store.Entry e) {
    Version v = e.version();
    Object base = e.base() == null ? Boolean.FALSE : e.base().equals(v) ? null : e.base().toPacket();
    List<Object> fields = null;
    if (e.fields() != null) {
      fields = new ArrayList<>(e.fields().size() * 3);
      for (Map.Entry<Object, Version> f : e.fields().entrySet()) {
        fields.add(f.getKey());
        fields.add(f.getValue().hlc());
        fields.add(f.getValue().writer());
      }
    }
    return Arrays.asList(key, e.value(), v.hlc(), v.writer(), e.timestamp(), base, (long) e.epoch(),
        e.claim() == null ? 0L : e.claim().hlc(), fields);
  }

  /** Reads any anti-entropy message: a {@link Tree}, {@link Rows}, {@link Entries}, {@link Done} or {@link SendAll}. */
  static Object readSync(List<@Nullable Object> p) {
    return readSync(p, SharedIds.NONE);
  }

  /** As {@link #readSync(List)}, the entries' writer ids and claims shared through {@code ids}. */
  static Object readSync(List<@Nullable Object> p, SharedIds ids) {
    if (p.size() < 3) {
      throw new MessageShapeException("an anti-entropy message has a kind and a round");
    }
    long kind = integer(p.get(1), "kind");
    long round = integer(p.get(2), "round");
    if (kind < TREE || kind > SEND_ALL) {
      throw new MessageShapeException("unknown anti-entropy kind " + kind); // not (int) kind: 2^32 + 1 is no tree
    }
    switch ((int) kind) {
      case TREE -> {
        size(p, 9, "tree");
        int level = (int) range(p.get(3), 0, DigestTree.LEVELS - 1, "level");
        byte[] parentBytes = bin(p.get(7), "parents");
        byte[] digestBytes = bin(p.get(8), "digests");
        if (parentBytes.length % 2 != 0 || digestBytes.length != parentBytes.length / 2 * DigestTree.FAN_OUT * 8) {
          throw new MessageShapeException("tree: " + parentBytes.length / 2 + " parents need "
              + parentBytes.length / 2 * DigestTree.FAN_OUT + " digests");
        }
        int nodes = 1 << (4 * level);
        int[] parents = new int[parentBytes.length / 2];
        ByteBuffer pb = ByteBuffer.wrap(parentBytes);
        for (int i = 0; i < parents.length; i++) {
          parents[i] = Short.toUnsignedInt(pb.getShort());
          if (parents[i] >= nodes) {
            throw new MessageShapeException("tree: no node " + parents[i] + " at level " + level);
          }
        }
        long[] digests = new long[digestBytes.length / 8];
        ByteBuffer db = ByteBuffer.wrap(digestBytes);
        for (int i = 0; i < digests.length; i++) {
          digests[i] = db.getLong();
        }
        return new Tree(round, level, integer(p.get(4), "horizon"), integer(p.get(5), "count"),
            integer(p.get(6), "now"), parents, digests);
      }
      case ROWS -> {
        size(p, 7, "rows");
        if (!(p.get(3) instanceof Boolean reply)) {
          throw new MessageShapeException("rows: reply must be a bool, not " + Packets.describe(p.get(3)));
        }
        byte[] bucketBytes = bin(p.get(5), "buckets");
        byte[] rows = bin(p.get(6), "rows");
        if (bucketBytes.length % 2 != 0 || rows.length % ROW_BYTES != 0) {
          throw new MessageShapeException("rows: buckets are u16 and rows " + ROW_BYTES + " bytes each");
        }
        int[] buckets = new int[bucketBytes.length / 2];
        ByteBuffer bb = ByteBuffer.wrap(bucketBytes);
        for (int i = 0; i < buckets.length; i++) {
          buckets[i] = Short.toUnsignedInt(bb.getShort());
          if (buckets[i] >= DigestTree.BUCKETS) {
            throw new MessageShapeException("rows: no bucket " + buckets[i]);
          }
        }
        return new Rows(round, reply, integer(p.get(4), "horizon"), buckets, rows);
      }
      case ENTRIES -> {
        size(p, 4, "entries");
        if (!(p.get(3) instanceof List<?> list)) {
          throw new MessageShapeException("entries: expected an array, not " + Packets.describe(p.get(3)));
        }
        List<KeyState> out = new ArrayList<>(list.size());
        for (Object e : list) {
          out.add(readEntry(e, ids));
        }
        return new Entries(round, out);
      }
      case DONE -> {
        size(p, 5, "done");
        if (!(p.get(3) instanceof Boolean inSync)) {
          throw new MessageShapeException("done: in-sync must be a bool, not " + Packets.describe(p.get(3)));
        }
        return new Done(round, inSync, integer(p.get(4), "now"));
      }
      case SEND_ALL -> {
        size(p, 4, "send-all");
        return new SendAll(round, integer(p.get(3), "horizon"));
      }
      default -> throw new MessageShapeException("unknown anti-entropy kind " + kind);
    }
  }

  static KeyState readEntry(@Nullable Object packet) {
    return readEntry(packet, SharedIds.NONE);
  }

  /** As {@link #readEntry(Object)}, its writer ids and claim shared through {@code ids}. */
  static KeyState readEntry(@Nullable Object packet, SharedIds ids) {
    if (!(packet instanceof List<?> e) || e.size() != 9) {
      throw new MessageShapeException("an entry is an array of 9, not " + Packets.describe(packet));
    }
    Bytes key = key(e.get(0));
    Object value = e.get(1);
    Version version = version(hlc(e.get(2), "hlc"), ids.writer(writer(e.get(3))));
    long timestamp = integer(e.get(4), "timestamp");
    Object b = e.get(5);
    Version base;
    if (b == null) {
      base = version;
    } else if (Boolean.FALSE.equals(b)) {
      base = null;
    } else {
      base = Versions.fromPacket(b);
      if (base.compareTo(version) > 0) {
        throw new MessageShapeException("entry: base " + base + " after version " + version);
      }
    }
    int epoch = epoch(e.get(6));
    long claimHlc = hlc(e.get(7), "claim");
    Version claim = claim(claimHlc, version.writer(), ids);
    Map<Object, Version> fields = null;
    if (e.get(8) != null) {
      if (!(e.get(8) instanceof List<?> f) || f.size() % 3 != 0 || f.isEmpty()) {
        throw new MessageShapeException("entry: fields are [field, hlc, writer]…, not " + Packets.describe(e.get(8)));
      }
      if (!(value instanceof Map<?, ?> map)) {
        throw new MessageShapeException("entry: fields need a map value, not " + Packets.describe(value));
      }
      Map<Object, Version> fv = new LinkedHashMap<>();
      for (int i = 0; i < f.size(); i += 3) {
        Object field = f.get(i);
        if (field == null || !map.containsKey(field)) {
          throw new MessageShapeException("entry: field " + Packets.describe(field) + " is not in the map");
        }
        Version v = version(hlc(f.get(i + 1), "field hlc"), ids.writer(writer(f.get(i + 2))));
        if (v.compareTo(version) > 0 || (base != null && v.compareTo(base) <= 0)) {
          throw new MessageShapeException("entry: field version " + v + " outside (" + base + ", " + version + "]");
        }
        fv.put(field, v);
      }
      fields = Collections.unmodifiableMap(fv);
    }
    if (value == null && fields != null) {
      throw new MessageShapeException("entry: a tombstone has no fields");
    }
    return new KeyState(key, new Store.Entry(value, version, timestamp, base, fields, epoch, claim, false));
  }

  // ---------------------------------------------------------------- checks

  private static void size(List<?> p, int n, String what) {
    if (p.size() != n) {
      throw new MessageShapeException(what + ": expected " + n + " packets, got " + p.size());
    }
  }

  private static Bytes key(@Nullable Object k) {
    Bytes key = Keys.fromWire(k);
    if (key == null) {
      throw new MessageShapeException("a key is str or bin, not " + Packets.describe(k));
    }
    return key;
  }

  private static long integer(@Nullable Object v, String what) {
    if (!(v instanceof Long l) || l < 0) {
      throw new MessageShapeException(what + ": expected an integer >= 0, got " + Packets.describe(v));
    }
    return l;
  }

  private static long range(@Nullable Object v, long min, long max, String what) {
    long l = integer(v, what);
    if (l < min || l > max) {
      throw new MessageShapeException(what + ": expected " + min + " to " + max + ", got " + l);
    }
    return l;
  }

  private static long hlc(@Nullable Object v, String what) {
    return integer(v, what);
  }

  private static int epoch(@Nullable Object v) {
    return (int) range(v, 0, Integer.MAX_VALUE, "epoch");
  }

  private static String writer(@Nullable Object w) {
    if (!(w instanceof String s)) {
      throw new MessageShapeException("a writer id is a str, not " + Packets.describe(w));
    }
    return s;
  }

  /** The version {@code [hlc, writer]}; a writer of 0 or more than 255 UTF-8 bytes is a shape error, not an argument error. */
  private static Version version(long hlc, String writer) {
    try {
      return new Version(hlc, writer);
    } catch (IllegalArgumentException e) {
      throw new MessageShapeException("a version's " + e.getMessage(), e);
    }
  }

  /** The claim {@code [hlc, writer]}, shared; null for 0. A writer already checked by {@link #version}. */
  private static @Nullable Version claim(long hlc, String writer, SharedIds ids) {
    try {
      return ids.claim(hlc, writer);
    } catch (IllegalArgumentException e) {
      throw new MessageShapeException("a version's " + e.getMessage(), e);
    }
  }

  private static byte[] bin(@Nullable Object v, String what) {
    if (!(v instanceof Bytes b)) {
      throw new MessageShapeException(what + ": expected bin, got " + Packets.describe(v));
    }
    return b.toByteArray();
  }
}
