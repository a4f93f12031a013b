package org.syncmesh.store;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.DBOptions;
import org.rocksdb.FlushOptions;
import org.rocksdb.InfoLogLevel;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.Statistics;
import org.rocksdb.Status;
import org.rocksdb.TickerType;
import org.rocksdb.WALRecoveryMode;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;
import org.rocksdb.util.Environment;
import org.syncmesh.wire.NativeLibraries;

/**
 * {@link KeyValueStore} on RocksDB: every write goes to its write-ahead log first, which is what
 * makes a returned write survive the process being killed; the log's records and the table files'
 * blocks carry checksums, verified on every read of a scan.
 *
 * <p>Recovery is strict in the middle and lenient at the end: a record torn by a crash at the
 * log's tail is dropped (it was never acknowledged), while a checksum failure anywhere else stops
 * the open with the store's message, which names the file. Thread-safe.
 */
final class RocksKeyValueStore implements KeyValueStore {
  private static boolean libraryLoaded; // guarded by RocksKeyValueStore.class

  private final Path path;
  private final Statistics statistics = new Statistics();
  private final WriteOptions plain = new WriteOptions();
  private final WriteOptions synced = new WriteOptions().setSync(true);
  /** Null between a failed reopen and the next; never after {@link #close()}. */
  private @Nullable Open open;
  private boolean closed;

  /** One open of the database: what a reopen replaces. */
  private record Open(DBOptions options, ColumnFamilyOptions columnOptions, RocksDB db, List<ColumnFamilyHandle> handles) {
    void close() throws RocksDBException {
      for (ColumnFamilyHandle h : handles) {
        h.close();
      }
      try {
        db.closeE();
      } finally {
        options.close();
        columnOptions.close();
      }
    }
  }

  private RocksKeyValueStore(Path path) {
    this.path = path;
    this.open = openDb(path, statistics);
  }

  /**
   * Opens (creating if absent) the store in {@code path}.
   *
   * @throws StorageException if it cannot be opened: corrupt, locked, or unreadable
   */
  static RocksKeyValueStore open(Path path) {
    loadLibrary();
    return new RocksKeyValueStore(path);
  }

  /**
   * Loads RocksDB's library once, from a copy that is deleted at once ({@link NativeLibraries}), else
   * with RocksDB's own loader (which leaves its 15 MB copy in java.io.tmpdir until a normal exit).
   */
  private static synchronized void loadLibrary() {
    if (libraryLoaded) {
      return;
    }
    String inJar = Environment.getJniLibraryFileName("rocksdb");
    // RocksDB.loadLibrary(paths) looks for the name it makes from "rocksdbjni" (librocksdbjnijni-…): both, linked
    List<String> names = Stream.of(Environment.getJniLibraryFileName("rocksdbjni"), inJar).distinct().toList();
    if (!NativeLibraries.loadExtracted(RocksDB.class, "/" + inJar, names,
        dir -> RocksDB.loadLibrary(List.of(dir.toString())))) {
      RocksDB.loadLibrary();
    }
    libraryLoaded = true;
  }

