package org.syncmesh.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.syncmesh.store.KeyValueStore.Column;

/**
 * Format versions: a directory of an older format is migrated at open, once, and stays migrated;
 * a failed migration leaves the older format to run again; a format with no path is refused.
 *
 * <p>Format 1 is this build's and the first, so the test plays a build of format 2 opening a
 * directory the real format-1 code wrote, with a migration that rewrites every entry.
 */
final class DataDirectoryMigrationTest {

  @TempDir Path dir;

  private static final String PROTOCOL = "sync1-test";

  private DataDirectory openAs(int format, Map<Integer, DataDirectory.Migration> migrations) {
    return DataDirectory.open(dir, PROTOCOL, null, () -> "Node1", RocksKeyValueStore::open, format, migrations);
  }

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private void writeFormat1() {
    try (DataDirectory d = DataDirectory.open(dir, PROTOCOL, null, () -> "Node1")) {
      d.store().write(new KeyValueStore.Batch().put(Column.ENTRIES, b("a"), b("1")).put(Column.ENTRIES, b("b"), b("2")),
          false);
    }
  }

  private List<String> entries(DataDirectory d) {
    List<String> out = new ArrayList<>();
    d.store().scan(Column.ENTRIES, (k, v) -> out.add(new String(k, StandardCharsets.UTF_8) + "="
        + new String(v, StandardCharsets.UTF_8)));
    return out;
  }

  /** Format 1 to 2: every value gets a suffix (idempotent: a value that has it is left alone). */
  private static final DataDirectory.Migration SUFFIX = (store, path) -> {
    KeyValueStore.Batch batch = new KeyValueStore.Batch();
    store.scan(Column.ENTRIES, (k, v) -> {
      String value = new String(v, StandardCharsets.UTF_8);
      if (!value.endsWith("+v2")) {
        batch.put(Column.ENTRIES, k, b(value + "+v2"));
      }
    });
    store.write(batch, true);
  };

  @Test
  void anOlderDirectory_isMigratedOnce_andKeepsItsIdentity() throws Exception {
    writeFormat1();
    AtomicInteger runs = new AtomicInteger();
    DataDirectory.Migration counting = (store, path) -> {
      runs.incrementAndGet();
      SUFFIX.apply(store, path);
    };
    try (DataDirectory d = openAs(2, Map.of(1, counting))) {
      assertThat(d.nodeId()).isEqualTo("Node1");
      assertThat(entries(d)).containsExactly("a=1+v2", "b=2+v2");
    }
    assertThat(Files.readString(dir.resolve(DataDirectory.PROPERTIES))).contains("format=2").contains("migrated=1 to 2");
    try (DataDirectory d = openAs(2, Map.of(1, counting))) {
      assertThat(entries(d)).containsExactly("a=1+v2", "b=2+v2");
    }
    assertThat(runs).hasValue(1);
  }

  @Test
  void aMigrationThatFails_leavesTheOlderFormat_andRunsAgainNextTime() throws Exception {
    writeFormat1();
    DataDirectory.Migration failing = (store, path) -> {
      store.write(new KeyValueStore.Batch().put(Column.ENTRIES, b("a"), b("1+v2")), false);
      throw new StorageException("disk went away mid-migration");
    };
    assertThatThrownBy(() -> openAs(2, Map.of(1, failing))).hasMessageContaining("mid-migration");
    assertThat(Files.readString(dir.resolve(DataDirectory.PROPERTIES))).contains("format=1");
    try (DataDirectory d = openAs(2, Map.of(1, SUFFIX))) {
      assertThat(entries(d)).containsExactly("a=1+v2", "b=2+v2");
    }
  }

  @Test
  void aFormatWithNoPath_isRefused_andANewerOne_too() throws Exception {
    writeFormat1();
    assertThatThrownBy(() -> openAs(3, Map.of(1, SUFFIX))).isInstanceOf(StorageException.class)
        .hasMessageContaining("cannot migrate to format 3 (no step from format 2)");
    assertThat(Files.readString(dir.resolve(DataDirectory.PROPERTIES))).contains("format=1");
    try (DataDirectory d = openAs(2, Map.of(1, SUFFIX))) {
      assertThat(d.nodeId()).isEqualTo("Node1");
    }
    assertThatThrownBy(() -> DataDirectory.open(dir, PROTOCOL, null, () -> "Node1"))
        .isInstanceOf(StorageException.class).hasMessageContaining("has format 2, written by a newer syncmesh");
  }
}
