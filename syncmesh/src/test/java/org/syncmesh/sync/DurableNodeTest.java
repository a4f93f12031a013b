package org.syncmesh.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.syncmesh.Bytes;
import org.syncmesh.store.StorageException;
import org.syncmesh.testing.NetworkTestRule;

/** A sync socket with a data directory: what it keeps across a close and a start, and what it refuses. */
final class DurableNodeTest {

  private static final Duration WAIT = Duration.ofSeconds(20);

  @RegisterExtension final NetworkTestRule net = new NetworkTestRule();
  @TempDir Path dir;

  private SyncSocket durable(Path data) {
    return new SyncSocket.Builder().leasing(true).dataDirectory(data).build();
  }

  @Test
  void aRestartedNode_isTheSameNode_withEveryKeyVersionAndTombstone() {
    Path data = dir.resolve("a");
    SyncSocket a = durable(data);
    String id = a.id();
    a.set("k1", "v1");
    a.set("k2", Map.of("f", 1L));
    a.set("gone", "x");
    a.del("gone");
    Map<Bytes, Store.Entry> before = a.snapshot();
    a.close();

    SyncSocket again = net.track(durable(data));
    assertThat(again.id()).isEqualTo(id);
    assertThat(again.snapshot()).isEqualTo(before);
    assertThat(again.get("k1")).contains("v1");
    assertThat(again.meta("gone").orElseThrow().deleted()).isTrue();
    assertThat(again.tombstones()).isEqualTo(1);
    // its leases hold: it may write its own keys again
    again.set("k1", "v2");
    assertThat(again.meta("k1").orElseThrow().version().compareTo(before.get(Bytes.utf8("k1")).version())).isPositive();
  }

  @Test
  void aRestartOfManyBatches_loadsEveryKey_inWhateverOrderItsBatchesDecode() {
    Path data = dir.resolve("many");
    SyncSocket a = durable(data);
    java.util.Map<String, Object> batch = new java.util.LinkedHashMap<>();
    for (int i = 0; i < 3 * ParallelLoad.BATCH + 17; i++) {
      batch.put("k" + i, i % 3 == 0 ? Map.of("n", (long) i) : "v" + i);
    }
    a.update(batch);
    a.del("k5");
    Map<Bytes, Store.Entry> before = a.snapshot();
    a.close();
    SyncSocket again = net.track(durable(data));
    assertThat(again.snapshot()).isEqualTo(before);
    assertThat(again.size()).isEqualTo(3 * ParallelLoad.BATCH + 16);
    assertThat(again.tombstones()).isEqualTo(1);
  }

  @Test
  void remoteWrites_areSavedToo() {
    Path data = dir.resolve("b");
    SyncSocket a = net.track(new SyncSocket.Builder().leasing(true).build());
    SyncSocket b = durable(data);
    b.connect("127.0.0.1", a.port()).join();
    a.set("from-a", "hello");
    await().atMost(WAIT).until(() -> b.get("from-a").isPresent());
    await().atMost(WAIT).until(() -> b.durableBacklog() == 0);
    Map<Bytes, Store.Entry> before = b.snapshot();
    b.close();
    SyncSocket again = net.track(durable(data));
    assertThat(again.snapshot()).isEqualTo(before);
  }

  @Test
  void aSecondProcessOrSocket_isRefused_whileTheFirstHoldsTheDirectory() {
    Path data = dir.resolve("c");
    net.track(durable(data));
    assertThatThrownBy(() -> durable(data)).isInstanceOf(StorageException.class)
        .hasMessageContaining("in use by another syncmesh node");
  }

  @Test
  void anotherNodesDirectory_isRefused() {
    Path data = dir.resolve("d");
    durable(data).close();
    assertThatThrownBy(() -> new SyncSocket.Builder().id("3mJr7AoUXx2Wqd").dataDirectory(data).build())
        .isInstanceOf(StorageException.class).hasMessageContaining("belongs to node");
    assertThatThrownBy(() -> new SyncSocket.Builder().leasing(false).dataDirectory(data).build())
        .isInstanceOf(StorageException.class).hasMessageContaining("was made for protocol");
  }

  @Test
  void aNewerFormat_isRefused_andADirectoryOfOtherFiles_isNotTaken() throws Exception {
    Path data = dir.resolve("e");
    durable(data).close();
    Path props = data.resolve("syncmesh.properties");
    Files.writeString(props, Files.readString(props).replace("format=1", "format=2"));
    assertThatThrownBy(() -> durable(data)).isInstanceOf(StorageException.class).hasMessageContaining("newer");

    Path other = dir.resolve("other");
    Files.createDirectories(other);
    Files.writeString(other.resolve("notes.txt"), "mine");
    assertThatThrownBy(() -> durable(other)).isInstanceOf(StorageException.class)
        .hasMessageContaining("not a syncmesh data directory");
    assertThat(Files.readString(other.resolve("notes.txt"))).isEqualTo("mine");
  }
}
