package org.syncmesh.cli;

import java.util.AbstractList;
import java.util.Arrays;
import java.util.List;
import org.syncmesh.Bytes;
import org.syncmesh.json.JsonValues;

/**
 * The update arrivals a node records for benchmarks ({@code events on}, {@code arrivals}): each key
 * and the {@link System#nanoTime()} it arrived at, in two growing arrays. A key is held as the
 * store's own {@link Bytes} and turned into text only when taken, so recording 100,000 arrivals
 * costs about 1.2 MB instead of a queue node, a record and a string each (about 100 bytes), which
 * counted in the node's peak RSS the benchmark reports. Thread-safe: listeners add while the line
 * protocol takes.
 */
final class ArrivalLog {

  /** One recorded arrival: the key as text and when it was seen. */
  record Arrival(String key, long nanos) {}

  private static final int FIRST_CAPACITY = 256;

  private Bytes[] keys = new Bytes[FIRST_CAPACITY];
  private long[] nanos = new long[FIRST_CAPACITY];
  private int size;

  synchronized void add(Bytes key, long nanoTime) {
    if (size == keys.length) {
      keys = Arrays.copyOf(keys, size * 2);
      nanos = Arrays.copyOf(nanos, size * 2);
    }
    keys[size] = key;
    nanos[size] = nanoTime;
    size++;
  }

  /** The arrivals recorded since the last call, oldest first, as a view made one element at a time; the log is then empty. */
  synchronized List<Arrival> take() {
    Bytes[] takenKeys = keys;
    long[] takenNanos = nanos;
    int taken = size;
    keys = new Bytes[FIRST_CAPACITY];
    nanos = new long[FIRST_CAPACITY];
    size = 0;
    return new AbstractList<>() {
      @Override
      public Arrival get(int i) {
        return new Arrival(JsonValues.keyText(takenKeys[i]), takenNanos[i]);
      }

      @Override
      public int size() {
        return taken;
      }
    };
  }
}
