package org.syncmesh.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.syncmesh.testing.DataDirectories;
import org.junit.jupiter.api.io.TempDir;
import org.syncmesh.store.KeyValueStore.Batch;
import org.syncmesh.store.KeyValueStore.Column;

/**
 * The store under a data directory, below the sync layer: a crash image whose log is torn at the
 * tail opens with every complete batch and nothing of the torn one (a batch is all or none);
 * damage in a table file is reported naming it, and the file is left as it was.
 */
final class DataDirectoryCorruptionTest {

  private static final int BATCHES = 10;
  private static final int KEYS_PER_BATCH = 5;
  private static final String VALUE = "x".repeat(200);

  @TempDir Path dir;

  private static DataDirectory open(Path data) {
    return DataDirectory.open(data, "test-protocol", null, () -> "node-1");
  }

  private static byte[] key(int batch, int i) {
    return ("b" + batch + "-" + i).getBytes(StandardCharsets.UTF_8);
  }

  private static int keysOf(DataDirectory d, int batch) {
    int n = 0;
    for (int i = 0; i < KEYS_PER_BATCH; i++) {
      if (d.store().get(Column.ENTRIES, key(batch, i)) != null) {
        n++;
      }
    }
    return n;
  }

  @Test
  void aLogTornAtItsTail_opensWithEveryCompleteBatch_andNoneOfTheTornOne() throws Exception {
    Path live = dir.resolve("live");
    DataDirectory running = open(live);
    for (int b = 0; b < BATCHES; b++) {
      Batch batch = new Batch();
      for (int i = 0; i < KEYS_PER_BATCH; i++) {
        batch.put(Column.ENTRIES, key(b, i), (VALUE + b).getBytes(StandardCharsets.UTF_8));
      }
      running.store().write(batch, false);
    }
    // kill -9 leaves what the process handed to the OS: a copy taken now is that image
    Path image = dir.resolve("image");
    DataDirectories.copyTree(live, image);
    running.close();

    long lastBatchBytes = KEYS_PER_BATCH * (VALUE.length() + 10L);
    for (long cut : new long[] {1, 17, lastBatchBytes / 2, lastBatchBytes - 40}) {
      Path crash = dir.resolve("crash-" + cut);
      DataDirectories.copyTree(image, crash);
      assertThat(crash.resolve(DataDirectory.RUNNING)).exists();
      Path wal = DataDirectories.newest(crash.resolve(DataDirectory.DB), ".log");
      try (RandomAccessFile f = new RandomAccessFile(wal.toFile(), "rw")) {
        f.setLength(f.length() - cut);
      }
      try (DataDirectory d = open(crash)) {
        assertThat(d.uncleanShutdown()).isTrue();
        for (int b = 0; b < BATCHES - 1; b++) {
          assertThat(keysOf(d, b)).as("batch %d, log cut by %d bytes", b, cut).isEqualTo(KEYS_PER_BATCH);
        }
        assertThat(keysOf(d, BATCHES - 1)).as("the torn batch, log cut by %d bytes", cut).isZero();
      }
      try (DataDirectory d = open(crash)) {
        assertThat(d.uncleanShutdown()).as("closed cleanly after the recovery").isFalse();
      }
    }
  }

  @Test
  void aFlippedBitInATableFile_failsTheScan_namingTheFile_andTheFileIsLeftAsItWas() throws Exception {
    Path data = dir.resolve("sst");
    try (DataDirectory d = open(data)) {
      Batch batch = new Batch();
      for (int i = 0; i < 2000; i++) {
        batch.put(Column.ENTRIES, key(0, i), (VALUE + i).getBytes(StandardCharsets.UTF_8));
      }
      d.store().write(batch, false);
    } // close flushes to a table file
    Path sst = DataDirectories.newest(data.resolve(DataDirectory.DB), ".sst");
    try (RandomAccessFile f = new RandomAccessFile(sst.toFile(), "rw")) {
      f.seek(f.length() / 3);
      int b = f.read();
      f.seek(f.length() / 3);
      f.write(b ^ 0x01);
    }
    byte[] damaged = Files.readAllBytes(sst);
    try (DataDirectory d = open(data)) {
      assertThatThrownBy(() -> d.store().scan(Column.ENTRIES, (k, v) -> { }))
          .isInstanceOf(StorageException.class)
          .hasMessageContaining(sst.getFileName().toString())
          .hasMessageContaining("is corrupt");
    } catch (StorageException e) {
      // or refused already at open: either way it must name the file
      assertThat(e).hasMessageContaining(sst.getFileName().toString());
    }
    assertThat(Files.readAllBytes(sst)).isEqualTo(damaged);
  }
}
