package org.syncmesh.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.syncmesh.Bytes;
import org.syncmesh.store.KeyValueStore;
import org.syncmesh.store.StorageException;
import org.syncmesh.store.TestStores;
import org.syncmesh.testing.NetworkTestRule;

/**
 * A durable node whose disk fills up: local writes are refused up front while it is full, reads
 * and remote writes go on (in memory), the status says why, and once the disk takes writes again
 * everything, the remote writes of the meantime included, is saved.
 */
final class FullDiskTest {

  private static final Duration WAIT = Duration.ofSeconds(20);

  @RegisterExtension final NetworkTestRule net = new NetworkTestRule();
  @TempDir Path dir;

  /** The real store, whose writes fail, as a full disk's do, while {@link #full} is set. */
  static final class FillableStore implements KeyValueStore {
    final KeyValueStore real;
    volatile boolean full;
    final AtomicInteger refused = new AtomicInteger();

    FillableStore(KeyValueStore real) {
      this.real = real;
    }

    @Override
    public void write(Batch batch, boolean sync) {
      if (full) {
        refused.incrementAndGet();
        throw new StorageException("No space left on device");
      }
      real.write(batch, sync);
    }

    @Override
    public void scan(Column column, Visitor visitor) {
      real.scan(column, visitor);
    }

    @Override
    public byte @Nullable [] get(Column column, byte[] key) {
      return real.get(column, key);
    }

    @Override
    public long syncs() {
      return real.syncs();
    }

    @Override
    public long estimateCount(Column column) {
      return real.estimateCount(column);
    }

    @Override
    public boolean resume() {
      return !full && real.resume();
    }

    @Override
    public void close() {
      real.close();
    }
  }

  private FillableStore[] stub = new FillableStore[1];

  private SyncSocket onFillableDisk(Path data) {
    return new SyncSocket.Builder().leasing(false).dataDirectory(data)
        .directoryOpener((d, protocol, id, newId, key) -> TestStores.open(d, protocol, id, newId,
            p -> stub[0] = new FillableStore(TestStores.rocks(p))))
        .build();
  }

  private static boolean anyContains(SyncSocket s, String text) {
    return s.statusErrors().stream().anyMatch(e -> e.contains(text));
  }

  @Test
  void whileTheDiskIsFull_localWritesAreRefusedUpFront_remoteOnesApplied_andAllIsSavedOnceItIsNot() throws Exception {
    Path data = dir.resolve("b");
    SyncSocket a = net.track(new SyncSocket.Builder().leasing(false).build());
    SyncSocket b = onFillableDisk(data);
    FillableStore disk = stub[0];
    b.connect("127.0.0.1", a.port()).orTimeout(10, TimeUnit.SECONDS).join();
    b.set("before", "1");
    await().atMost(WAIT).until(() -> a.get("before").isPresent());

    disk.full = true;
    a.set("remote1", "x"); // the first change to meet the full disk
    await().atMost(WAIT).until(() -> b.get("remote1").isPresent());
    await().atMost(WAIT).until(() -> anyContains(b, "No space left on device"));
    assertThat(anyContains(b, "local writes are refused")).isTrue();

    assertThatThrownBy(() -> b.set("local", "y")).isInstanceOf(StorageException.class)
        .hasMessageContaining("writes are refused").hasMessageContaining("No space left on device");
    assertThatThrownBy(() -> b.del("before")).isInstanceOf(StorageException.class);
    assertThat(b.get("local")).isEmpty();
    assertThat(b.get("before")).contains("1"); // reads work
    a.set("remote2", "z"); // applied in memory meanwhile
    await().atMost(WAIT).until(() -> b.get("remote2").isPresent());
    // the refused write never left (and, never applied, anti-entropy cannot send it later either)
    Thread.sleep(500);
    assertThat(a.get("local")).isEmpty();
    assertThat(a.get("before")).contains("1");

    disk.full = false;
    await().atMost(WAIT).until(() -> anyContains(b, "accepts writes again"));
    b.set("local", "y");
    await().atMost(WAIT).until(() -> a.get("local").isPresent());
    await().atMost(WAIT).until(() -> b.durableBacklog() == 0);
    Map<Bytes, Store.Entry> before = b.snapshot();
    assertThat(before).containsKeys(Bytes.utf8("remote1"), Bytes.utf8("remote2"), Bytes.utf8("local"));
    b.close();

    SyncSocket again = net.track(new SyncSocket.Builder().leasing(false).dataDirectory(data).build());
    assertThat(again.snapshot()).isEqualTo(before);
  }

  @Test
  void theLocalWriteThatFindsTheDiskFull_isRefused_sayingItIsAppliedButNotSaved() {
    Path data = dir.resolve("first");
    SyncSocket b = net.track(onFillableDisk(data));
    stub[0].full = true;
    // Nothing has told the node yet: the write is applied and sent, and then cannot be saved.
    assertThatThrownBy(() -> b.set("k", "v")).isInstanceOf(StorageException.class)
        .hasMessageContaining("could not be saved").hasMessageContaining("No space left on device");
    assertThat(b.get("k")).contains("v");
    // from now on it is refused up front
    assertThatThrownBy(() -> b.set("k2", "v")).isInstanceOf(StorageException.class)
        .hasMessageContaining("writes are refused");
    assertThat(b.get("k2")).isEmpty();
    stub[0].full = false;
    await().atMost(WAIT).until(() -> b.durableBacklog() == 0 && anyContains(b, "accepts writes again"));
    b.set("k2", "v2");
    Map<Bytes, Store.Entry> before = b.snapshot();
    b.close();
    SyncSocket again = net.track(new SyncSocket.Builder().leasing(false).dataDirectory(data).build());
    assertThat(again.snapshot()).isEqualTo(before);
  }
}
