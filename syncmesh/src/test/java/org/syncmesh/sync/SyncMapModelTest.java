package org.syncmesh.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.syncmesh.testing.NetworkTestRule;
import org.syncmesh.testing.Seeded;

/**
 * Model-based test of {@link SyncMap}: seeded random sequences of every {@link ConcurrentMap}
 * method (and the async writes) on one node, each checked against a {@link ConcurrentHashMap}
 * given the same calls: same results, same contents after every step. A few keys and values, so
 * conditional operations meet both outcomes. A failure names the seed and the step;
 * {@code -Dsyncmesh.seed=N} replays it. The second variant also links a peer, which must end
 * holding exactly the oracle's contents.
 */
final class SyncMapModelTest {

  private static final int STEPS = 400;
  private static final List<String> KEYS = List.of("a", "b", "c", "dé", "e/1", "");
  private static final List<String> VALUES = List.of("x", "y", "z", "", "ünï");

  @RegisterExtension final NetworkTestRule net = new NetworkTestRule();

  @Test
  void everyMethod_matchesConcurrentHashMap_onOneNode() {
    long seed = Seeded.seed();
    SyncSocket node = net.track(new SyncSocket.Builder().maxOutgoing(0).build());
    run(seed, node.map(Codecs.string(), Codecs.string()), new ConcurrentHashMap<>());
  }

  @Test
  void everyMethod_matchesConcurrentHashMap_andAPeerEndsWithTheSameContents() {
    long seed = Seeded.seed();
    SyncSocket node = net.track(Cluster.fast(true).build());
    SyncSocket peer = net.track(Cluster.fast(true).build());
    peer.connect("127.0.0.1", node.port()).orTimeout(10, TimeUnit.SECONDS).join();
    ConcurrentMap<String, String> oracle = new ConcurrentHashMap<>();
    run(seed, node.map(Codecs.string(), Codecs.string()), oracle);
    SyncMap<String, String> there = peer.map(Codecs.string(), Codecs.string());
    await("the peer to hold the oracle's contents (seed " + seed + ")").atMost(Duration.ofSeconds(10))
        .until(() -> new HashMap<>(there).equals(oracle));
    assertThat(there).containsExactlyInAnyOrderEntriesOf(oracle);
  }

  private static void run(long seed, SyncMap<String, String> map, ConcurrentMap<String, String> oracle) {
    SplittableRandom random = new SplittableRandom(seed);
    List<String> log = new ArrayList<>();
    for (int step = 0; step < STEPS; step++) {
      String k = KEYS.get(random.nextInt(KEYS.size()));
      String v = VALUES.get(random.nextInt(VALUES.size()));
      String w = VALUES.get(random.nextInt(VALUES.size()));
      int op = random.nextInt(24);
      String call = describe(op, k, v, w);
      log.add(call);
      Object actual;
      Object expected;
      try {
        actual = apply(op, map, k, v, w);
        expected = apply(op, oracle, k, v, w);
        assertThat(actual).as("result of %s", call).isEqualTo(expected);
        assertThat(new HashMap<>(map)).as("contents after %s", call).isEqualTo(oracle);
        assertThat(map.size()).as("size after %s", call).isEqualTo(oracle.size());
      } catch (AssertionError | RuntimeException e) {
        throw new AssertionError("seed " + seed + " (replay with -D" + Seeded.SEED_PROPERTY + "=" + seed
            + "), step " + step + ": " + call + "\n  last steps: " + log.subList(Math.max(0, log.size() - 10), log.size())
            + "\n  " + e, e);
      }
    }
  }

  private static String describe(int op, String k, String v, String w) {
    return "op " + op + " (" + NAMES[op] + ") key \"" + k + "\" values \"" + v + "\", \"" + w + "\"";
  }

  private static final String[] NAMES = {"get", "containsKey", "containsValue", "put", "putIfAbsent", "remove",
      "remove(k, v)", "replace", "replace(k, o, n)", "computeIfAbsent", "computeIfPresent", "compute", "merge",
      "getOrDefault", "isEmpty", "putAll", "keySet", "values", "entrySet setValue", "iterator remove",
      "async put/remove", "clear", "replaceAll", "forEach"};

  /** Calls operation {@code op} on {@code m}; the returned value is what must match the oracle's. */
  private static Object apply(int op, ConcurrentMap<String, String> m, String k, String v, String w) {
    return switch (op) {
      case 0 -> Objects.toString(m.get(k));
      case 1 -> m.containsKey(k);
      case 2 -> m.containsValue(v);
      case 3 -> Objects.toString(m.put(k, v));
      case 4 -> Objects.toString(m.putIfAbsent(k, v));
      case 5 -> Objects.toString(m.remove(k));
      case 6 -> m.remove(k, v);
      case 7 -> Objects.toString(m.replace(k, v));
      case 8 -> m.replace(k, v, w);
      // a function returning null (for v == "") must leave the key alone / delete it
      case 9 -> Objects.toString(m.computeIfAbsent(k, key -> v.isEmpty() ? null : key + v));
      case 10 -> Objects.toString(m.computeIfPresent(k, (key, old) -> v.isEmpty() ? null : old.length() > 6 ? v : old + v));
      case 11 -> Objects.toString(m.compute(k, (key, old) -> v.isEmpty() ? null : old == null ? w : old.length() > 6 ? w : old + w));
      case 12 -> Objects.toString(m.merge(k, v, (old, given) -> w.isEmpty() ? null : old.length() > 6 ? given : old + given));
      case 13 -> m.getOrDefault(k, "default");
      case 14 -> m.isEmpty();
      case 15 -> {
        m.putAll(Map.of(k, v, k + "+", w));
        yield "done";
      }
      case 16 -> new java.util.TreeSet<>(m.keySet());
      case 17 -> sorted(m.values());
      case 18 -> {
        for (Map.Entry<String, String> e : m.entrySet()) {
          if (e.getKey().equals(k)) {
            String old = e.setValue(v);
            yield old + "->" + e.getValue();
          }
        }
        yield "absent";
      }
      case 19 -> {
        int removed = 0;
        for (Iterator<Map.Entry<String, String>> it = m.entrySet().iterator(); it.hasNext(); ) {
          if (it.next().getValue().equals(v)) {
            it.remove();
            removed++;
          }
        }
        yield removed;
      }
      case 20 -> {
        if (m instanceof SyncMap<String, String> s) {
          yield v.isEmpty() ? Objects.toString(s.removeAsync(k).orTimeout(10, TimeUnit.SECONDS).join())
              : Objects.toString(s.putAsync(k, v).orTimeout(10, TimeUnit.SECONDS).join());
        }
        yield Objects.toString(v.isEmpty() ? m.remove(k) : m.put(k, v));
      }
      case 21 -> {
        if (!v.equals("z")) { // rarely: a cleared map makes the rest of the run trivial
          yield "kept";
        }
        m.clear();
        yield "cleared";
      }
      case 22 -> {
        m.replaceAll((key, old) -> old.length() > 4 ? v : old + "!");
        yield "done";
      }
      case 23 -> {
        List<String> seen = new ArrayList<>();
        m.forEach((key, value) -> seen.add(key + "=" + value));
        yield sorted(seen);
      }
      default -> throw new IllegalArgumentException("op " + op);
    };
  }

  private static List<String> sorted(java.util.Collection<String> c) {
    List<String> l = new ArrayList<>(c);
    l.sort(null);
    return l;
  }
}
