package org.syncmesh.sync;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.syncmesh.mesh.PeerInfo;
import org.syncmesh.store.DataDirectory;
import org.syncmesh.store.KeyValueStore.Column;
import org.syncmesh.store.StorageException;
import org.syncmesh.wire.Packets;

/**
 * A sync socket's link to its data directory (docs/data-directory.md): at start it loads every
 * entry and the node's own state into the {@link Store}; while the node runs, the store saves each
 * change through a {@link Journal}, and {@link #remember} saves the peers it knows and when it
 * last had one. Created and loaded before the node accepts peers; {@link #remember} from the
 * writer's steps; {@link #close} once, after the node has stopped.
 */
final class DurableNode implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(DurableNode.class);

  static final String PEERS = "peers";
  static final String LAST_CONTACT = "lastContact";
  /** Addresses remembered at most, the most recently linked first. */
  static final int MAX_PEERS = 64;
  /** The last contact is saved this often while the node has peers: it needs no precision. */
  static final long LAST_CONTACT_EVERY_MILLIS = 30_000;

  private final DataDirectory data;
  private final Journal journal;
  private final List<InetSocketAddress> knownPeers;
  private long lastContactMillis;
  private long savedContactMillis;
  private List<InetSocketAddress> savedPeers;

  private DurableNode(DataDirectory data, Journal journal, List<InetSocketAddress> knownPeers, long lastContactMillis) {
    this.data = data;
    this.journal = journal;
    this.knownPeers = List.copyOf(knownPeers);
    this.savedPeers = this.knownPeers;
    this.lastContactMillis = lastContactMillis;
  }

  /**
   * Loads {@code data} into {@code store} (which must be empty and not yet serving) and saves its
   * changes from now on.
   *
   * @throws StorageException if a record is corrupt or the store cannot be read; nothing is
   *     loaded partly then, as the node does not start
   */
  static DurableNode load(DataDirectory data, Store store, Durability durability, long tombstoneGraceMillis,
      long nowMillis, Consumer<String> status) {
    long start = System.nanoTime();
    String where = data.path().toString();
    List<InetSocketAddress> peers = new ArrayList<>();
    long[] lastContact = {0};
    data.store().scan(Column.META, (key, value) -> {
      String name = new String(key, java.nio.charset.StandardCharsets.US_ASCII);
      try {
        switch (name) {
          case Store.HORIZON -> store.restoreHorizon(value);
          case LAST_CONTACT -> lastContact[0] = ByteBuffer.wrap(value).getLong();
          case PEERS -> peers.addAll(decodePeers(value));
          default -> log.warn("{}: unknown node state {} ignored (written by a newer syncmesh?)", where, name);
        }
      } catch (RuntimeException e) {
        throw new StorageException("the node state " + name + " in " + where + " is corrupt (" + e
            + "): the data directory is damaged", e);
      }
    });
    ParallelLoad.run(data.store(), store, where);
    long millis = (System.nanoTime() - start) / 1_000_000;
    log.info("node {} loaded {} keys and {} tombstones from {} in {} ms{}; last contact with the network: {}",
        data.nodeId(), store.size(), store.tombstones(), where, millis,
        data.uncleanShutdown() ? " (after an unclean shutdown)" : "",
        lastContact[0] == 0 ? "never" : Instant.ofEpochMilli(lastContact[0]));
    if (lastContact[0] > 0 && nowMillis - lastContact[0] > tombstoneGraceMillis) {
      log.warn("node {} was away from the network since {}, longer than the tombstone grace ({} s): keys the network "
          + "deleted meanwhile are dropped here when a peer shows it has forgotten the deletes, with a status line "
          + "each (docs/extension-v1.md §4)", data.nodeId(), Instant.ofEpochMilli(lastContact[0]),
          tombstoneGraceMillis / 1000);
    }
    Journal journal = new Journal(data.store(), durability, where, status);
    store.persistTo(journal);
    journal.start();
    return new DurableNode(data, journal, peers, lastContact[0]);
  }

  Journal journal() {
    return journal;
  }

  DataDirectory data() {
    return data;
  }

  /** The addresses of the peers the node had when it last ran, most recent first: to redial. */
  List<InetSocketAddress> knownPeers() {
    return knownPeers;
  }

  /** When the node last had a peer, as saved; 0 if never. */
  long lastContactMillis() {
    return lastContactMillis;
  }

  /**
   * Saves the addresses of {@code linked} (before the ones remembered earlier) if that changes
   * them and, if there is any, now as the last contact (at most every
   * {@value #LAST_CONTACT_EVERY_MILLIS} ms unless {@code force}). A step of the writer.
   */
  void remember(Collection<PeerInfo> linked, long nowMillis, boolean force) {
    if (linked.isEmpty()) {
      return;
    }
    LinkedHashSet<InetSocketAddress> all = new LinkedHashSet<>();
    for (PeerInfo p : linked) {
      if (p.port() > 0) {
        all.add(InetSocketAddress.createUnresolved(p.host(), p.port()));
      }
    }
    all.addAll(savedPeers);
    List<InetSocketAddress> next = new ArrayList<>(all).subList(0, Math.min(all.size(), MAX_PEERS));
    if (!next.equals(savedPeers)) {
      savedPeers = List.copyOf(next);
      journal.meta(PEERS, encodePeers(savedPeers));
    }
    lastContactMillis = nowMillis;
    if (force || nowMillis - savedContactMillis >= LAST_CONTACT_EVERY_MILLIS) {
      savedContactMillis = nowMillis;
      journal.meta(LAST_CONTACT, ByteBuffer.allocate(8).putLong(nowMillis).array());
    }
  }

  private static byte[] encodePeers(List<InetSocketAddress> peers) {
    List<Object> flat = new ArrayList<>(peers.size() * 2);
    for (InetSocketAddress a : peers) {
      flat.add(a.getHostString());
      flat.add((long) a.getPort());
    }
    return Packets.encode(flat);
  }

  private static List<InetSocketAddress> decodePeers(byte[] value) {
    List<InetSocketAddress> out = new ArrayList<>();
    if (!(Packets.decode(value) instanceof List<?> flat) || flat.size() % 2 != 0) {
      throw new IllegalArgumentException("peers: not a list of host, port pairs");
    }
    for (int i = 0; i < flat.size(); i += 2) {
      if (!(flat.get(i) instanceof String host) || !(flat.get(i + 1) instanceof Long port) || port < 1 || port > 65535) {
        throw new IllegalArgumentException("peers: bad address at " + i / 2);
      }
      out.add(InetSocketAddress.createUnresolved(host, (int) (long) port));
    }
    return out;
  }

  /** Saves what is pending, closes the store and releases the directory. */
  @Override
  public void close() {
    try {
      journal.close();
    } finally {
      data.close();
    }
  }

  @Override
  public String toString() {
    return "DurableNode{" + data.path() + "}";
  }

}
