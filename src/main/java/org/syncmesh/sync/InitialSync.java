package org.syncmesh.sync;

import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import org.jspecify.annotations.Nullable;
import org.syncmesh.wire.Bytes;
import org.syncmesh.wire.Flags;

/**
 * The payloads of one initial sync (§10.6), {@code [11, key, value, owner, timestamp]} with the
 * key as bin, made one at a time as the mesh sends them. Each entry is read again when its turn
 * comes, so a key written or deleted since the sync began goes out as it is then (or not at all);
 * keys added meanwhile reach the peer as ordinary broadcasts. Keys that would crash a js2p peer
 * are skipped for one. Not thread-safe: advanced on the protocol thread only.
 */
final class InitialSync implements Iterator<List<?>> {

  private final Store store;
  private final boolean js2p;
  private final Iterator<Map.Entry<Bytes, Store.Entry>> cursor;
  private @Nullable List<?> next;

  InitialSync(Store store, boolean js2p) {
    this.store = store;
    this.js2p = js2p;
    this.cursor = store.entries().iterator();
  }

  @Override
  public boolean hasNext() {
    while (next == null && cursor.hasNext()) {
      Bytes key = cursor.next().getKey();
      Store.Entry entry = store.entry(key);
      if (entry == null || entry.deleted() || (js2p && Keys.crashesJs2p(key, true, entry.value()))) {
        continue;
      }
      MetaTuple meta = entry.meta();
      Object owner = entry.ownerBin() ? Bytes.utf8(meta.owner()) : meta.owner();
      next = Arrays.asList(Flags.SUB_STORE, key, entry.value(), owner, meta.timestamp());
    }
    return next != null;
  }

  @Override
  public List<?> next() {
    if (!hasNext()) {
      throw new NoSuchElementException("initial sync: no more keys");
    }
    List<?> payload = next;
    next = null;
    return payload;
  }
}
