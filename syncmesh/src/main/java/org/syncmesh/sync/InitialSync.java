package org.syncmesh.sync;

import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.syncmesh.Bytes;
import org.syncmesh.mesh.PeerInfo;
import org.syncmesh.wire.Flags;

/**
 * The payloads of one initial sync (§10.6), {@code [11, key, value, owner, timestamp]} with the
 * key as bin, made one at a time as the mesh sends them. Each entry is read again when its turn
 * comes, so a key written or deleted since the sync began goes out as it is then (or not at all);
 * keys added meanwhile reach the peer as ordinary broadcasts. Keys that would crash a js2p peer
 * are skipped for one. Not thread-safe: advanced on the protocol thread only.
 */
final class InitialSync implements Iterator<List<?>> {

  private static final Logger log = LoggerFactory.getLogger(InitialSync.class);

  private final Store store;
  private final boolean js2p;
  private final String peer;
  private final Iterator<Map.Entry<Bytes, Store.Entry>> cursor;
  private final long startNanos = System.nanoTime();
  private @Nullable List<?> next;
  private long sent;
  private long skipped;
  private boolean logged;

  /** An initial sync for {@code peer} (its id, for the log line that says it is done). */
  InitialSync(Store store, boolean js2p, String peer) {
    this.store = store;
    this.js2p = js2p;
    this.peer = peer;
    this.cursor = store.entries().iterator();
  }

  @Override
  public boolean hasNext() {
    while (next == null && cursor.hasNext()) {
      Bytes key = cursor.next().getKey();
      Store.Entry entry = store.entry(key);
      if (entry == null || entry.deleted()) {
        continue;
      }
      if (js2p && Keys.crashesJs2p(key, true, entry.value())) {
        skipped++;
        continue;
      }
      MetaTuple meta = entry.meta();
      Object owner = entry.ownerBin() ? Bytes.utf8(meta.owner()) : meta.owner();
      next = Arrays.asList(Flags.SUB_STORE, key, entry.value(), owner, meta.timestamp());
    }
    if (next == null && !logged) {
      logged = true;
      log.info("initial sync to peer {} done: {} keys sent{} in {} ms", PeerInfo.shortId(peer), sent,
          skipped == 0 ? "" : ", " + skipped + " held back (they would crash js2p)",
          (System.nanoTime() - startNanos) / 1_000_000);
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
    sent++;
    return payload;
  }
}
