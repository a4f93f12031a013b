package org.syncmesh.sync;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.syncmesh.Bytes;
import org.syncmesh.store.KeyValueStore;
import org.syncmesh.store.KeyValueStore.Column;
import org.syncmesh.store.StorageException;

/**
 * Saves a durable node's changes to its store, on a thread of its own (group commit): the writer's
 * steps record each change and go on; this thread takes everything recorded since its last write
 * and writes it as one atomic batch, so writers waiting together share one write and, with
 * {@link Durability#SYNC}, one sync. A key changed twice before a batch is written once.
 *
 * <p>Every change gets a sequence number; a writer that wants its change saved waits for
 * {@link #whenSaved} of the number {@link #recorded} gave after its step.
 *
 * <p>When the store refuses a batch (disk full, I/O error) the batch is kept, writers waiting for
 * it fail, local writes are refused up front ({@link #requireWritable}), and the batch is retried
 * every second until it is saved; remote writes keep being applied in memory meanwhile and are
 * saved with it. Thread-safe.
 */
final class Journal implements Store.Persistence, AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(Journal.class);

  static final long RETRY_MILLIS = 1000;

  private static final Object REMOVED = new Object();

  private final KeyValueStore kv;
  private final boolean sync;
  private final String where;
  private final Consumer<String> status;
  private final Thread thread;
  private final Object lock = new Object();

  // guarded by lock
  private LinkedHashMap<Bytes, Object> pending = new LinkedHashMap<>();
  private final Map<String, byte[]> pendingMeta = new LinkedHashMap<>();
  private long recorded;
  private long saved;
  private boolean idle;
  private boolean closing;
  private @Nullable StorageException failure;
  private final PriorityQueue<Waiter> waiters = new PriorityQueue<>();

  private record Waiter(long seq, CompletableFuture<Void> future) implements Comparable<Waiter> {
    @Override
    public int compareTo(Waiter o) {
      return Long.compare(seq, o.seq);
    }
  }

  private static final CompletableFuture<Void> DONE = CompletableFuture.completedFuture(null);

  Journal(KeyValueStore kv, Durability durability, String where, Consumer<String> status) {
    this.kv = kv;
    this.sync = durability == Durability.SYNC;
    this.where = where;
    this.status = status;
    this.thread = new Thread(this::run, "syncmesh-journal");
    thread.setDaemon(true);
  }

  void start() {
    thread.start();
  }

  static byte[] meta(String name) {
    return name.getBytes(StandardCharsets.US_ASCII);
  }

  // ---------------------------------------------------------------- the writer's steps

  @Override
  public void put(Bytes key, Store.Entry state, SignedWrites.@Nullable Proof signed) {
    record(key, signed == null ? state : new SignedState(state, signed, List.of()));
  }

  @Override
  public void put(Bytes key, Store.Entry state, SignedWrites.@Nullable Proof signed, List<History.Record> others) {
    record(key, signed == null && others.isEmpty() ? state : new SignedState(state, signed, others));
  }

  /** A state and the signature of the write that made it (secure networks), and its key's other records (§8.4). */
  private record SignedState(Store.Entry state, SignedWrites.@Nullable Proof signed, List<History.Record> others) {}

  @Override
  public void remove(Bytes key) {
    record(key, REMOVED);
  }

  @Override
  public void meta(String name, byte[] value) {
    synchronized (lock) {
      pendingMeta.put(name, value);
      recorded++;
      wake();
    }
  }

  private void record(Bytes key, Object change) {
    synchronized (lock) {
      pending.put(key, change);
      recorded++;
      wake();
    }
  }

  private void wake() {
    if (idle) {
      idle = false;
      lock.notifyAll();
    }
  }

  /** The number of the last change recorded: a step's own changes are at or below it. */
  long recorded() {
    synchronized (lock) {
      return recorded;
    }
  }

  // ---------------------------------------------------------------- writers (any thread)

  /**
   * Throws while the store refuses writes, so that a local write is refused before anything is
   * stored or sent.
   */
  void requireWritable() {
    StorageException f;
    synchronized (lock) {
      f = failure;
    }
    if (f != null) {
      throw new StorageException("writes are refused while the data directory cannot be written: " + f.getMessage()
          + " (reads and the network keep working; writes are accepted again once it can)", f);
    }
  }

  /**
   * Completes once every change up to {@code seq} is saved; fails with {@link StorageException} if
   * the batch holding it is refused, or the journal closes before.
   */
  CompletableFuture<Void> whenSaved(long seq) {
    synchronized (lock) {
      if (seq <= saved) {
        return DONE;
      }
      if (failure != null) {
        return CompletableFuture.failedFuture(notSaved(failure));
      }
      if (closing && !thread.isAlive()) {
        return CompletableFuture.failedFuture(new IllegalStateException("the socket is closed"));
      }
      CompletableFuture<Void> f = new CompletableFuture<>();
      waiters.add(new Waiter(seq, f));
      return f;
    }
  }

  /** Changes recorded but not yet saved (a measure of how far the disk is behind). */
  int backlog() {
    synchronized (lock) {
      return pending.size();
    }
  }

  /** Syncs to stable storage since open. */
  long syncs() {
    return kv.syncs();
  }

  // ---------------------------------------------------------------- the journal's thread

  private void run() {
    boolean reported = false;
    while (true) {
      LinkedHashMap<Bytes, Object> batch;
      Map<String, byte[]> meta;
      long upTo;
      synchronized (lock) {
        while (pending.isEmpty() && pendingMeta.isEmpty() && !closing) {
          idle = true;
          waitQuietly(0);
        }
        if (pending.isEmpty() && pendingMeta.isEmpty()) {
          break; // closing, everything saved
        }
        batch = pending;
        pending = new LinkedHashMap<>();
        meta = new LinkedHashMap<>(pendingMeta);
        pendingMeta.clear();
        upTo = recorded;
      }
      try {
        write(batch, meta);
        synchronized (lock) {
          saved = upTo;
          failure = null;
          complete(upTo, null);
        }
        if (reported) {
          reported = false;
          log.info("the data directory {} accepts writes again", where);
          status.accept("the data directory " + where + " accepts writes again");
        }
      } catch (StorageException e) {
        boolean closingNow;
        synchronized (lock) {
          for (Map.Entry<Bytes, Object> c : batch.entrySet()) {
            pending.putIfAbsent(c.getKey(), c.getValue()); // a newer change of the key stays
          }
          meta.forEach(pendingMeta::putIfAbsent);
          failure = e;
          complete(upTo, notSaved(e));
          closingNow = closing;
        }
        if (!reported) {
          reported = true;
          log.error("cannot save to the data directory {}: {}; local writes are refused until it can, retrying "
              + "every {} ms", where, e.getMessage(), RETRY_MILLIS);
          status.accept("cannot save to the data directory " + where + ": " + e.getMessage()
              + "; local writes are refused until it can");
        }
        if (closingNow) {
          log.error("closing with {} changes not saved to {}: they come back from peers through anti-entropy",
              backlog(), where);
          break;
        }
        synchronized (lock) {
          waitQuietly(RETRY_MILLIS);
        }
        kv.resume();
      }
    }
    synchronized (lock) {
      complete(Long.MAX_VALUE, new IllegalStateException("the socket is closed"));
    }
  }

  /** One atomic batch: every change, however many, so that a crash keeps all of it or none. */
  private void write(LinkedHashMap<Bytes, Object> batch, Map<String, byte[]> meta) {
    KeyValueStore.Batch b = new KeyValueStore.Batch();
    for (Map.Entry<Bytes, Object> c : batch.entrySet()) {
      byte[] key = c.getKey().toByteArray();
      if (c.getValue() == REMOVED) {
        b.delete(Column.ENTRIES, key);
      } else if (c.getValue() instanceof SignedState s) {
        b.put(Column.ENTRIES, key, DiskRecords.encode(c.getKey(), s.state(), s.signed(), s.others()));
      } else {
        b.put(Column.ENTRIES, key, DiskRecords.encode(c.getKey(), (Store.Entry) c.getValue(), null));
      }
    }
    meta.forEach((name, value) -> b.put(Column.META, meta(name), value));
    kv.write(b, sync);
  }

  private void complete(long upTo, @Nullable RuntimeException error) {
    while (!waiters.isEmpty() && waiters.peek().seq() <= upTo) {
      Waiter w = waiters.poll();
      if (error == null) {
        w.future().complete(null);
      } else {
        w.future().completeExceptionally(error);
      }
    }
  }

  private StorageException notSaved(StorageException cause) {
    return new StorageException("the write is applied here and sent to peers, but could not be saved to " + where
        + ": " + cause.getMessage() + " (a restart before it is saved loses it here; peers that received it give it back)",
        cause);
  }

  private void waitQuietly(long millis) {
    try {
      lock.wait(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      closing = true;
    }
  }

  /** Saves what is recorded, then stops the thread; waits up to 30 s for it. Idempotent. */
  @Override
  public void close() {
    synchronized (lock) {
      closing = true;
      lock.notifyAll();
    }
    try {
      thread.join(30_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
