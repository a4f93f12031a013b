package org.syncmesh.sync;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.syncmesh.testing.NetworkTestRule;

/**
 * {@link Durability#SYNC} (the CLI's --fsync) really syncs the store's log, at most once per write
 * and shared by writers waiting together; {@link Durability#PROCESS_CRASH} never syncs. Counted
 * by RocksDB's WAL_FILE_SYNCED ticker.
 */
final class FsyncTest {

  private static final int WRITERS = 4;
  private static final int WRITES_EACH = 50;

  @RegisterExtension final NetworkTestRule net = new NetworkTestRule();
  @TempDir Path dir;

  /** Syncs counted while {@code WRITERS} threads each set {@code WRITES_EACH} keys at once. */
  private long syncsOfConcurrentWrites(Durability durability) throws Exception {
    SyncSocket node = net.track(new SyncSocket.Builder().leasing(false).dataDirectory(dir.resolve(durability.name()))
        .durability(durability).build());
    long before = node.durableSyncs();
    ExecutorService pool = Executors.newFixedThreadPool(WRITERS);
    try {
      CyclicBarrier start = new CyclicBarrier(WRITERS);
      List<Future<?>> done = new ArrayList<>();
      for (int w = 0; w < WRITERS; w++) {
        int writer = w;
        done.add(pool.submit(() -> {
          start.await();
          for (int i = 0; i < WRITES_EACH; i++) {
            node.set("w" + writer + "-" + i, "value " + i);
          }
          return null;
        }));
      }
      for (Future<?> f : done) {
        f.get(60, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    long syncs = node.durableSyncs() - before;
    System.out.println(durability + ": " + syncs + " syncs for " + WRITERS * WRITES_EACH + " writes");
    return syncs;
  }

  @Test
  void sync_syncsAtLeastOnce_andAtMostOncePerWrite() throws Exception {
    long syncs = syncsOfConcurrentWrites(Durability.SYNC);
    assertThat(syncs).isBetween(1L, (long) WRITERS * WRITES_EACH);
    // Group commit: while one sync runs, the other writers' changes gather into the next batch.
    // Measured at 50-65 % of the writes here; only a fully serialized run (no two writers ever
    // waiting at once, over 200 writes) would reach 100 %.
    assertThat(syncs).as("writers waiting together share a sync").isLessThan((long) WRITERS * WRITES_EACH);
  }

  @Test
  void processCrash_neverSyncs() throws Exception {
    assertThat(syncsOfConcurrentWrites(Durability.PROCESS_CRASH)).isZero();
  }
}