  private static Open openDb(Path path, Statistics statistics) {
    DBOptions options = new DBOptions()
        .setCreateIfMissing(true)
        .setCreateMissingColumnFamilies(true)
        .setParanoidChecks(true)
        .setWalRecoveryMode(WALRecoveryMode.TolerateCorruptedTailRecords)
        .setStatistics(statistics)
        .setInfoLogLevel(InfoLogLevel.WARN_LEVEL)
        .setKeepLogFileNum(2)
        .setMaxLogFileSize(1 << 20);
    ColumnFamilyOptions columnOptions = new ColumnFamilyOptions();
    List<ColumnFamilyDescriptor> descriptors = List.of(
        new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY, columnOptions),
        new ColumnFamilyDescriptor("meta".getBytes(StandardCharsets.US_ASCII), columnOptions));
    List<ColumnFamilyHandle> handles = new ArrayList<>();
    try {
      RocksDB db = RocksDB.open(options, path.toString(), descriptors, handles);
      return new Open(options, columnOptions, db, handles);
    } catch (RocksDBException e) {
      options.close();
      columnOptions.close();
      if (e.getStatus() != null && e.getStatus().getCode() == Status.Code.Corruption) {
        // RocksDB's message may not say so ("checksum mismatch") nor name the log file.
        throw new StorageException("the store in " + path + " is corrupt (" + e.getMessage() + "): " + DAMAGED, e);
      }
      throw new StorageException("cannot open the store in " + path + ": " + e.getMessage(), e);
    }
  }

  /** What to do about a corrupt store: the files are left as they are. */
  static final String DAMAGED = "the data directory is damaged and is left as it is; restore it from a backup, or "
      + "move it away and start this node empty to get the network's copy";

  private Open current() {
    Open o = open;
    if (o == null || closed) {
      throw new StorageException("the store in " + path + (closed ? " is closed" : " could not be reopened"));
    }
    return o;
  }

  private ColumnFamilyHandle handle(Column column) {
    return current().handles().get(column.ordinal());
  }

  @Override
  public synchronized void write(Batch batch, boolean sync) {
    try (WriteBatch wb = new WriteBatch()) {
      for (Batch.Change c : batch.changes()) {
        if (c.value() == null) {
          wb.delete(handle(c.column()), c.key());
        } else {
          wb.put(handle(c.column()), c.key(), c.value());
        }
      }
      current().db().write(sync ? synced : plain, wb);
    } catch (RocksDBException e) {
      throw new StorageException("cannot write to the store in " + path + ": " + e.getMessage(), e);
    }
  }

  @Override
  public synchronized void scan(Column column, Visitor visitor) {
    try (ReadOptions read = new ReadOptions().setVerifyChecksums(true).setFillCache(false);
        RocksIterator it = current().db().newIterator(handle(column), read)) {
      for (it.seekToFirst(); it.isValid(); it.next()) {
        visitor.visit(it.key(), it.value());
      }
      it.status();
    } catch (RocksDBException e) {
      throw new StorageException("the store in " + path + " is corrupt (" + e.getMessage() + "): " + DAMAGED, e);
    }
  }

  @Override
  public synchronized byte @Nullable [] get(Column column, byte[] key) {
    try {
      return current().db().get(handle(column), key);
    } catch (RocksDBException e) {
      throw new StorageException("cannot read the store in " + path + ": " + e.getMessage(), e);
    }
  }

  @Override
  public synchronized long estimateCount(Column column) {
    try {
      return Math.max(0, current().db().getLongProperty(handle(column), "rocksdb.estimate-num-keys"));
    } catch (RocksDBException e) {
      return 0;
    }
  }

  @Override
  public long syncs() {
    return statistics.getTickerCount(TickerType.WAL_FILE_SYNCED);
  }

  /**
   * Reopens the database: after a refused write RocksDB stays read-only until then, and a reopen
   * replays its log, so nothing acknowledged is lost.
   */
  @Override
  public synchronized boolean resume() {
    if (closed) {
      return false;
    }
    if (open != null) {
      try {
        open.close();
      } catch (RocksDBException e) {
        // reopening is what matters
      }
      open = null;
    }
    try {
      open = openDb(path, statistics);
      return true;
    } catch (StorageException e) {
      return false;
    }
  }

  /** Flushes the memory tables (a restart then reads table files, not the log) and closes. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    Open o = open;
    open = null;
    try {
      if (o != null) {
        try (FlushOptions flush = new FlushOptions().setWaitForFlush(true)) {
          o.db().flush(flush, o.handles());
        } catch (RocksDBException e) {
          // The log still holds everything: the next open replays it.
        }
        o.close();
      }
    } catch (RocksDBException e) {
      throw new StorageException("cannot close the store in " + path + ": " + e.getMessage(), e);
    } finally {
      plain.close();
      synced.close();
      statistics.close();
    }
  }
}
