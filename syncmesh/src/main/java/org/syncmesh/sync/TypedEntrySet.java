package org.syncmesh.sync;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.syncmesh.Bytes;

/**
 * The entry set of a {@link TypedSyncMap}: a live view of the socket's entries that the map's
 * codecs decode, decoded as iteration reaches them; tombstones and, with a report, undecodable
 * entries are skipped. Weakly consistent, as ConcurrentHashMap's views are; removals and
 * {@code setValue} write through the map. Thread-safe; each iterator is for one thread.
 */
final class TypedEntrySet<K, V> extends AbstractSet<Map.Entry<K, V>> {

  private final TypedSyncMap<K, V> map;

  TypedEntrySet(TypedSyncMap<K, V> map) {
    this.map = map;
  }

  @Override
  public Iterator<Map.Entry<K, V>> iterator() {
    return new Entries(map.socket().store().entries().iterator());
  }

  @Override
  public int size() {
    return map.size();
  }

  @Override
  public boolean contains(Object o) {
    if (!(o instanceof Map.Entry<?, ?> e) || e.getKey() == null || e.getValue() == null) {
      return false;
    }
    Store.Entry held = map.socket().store().live(map.keyOf(e.getKey()));
    return held != null && Objects.equals(map.storedFormOf(e.getValue()), held.value());
  }

  @Override
  public boolean remove(Object o) {
    return o instanceof Map.Entry<?, ?> e && e.getKey() != null && e.getValue() != null
        && map.remove(e.getKey(), e.getValue());
  }

  @Override
  public void clear() {
    map.clear();
  }

  /** Decodes as it goes, skipping tombstones and, with a report, what the codecs refuse. */
  private final class Entries implements Iterator<Map.Entry<K, V>> {
    private final Iterator<Map.Entry<Bytes, Store.Entry>> all;
    private @Nullable TypedEntry next;
    private @Nullable TypedEntry last;

    Entries(Iterator<Map.Entry<Bytes, Store.Entry>> all) {
      this.all = all;
    }

    @Override
    public boolean hasNext() {
      while (next == null && all.hasNext()) {
        Map.Entry<Bytes, Store.Entry> e = all.next();
        Object stored = e.getValue().value();
        if (stored == null) {
          continue;
        }
        try {
          next = new TypedEntry(e.getKey(), map.decodeKey(e.getKey()), map.decodeValue(e.getKey(), stored));
        } catch (UndecodableEntryException skipped) {
          // counted and reported by the map; iteration goes on
        }
      }
      return next != null;
    }

    @Override
    public Map.Entry<K, V> next() {
      if (!hasNext()) {
        throw new NoSuchElementException("no more entries");
      }
      last = next;
      next = null;
      return last;
    }

    /** Deletes the key last returned, whatever it holds now, as ConcurrentHashMap's iterators do. */
    @Override
    public void remove() {
      TypedEntry e = last;
      if (e == null) {
        throw new IllegalStateException("remove() before next(), or twice");
      }
      last = null;
      map.socket().del(e.stored);
    }
  }

  /** An entry as iteration saw it; {@link #setValue} writes through, as ConcurrentHashMap's entries do. */
  private final class TypedEntry extends AbstractMap.SimpleEntry<K, V> {
    private static final long serialVersionUID = 1L;
    final transient Bytes stored;

    TypedEntry(Bytes stored, K key, V value) {
      super(key, value);
      this.stored = stored;
    }

    @Override
    public V setValue(V value) {
      map.put(getKey(), value);
      return super.setValue(value);
    }
  }
}
