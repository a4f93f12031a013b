package org.syncmesh.sync;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.syncmesh.Bytes;
import org.syncmesh.store.KeyValueStore;

/**
 * Loads a durable node's records into its {@link Store}: the store is scanned on the calling
 * thread, records are decoded in batches on the other cores, and each decoded batch is loaded on
 * the calling thread, in scan order (the store is not thread-safe for loading). Decoding is most
 * of a restart's work, so a restart of 1,000,000 keys gets faster with every core.
 *
 * <p>One use: {@link #run} once, from the node's constructing thread.
 */
final class ParallelLoad {

  /** Records per decoding task. */
  static final int BATCH = 4096;

  private final Store store;
  private final String where;
  private final ExecutorService decoders;
  private final int maxInFlight;
  private final ArrayDeque<CompletableFuture<List<Decoded>>> inFlight = new ArrayDeque<>();
  private List<byte[]> keys = new ArrayList<>(BATCH);
  private List<byte[]> values = new ArrayList<>(BATCH);

  private record Decoded(Bytes key, DiskRecords.Loaded loaded) {}

  private ParallelLoad(Store store, String where, int threads) {
    this.store = store;
    this.where = where;
    AtomicInteger n = new AtomicInteger();
    this.decoders = Executors.newFixedThreadPool(threads, r -> {
      Thread t = new Thread(r, "syncmesh-load-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    this.maxInFlight = 2 * threads;
  }

  /**
   * Loads every record of {@code kv}'s entries into {@code store}.
   *
   * @throws org.syncmesh.store.StorageException if a record is corrupt or the store cannot be read
   */
  static void run(KeyValueStore kv, Store store, String where) {
    int threads = Math.max(1, Runtime.getRuntime().availableProcessors() - 1);
    ParallelLoad load = new ParallelLoad(store, where, threads);
    try {
      kv.scan(KeyValueStore.Column.ENTRIES, load::add);
      load.submit();
      while (!load.inFlight.isEmpty()) {
        load.apply(load.inFlight.poll());
      }
    } finally {
      load.decoders.shutdownNow();
      try {
        load.decoders.awaitTermination(10, java.util.concurrent.TimeUnit.SECONDS); // no thread outlives the start
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private void add(byte[] key, byte[] value) {
    keys.add(key);
    values.add(value);
    if (keys.size() == BATCH) {
      submit();
      while (inFlight.size() > maxInFlight) {
        apply(inFlight.poll());
      }
    }
  }

  private void submit() {
    if (keys.isEmpty()) {
      return;
    }
    List<byte[]> k = keys;
    List<byte[]> v = values;
    keys = new ArrayList<>(BATCH);
    values = new ArrayList<>(BATCH);
    inFlight.add(CompletableFuture.supplyAsync(() -> {
      List<Decoded> out = new ArrayList<>(k.size());
      for (int i = 0; i < k.size(); i++) {
        out.add(new Decoded(Bytes.wrapOwned(k.get(i)), DiskRecords.decode(k.get(i), v.get(i), where)));
      }
      return out;
    }, decoders));
  }

  private void apply(CompletableFuture<List<Decoded>> batch) {
    List<Decoded> decoded;
    try {
      decoded = batch.join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      throw e;
    }
    for (Decoded d : decoded) {
      store.load(d.key(), d.loaded().entry(), d.loaded().signed(), d.loaded().others());
    }
  }
}
