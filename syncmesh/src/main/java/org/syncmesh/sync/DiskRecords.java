package org.syncmesh.sync;

import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.syncmesh.Bytes;
import org.syncmesh.store.StorageException;
import org.syncmesh.wire.Packets;
import org.syncmesh.wire.WireFormatException;

/**
 * A key's state as a durable node stores it (docs/data-directory.md §3): the anti-entropy entry of
 * docs/extension-v1.md §5 (key included, so a record read under another key is caught), whether
 * the owner id arrived as msgpack bin, and, in a secure network, the public key and signature of
 * the write that made the state (§8). Stateless.
 */
final class DiskRecords {
  private DiskRecords() {}

  /** A record read back: the state and, if saved with it, its signature, and its other records (§8.4). */
  record Loaded(Store.Entry entry, SignedWrites.@Nullable Proof signed, List<History.Record> others) {
    Loaded(Store.Entry entry, SignedWrites.@Nullable Proof signed) {
      this(entry, signed, List.of());
    }
  }

  /**
   * The record: 10 elements (the entry and ownerBin); 12 with the public key and signature of the
   * store or delete that made the state; 13 for a map made by deltas, nil, nil and its writes
   * (docs/data-directory.md §3, docs/extension-v1.md §8.5).
   */
  static byte[] encode(Bytes key, Store.Entry e, SignedWrites.@Nullable Proof signed) {
    return Packets.encode(record(key, e, signed));
  }

  /**
   * As {@link #encode(Bytes, Store.Entry, SignedWrites.Proof)}, with the key's other records (a
   * secure leasing network's tenure history, docs/extension-v1.md §8.4): with none, the same
   * bytes; else an array of 14: the entry and ownerBin, public key and signature (or nil, nil),
   * writes (or nil), then the other records, each an array of 10, 12 or 13 as above.
   */
  static byte[] encode(Bytes key, Store.Entry e, SignedWrites.@Nullable Proof signed, List<History.Record> others) {
    if (others.isEmpty()) {
      return encode(key, e, signed);
    }
    List<@Nullable Object> record = new ArrayList<>(ExtMessages.entry(key, e));
    record.add(e.ownerBin());
    record.add(signed instanceof SignedWrites.Signed s ? s.publicKey() : null);
    record.add(signed instanceof SignedWrites.Signed s ? s.signature() : null);
    record.add(signed instanceof SignedWrites.Writes ws ? ExtMessages.writes(ws) : null);
    List<Object> history = new ArrayList<>(others.size());
    for (History.Record r : others) {
      history.add(record(key, r.state(), r.proof()));
    }
    record.add(history);
    return Packets.encode(record);
  }

  private static List<@Nullable Object> record(Bytes key, Store.Entry e, SignedWrites.@Nullable Proof signed) {
    List<@Nullable Object> record = new ArrayList<>(ExtMessages.entry(key, e));
    record.add(e.ownerBin());
    if (signed instanceof SignedWrites.Signed s) {
      record.add(s.publicKey());
      record.add(s.signature());
    } else if (signed instanceof SignedWrites.Writes ws) {
      record.add(null);
      record.add(null);
      record.add(ExtMessages.writes(ws));
    }
    return record;
  }

  /**
   * The state stored under {@code key}.
   *
   * @throws StorageException if the record is not one this build wrote, or names another key
   */
  static Loaded decode(byte[] key, byte[] record, String where) {
    Object decoded;
    try {
      decoded = Packets.decode(record);
    } catch (WireFormatException | IllegalArgumentException e) {
      throw corrupt(key, where, e.getMessage());
    }
    if (decoded instanceof List<?> list && list.size() == 14) {
      return decodeWithHistory(key, list, where);
    }
    return decode(key, decoded, where);
  }

  /** A record of 14: the visible state as a record of 10, 12 or 13, then the other records (§8.4). */
  private static Loaded decodeWithHistory(byte[] key, List<?> list, String where) {
    if (!(list.get(13) instanceof List<?> history) || history.isEmpty()) {
      throw corrupt(key, where, "a record of 14 without a list of other records (1 or more) as its last element");
    }
    List<Object> visible;
    if (list.get(12) != null) {
      visible = new ArrayList<>(list.subList(0, 13));
    } else if (list.get(10) != null || list.get(11) != null) {
      visible = new ArrayList<>(list.subList(0, 12));
    } else {
      visible = new ArrayList<>(list.subList(0, 10));
    }
    Loaded top = decode(key, visible, where);
    List<History.Record> others = new ArrayList<>(history.size());
    for (Object r : history) {
      Loaded other = decode(key, r, where + ", one of its other records");
      others.add(new History.Record(other.entry(), other.signed()));
    }
    return new Loaded(top.entry(), top.signed(), List.copyOf(others));
  }

  private static Loaded decode(byte[] key, @Nullable Object decoded, String where) {
    if (!(decoded instanceof List<?> list) || (list.size() != 10 && list.size() != 12 && list.size() != 13)
        || !(list.get(9) instanceof Boolean ownerBin)) {
      throw corrupt(key, where, "not an array of 10, 12, 13 or 14 with a boolean tenth");
    }
    ExtMessages.KeyState state;
    try {
      state = ExtMessages.readEntry(list.subList(0, 9));
    } catch (RuntimeException e) {
      throw corrupt(key, where, e.getMessage());
    }
    if (!state.key().equals(Bytes.wrapOwned(key))) {
      throw corrupt(key, where, "it holds key " + Keys.render(state.key()));
    }
    Store.Entry s = state.entry();
    Store.Entry entry = ownerBin ? new Store.Entry(s.value(), s.version(), s.timestamp(), s.base(), s.fields(),
        s.epoch(), s.claim(), true) : s;
    SignedWrites.Proof signed = null;
    if (list.size() == 13) {
      if (list.get(10) != null || list.get(11) != null) {
        throw corrupt(key, where, "a record with writes has nil public key and signature");
      }
      try {
        signed = ExtMessages.readWrites(list.get(12));
      } catch (RuntimeException e) {
        throw corrupt(key, where, e.getMessage());
      }
    } else if (list.size() == 12) {
      if (!(list.get(10) instanceof Bytes publicKey) || !(list.get(11) instanceof Bytes signature)) {
        throw corrupt(key, where, "its public key and signature are not bin");
      }
      signed = new SignedWrites.Signed(s.version(), publicKey, signature);
    }
    return new Loaded(entry, signed);
  }

  private static StorageException corrupt(byte[] key, String where, @Nullable String why) {
    return new StorageException("the record of key " + Keys.render(Bytes.wrapOwned(key)) + " in " + where
        + " is corrupt (" + why + "): the data directory is damaged; restore it from a backup, or move it away "
        + "and start this node empty to get the network's copy");
  }
}
