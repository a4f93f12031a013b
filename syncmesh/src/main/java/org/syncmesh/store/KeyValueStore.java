package org.syncmesh.store;

import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * An embedded, ordered key-value store of two columns: a node's entries and its own state.
 * Implementations are thread-safe; the sync layer has one writer thread (its journal) and reads
 * only at start.
 */
public interface KeyValueStore extends AutoCloseable {

  /** The two key spaces. */
  enum Column {
    /** Dictionary keys to their encoded state. */
    ENTRIES,
    /** The node's own state: clock horizon, known peers, … */
    META
  }

  /** Called with each key and value of a scan; may throw to stop it. */
  @FunctionalInterface
  interface Visitor {
    void visit(byte[] key, byte[] value);
  }

  /**
   * Applies every change of {@code batch} at once: all or none survive a crash. Without
   * {@code sync} the changes are handed to the operating system (they survive the process being
   * killed); with it they are on stable storage (they survive power loss) before this returns.
   *
   * @throws StorageException if the store refuses (disk full, I/O error); nothing of the batch
   *     is applied then
   */
  void write(Batch batch, boolean sync);

  /**
   * Visits every key of {@code column} in key order, verifying checksums.
   *
   * @throws StorageException if what is read is corrupt, naming the file where the store says
   */
  void scan(Column column, Visitor visitor);

  /** The value at {@code key}, or null. */
  byte @Nullable [] get(Column column, byte[] key);

  /** About how many keys {@code column} holds (cheap, may be off either way): to size what loads them. */
  long estimateCount(Column column);

  /** Syncs to stable storage made since open: what {@code sync} writes cost. */
  long syncs();

  /** Makes the store usable again after a refused write, if the store needs that; true if it is. */
  boolean resume();

  @Override
  void close();

  /** Changes to apply at once; not thread-safe. */
  final class Batch {
    /** One change: {@code value} null deletes. */
    public record Change(Column column, byte[] key, byte @Nullable [] value) {}

    private final List<Change> changes = new ArrayList<>();

    public Batch put(Column column, byte[] key, byte[] value) {
      changes.add(new Change(column, key, value));
      return this;
    }

    public Batch delete(Column column, byte[] key) {
      changes.add(new Change(column, key, null));
      return this;
    }

    public List<Change> changes() {
      return changes;
    }

    public int size() {
      return changes.size();
    }
  }
}
