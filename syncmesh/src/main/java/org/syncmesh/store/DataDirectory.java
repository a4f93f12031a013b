package org.syncmesh.store;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Properties;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node's data directory, open: locked against other processes for as long as it is open, of a
 * format this build reads, holding one node's identity, with its {@link KeyValueStore}.
 *
 * <p>Layout: {@code syncmesh.properties} (format, node id, protocol, creation time; replaced
 * atomically), {@code syncmesh.lock} (held with an OS file lock while open), {@code running}
 * (present while open: found at open, it says the last run did not close), {@code db/}, the
 * store, and, for a node of a secure network, {@code identity.key}, its identity key (the node's
 * id is the key's; docs/security.md). Not thread-safe: open and close it from one thread; its store is thread-safe.
 */
public final class DataDirectory implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(DataDirectory.class);

  /** The format this build writes; older ones are migrated at open, newer ones refused. */
  public static final int FORMAT = 1;

  /**
   * Rewrites an open directory of one format into the next, in place. It must be idempotent: a
   * crash during it leaves the older format number, so it runs again at the next open.
   */
  @FunctionalInterface
  interface Migration {
    void apply(KeyValueStore store, Path dir);
  }

  /** Migrations by the format they start from; format 1 is the first, so there is none yet. */
  static final java.util.Map<Integer, Migration> MIGRATIONS = java.util.Map.of();

  static final String PROPERTIES = "syncmesh.properties";
  static final String LOCK = "syncmesh.lock";
  static final String RUNNING = "running";
  static final String DB = "db";
  /** A secure node's identity key (PEM PKCS#8, owner-only): the node's id is the key's. */
  public static final String IDENTITY_KEY = "identity.key";

  private final Path dir;
  private final FileChannel lockChannel;
  private final FileLock lock;
  private final String nodeId;
  private final boolean uncleanShutdown;
  private final KeyValueStore store;
  private boolean closed;

  private DataDirectory(Path dir, FileChannel lockChannel, FileLock lock, String nodeId, boolean uncleanShutdown,
      KeyValueStore store) {
    this.dir = dir;
    this.lockChannel = lockChannel;
    this.lock = lock;
    this.nodeId = nodeId;
    this.uncleanShutdown = uncleanShutdown;
    this.store = store;
  }

  /**
   * Opens {@code dir}, creating it for a new node if it does not exist or is empty.
   *
   * @param protocolId the node's protocol id: a directory made for another protocol is refused
   * @param configuredId the id the node was configured with, or null to take the directory's
   * @param newId makes the id of a new node (called only when the directory is new)
   * @throws StorageException if the directory is in use, of a newer format, another node's or
   *     another protocol's, not a syncmesh data directory, or corrupt
   */
  public static DataDirectory open(Path dir, String protocolId, @Nullable String configuredId, Supplier<String> newId) {
    return open(dir, protocolId, configuredId, newId, null);
  }

  /**
   * {@link #open(Path, String, String, Supplier)} for a node of a secure network when
   * {@code identityKey} is not null: once the directory is locked, {@code identityKey} is given
   * {@code dir/identity.key} (present or not) and reads the key there, or makes one, and returns
   * its id, which is the node's id ({@code configuredId} is then ignored). A directory that has a
   * node but no identity key (an open network's node) is refused.
   *
   * @param identityKey reads or creates the key file and returns its id; throws a
   *     {@link StorageException} to refuse it (another node's key, unreadable)
   */
  public static DataDirectory open(Path dir, String protocolId, @Nullable String configuredId, Supplier<String> newId,
      @Nullable Function<Path, String> identityKey) {
    return open(dir, protocolId, configuredId, newId, identityKey, RocksKeyValueStore::open, FORMAT, MIGRATIONS);
  }

  /**
   * The identity key of the secure node kept in {@code dir}, made (with the directory, if absent)
   * when there is none yet, so that its certificate can be issued before the node first starts. A
   * key already there is read without the lock (reading it is safe while its node runs); making
   * one takes the lock.
   *
   * @param identityKey as in {@link #open(Path, String, String, Supplier, Function)}
   * @return what {@code identityKey} returned
   * @throws StorageException if the directory is in use and has no key yet, or belongs to a node
   *     of an open network
   */
  public static String identityKey(Path dir, Function<Path, String> identityKey) {
    Path absolute = dir.toAbsolutePath().normalize();
    if (Files.isRegularFile(absolute.resolve(IDENTITY_KEY))) {
      return identityKey.apply(absolute.resolve(IDENTITY_KEY));
    }
    createDirectory(absolute);
    Locked locked = lockOrRefuse(absolute);
    try {
      return secureId(absolute, identityKey);
    } finally {
      release(locked.lock(), locked.channel());
    }
  }

  /** Inside the lock: the id of the directory's identity key, made if the directory is new. */
  private static String secureId(Path dir, Function<Path, String> identityKey) {
    Path key = dir.resolve(IDENTITY_KEY);
    if (Files.exists(dir.resolve(PROPERTIES)) && !Files.exists(key)) {
      throw new StorageException("the data directory " + dir + " belongs to a node of an open network (its id is "
          + "not derived from an identity key: it has no " + IDENTITY_KEY + "); a node of a secure network needs "
          + "its own directory: give a new one");
    }
    return identityKey.apply(key);
  }

  private static void createDirectory(Path absolute) {
    if (Files.exists(absolute) && !Files.isDirectory(absolute)) {
      throw new StorageException(absolute + " is a file, not a directory: give the data directory's path (it is created if absent)");
    }
    try {
      Files.createDirectories(absolute);
    } catch (IOException e) {
      throw new StorageException("cannot create the data directory " + absolute + ": " + e, e);
    }
  }

  /** Opens and locks {@code dir/syncmesh.lock}, or refuses a directory in use. */
  private static Locked lockOrRefuse(Path absolute) {
    FileChannel channel;
    FileLock lock;
    try {
      channel = FileChannel.open(absolute.resolve(LOCK), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    } catch (IOException e) {
      throw new StorageException("cannot open " + absolute.resolve(LOCK) + ": " + e, e);
    }
    try {
      lock = channel.tryLock();
    } catch (IOException | OverlappingFileLockException e) {
      lock = null;
    }
    if (lock == null) {
      closeQuietly(channel);
      throw new StorageException("the data directory " + absolute + " is in use by another syncmesh node (it holds "
          + absolute.resolve(LOCK) + "); stop that node, or give this one another directory");
    }
    return new Locked(channel, lock);
  }

  /**
   * {@link #open} with another store, and another current format and migrations: for tests of a
   * store that fails, and of a migration.
   */
  static DataDirectory open(Path dir, String protocolId, @Nullable String configuredId, Supplier<String> newId,
      Function<Path, KeyValueStore> stores, int currentFormat, java.util.Map<Integer, Migration> migrations) {
    return open(dir, protocolId, configuredId, newId, null, stores, currentFormat, migrations);
  }

  static DataDirectory open(Path dir, String protocolId, @Nullable String configuredId, Supplier<String> newId,
      @Nullable Function<Path, String> identityKey, Function<Path, KeyValueStore> stores, int currentFormat,
      java.util.Map<Integer, Migration> migrations) {
    Path absolute = dir.toAbsolutePath().normalize();
    createDirectory(absolute);
    Locked locked = lockOrRefuse(absolute);
    FileChannel channel = locked.channel();
    FileLock lock = locked.lock();
    try {
      if (identityKey == null && Files.exists(absolute.resolve(IDENTITY_KEY))) {
        throw new StorageException("the data directory " + absolute + " belongs to a node of a secure network (it has "
            + IDENTITY_KEY + "): start that node with its certificate (docs/security.md), or give this one another "
            + "directory");
      }
      String id = identityKey == null ? configuredId : secureId(absolute, identityKey);
      Identity identity = identity(absolute, protocolId, id, newId, currentFormat);
      Path running = absolute.resolve(RUNNING);
      boolean unclean = Files.exists(running);
      if (unclean) {
        log.warn("data directory {} was not closed when its node last ran (killed or crashed): recovering from the "
            + "store's write-ahead log; a write torn by the crash, never acknowledged, is dropped", absolute);
      }
      KeyValueStore store = stores.apply(absolute.resolve(DB));
      if (identity.format < currentFormat) {
        try {
          migrate(absolute, store, identity, currentFormat, migrations);
        } catch (RuntimeException e) {
          store.close();
          throw e;
        }
      }
      try {
        Files.writeString(running, identity.id + " since " + Instant.now() + "\n", StandardCharsets.UTF_8);
        fsyncDirectory(absolute);
      } catch (IOException e) {
        store.close();
        throw new StorageException("cannot write " + running + ": " + e, e);
      }
      return new DataDirectory(absolute, channel, lock, identity.id, unclean, store);
    } catch (RuntimeException e) {
      release(lock, channel);
      throw e;
    }
  }

  /** A held lock and its channel. */
  private record Locked(FileChannel channel, FileLock lock) {}

  private record Identity(String id, int format, Properties properties) {}

  private static void migrate(Path dir, KeyValueStore store, Identity identity, int currentFormat,
      java.util.Map<Integer, Migration> migrations) {
    for (int f = identity.format; f < currentFormat; f++) {
      Migration m = migrations.get(f);
      if (m == null) {
        throw new StorageException("the data directory " + dir + " has format " + identity.format
            + ", which this build cannot migrate to format " + currentFormat
            + " (no step from format " + f + "): run an older syncmesh that reads it");
      }
      log.info("migrating the data directory {} from format {} to format {}", dir, f, f + 1);
      m.apply(store, dir);
    }
    Properties p = new Properties();
    p.putAll(identity.properties);
    p.setProperty("format", Integer.toString(currentFormat));
    p.setProperty("migrated", identity.format + " to " + currentFormat + " at " + Instant.now());
    writeAtomically(dir, PROPERTIES, p);
    log.info("the data directory {} is now format {}", dir, currentFormat);
  }

  private static Identity identity(Path dir, String protocolId, @Nullable String configuredId, Supplier<String> newId,
      int currentFormat) {
    Path file = dir.resolve(PROPERTIES);
    Properties p = new Properties();
    try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      p.load(r);
    } catch (NoSuchFileException e) {
      return create(dir, protocolId, configuredId, newId, currentFormat);
    } catch (IOException | IllegalArgumentException e) {
      throw new StorageException("cannot read " + file + ": " + e, e);
    }
    int format = parseFormat(p.getProperty("format"), file);
    String id = p.getProperty("id");
    String protocol = p.getProperty("protocol");
    if (id == null || id.isEmpty() || protocol == null) {
      throw new StorageException(file + " is corrupt: it lacks the node id or the protocol");
    }
    if (format > currentFormat) {
      throw new StorageException("the data directory " + dir + " has format " + format + ", written by a newer "
          + "syncmesh; this build reads formats up to " + currentFormat + ": run the newer version");
    }
    if (format < 1) {
      throw new StorageException(file + " is corrupt: its format is " + format);
    }
    if (configuredId != null && !configuredId.equals(id)) {
      throw new StorageException("the data directory " + dir + " belongs to node " + id + ", not to " + configuredId
          + ", this node's configured id: give this node its own directory");
    }
    if (!protocol.equals(protocolId)) {
      throw new StorageException("the data directory " + dir + " was made for protocol " + protocol + ", not "
          + protocolId + " (subnet, transport and leasing must match): give this node its own directory");
    }
    return new Identity(id, format, p);
  }

  private static int parseFormat(@Nullable String text, Path file) {
    try {
      return Integer.parseInt(String.valueOf(text).trim());
    } catch (NumberFormatException e) {
      throw new StorageException(file + " is corrupt: its format is " + text + ", not a number");
    }
  }

  private static Identity create(Path dir, String protocolId, @Nullable String configuredId, Supplier<String> newId,
      int currentFormat) {
    try (Stream<Path> files = Files.list(dir)) {
      if (files.anyMatch(f -> !f.getFileName().toString().equals(LOCK)
          && !f.getFileName().toString().startsWith(IDENTITY_KEY))) {
        throw new StorageException("the directory " + dir + " is not empty and has no " + PROPERTIES
            + ": it is not a syncmesh data directory (or has lost its identity); give an empty or new directory");
      }
    } catch (IOException e) {
      throw new StorageException("cannot list " + dir + ": " + e, e);
    }
    String id = configuredId != null ? configuredId : newId.get();
    Properties p = new Properties();
    p.setProperty("format", Integer.toString(currentFormat));
    p.setProperty("id", id);
    p.setProperty("protocol", protocolId);
    p.setProperty("created", Instant.now().toString());
    writeAtomically(dir, PROPERTIES, p);
    log.info("new data directory {} for node {}", dir, id);
    return new Identity(id, currentFormat, p);
  }

  private static void writeAtomically(Path dir, String name, Properties p) {
    Path tmp = dir.resolve(name + ".tmp");
    try {
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
          StandardOpenOption.TRUNCATE_EXISTING);
          Writer w = java.nio.channels.Channels.newWriter(ch, StandardCharsets.UTF_8)) {
        p.store(w, "syncmesh data directory: do not edit, do not copy to another node");
        w.flush();
        ch.force(true);
      }
      Files.move(tmp, dir.resolve(name), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      fsyncDirectory(dir);
    } catch (IOException e) {
      throw new StorageException("cannot write " + dir.resolve(name) + ": " + e, e);
    }
  }

  private static void fsyncDirectory(Path dir) throws IOException {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    } catch (IOException e) {
      // Some file systems cannot sync a directory; the file's own sync is what they offer.
    }
  }

  /** The directory, absolute. */
  public Path path() {
    return dir;
  }

  /** The node id this directory belongs to. */
  public String nodeId() {
    return nodeId;
  }

  /** Whether the last run did not close this directory (it was killed or crashed). */
  public boolean uncleanShutdown() {
    return uncleanShutdown;
  }

  /** The store; usable until {@link #close()}. */
  public KeyValueStore store() {
    return store;
  }

  /** Closes the store, marks the run closed and releases the lock. Idempotent. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      store.close();
      Files.deleteIfExists(dir.resolve(RUNNING));
      fsyncDirectory(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot mark " + dir + " closed", e);
    } finally {
      release(lock, lockChannel);
    }
  }

  private static void release(FileLock lock, FileChannel channel) {
    try {
      lock.release();
    } catch (IOException e) {
      // closing the channel releases it too
    }
    closeQuietly(channel);
  }

  private static void closeQuietly(FileChannel channel) {
    try {
      channel.close();
    } catch (IOException e) {
      // nothing more to release
    }
  }

  @Override
  public String toString() {
    return "DataDirectory{" + dir + ", node " + nodeId + "}";
  }
}
