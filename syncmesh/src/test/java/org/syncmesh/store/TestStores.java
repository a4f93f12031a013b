package org.syncmesh.store;

import java.nio.file.Path;
import java.util.function.Function;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/** For tests in other packages: a data directory opened with a store of the test's making. */
public final class TestStores {
  private TestStores() {}

  /** The real store (RocksDB) in {@code path}. */
  public static KeyValueStore rocks(Path path) {
    return RocksKeyValueStore.open(path);
  }

  /** {@link DataDirectory#open} with {@code stores} making its store. */
  public static DataDirectory open(Path dir, String protocolId, @Nullable String configuredId, Supplier<String> newId,
      Function<Path, KeyValueStore> stores) {
    return DataDirectory.open(dir, protocolId, configuredId, newId, stores, DataDirectory.FORMAT, DataDirectory.MIGRATIONS);
  }
}
