package org.syncmesh.sync;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.syncmesh.Bytes;
import org.syncmesh.testing.Gen;
import org.syncmesh.testing.Seeded;

/**
 * The convergence property without a network: replicas that make random writes (stores,
 * deletes, deltas, with and without leasing, with skewed clocks) and swap states in random
 * orders, with repeats, end identical once each has merged every other's state. And the merge
 * itself is a join: commutative, associative and idempotent on states real writes make.
 */
final class ResolutionPropertiesTest {

  private static final String[] IDS = {"Aaaa", "Mmmm", "Zzzz"};
  private static final Bytes[] KEYS = {Bytes.utf8("k0"), Bytes.utf8("k1"), Bytes.utf8("k2")};

  /** A generated history: leasing, and per step an operation code and its arguments. */
  record History(boolean leasing, List<int[]> steps) {}

  private static History history(Gen gen) {
    List<int[]> steps = new ArrayList<>();
    int n = gen.intBetween(1, 120);
    for (int i = 0; i < n; i++) {
      // [op, replica, key, other replica, value, seconds to advance]
      steps.add(new int[] {gen.intBetween(0, 5), gen.intBetween(0, 2), gen.intBetween(0, 2), gen.intBetween(0, 2),
          gen.intBetween(0, 3), gen.pick(0, 0, 1, 2, 30, 1800, 3601)});
    }
    return new History(gen.bool(), steps);
  }

  @Test
  void replicasThatSwapStatesInAnyOrder_endIdentical() {
    Seeded.forAll(500, ResolutionPropertiesTest::history, h -> {
      List<StoreTest.Recorder> clocks = new ArrayList<>();
      List<LocalStore> replicas = new ArrayList<>();
      for (int i = 0; i < IDS.length; i++) {
        StoreTest.Recorder r = new StoreTest.Recorder();
        r.now += i * 7; // skewed by a few seconds, well within the drift
        clocks.add(r);
        replicas.add(new LocalStore(IDS[i], h.leasing(), r));
      }
      for (int[] s : h.steps()) {
        clocks.forEach(c -> c.now += s[5]);
        LocalStore r = replicas.get(s[1]);
        Bytes key = KEYS[s[2]];
        try {
          switch (s[0]) {
            case 0 -> r.set(key, "v" + s[4]);
            case 1 -> r.set(key, null);
            case 2 -> r.delta(key, Map.of("f" + s[4], (long) s[4] + s[1] * 10));
            case 3 -> r.delta(key, Map.of("f" + (s[4] % 2), "x" + s[1], "g", (long) s[4]));
            default -> {
              Store.Entry other = replicas.get(s[3]).entry(key);
              if (other != null) {
                r.remote(key, other, IDS[s[3]]);
              }
            }
          }
        } catch (LeaseException | IllegalArgumentException refused) {
          // a lease or a delta onto a non-map: the write is not made, as the API promises
        }
      }
      List<Map<Bytes, Store.Entry>> before = new ArrayList<>();
      replicas.forEach(r -> before.add(snapshot(r)));
      for (int i = 0; i < replicas.size(); i++) {
        for (int j = replicas.size() - 1; j >= 0; j--) {
          for (Map.Entry<Bytes, Store.Entry> e : before.get(j).entrySet()) {
            replicas.get(i).remote(e.getKey(), e.getValue(), IDS[j]);
            replicas.get(i).remote(e.getKey(), e.getValue(), IDS[j]); // twice: idempotent
          }
        }
      }
      assertThat(snapshot(replicas.get(1))).isEqualTo(snapshot(replicas.get(0)));
      assertThat(snapshot(replicas.get(2))).isEqualTo(snapshot(replicas.get(0)));
    });
  }

  @Test
  void mergeIsAJoin() {
    Seeded.forAll(500, ResolutionPropertiesTest::history, h -> {
      List<Store.Entry> states = new ArrayList<>();
      List<StoreTest.Recorder> clocks = new ArrayList<>();
      List<LocalStore> writers = new ArrayList<>();
      for (String id : IDS) {
        StoreTest.Recorder r = new StoreTest.Recorder();
        clocks.add(r);
        writers.add(new LocalStore(id, h.leasing(), r));
      }
      for (int[] s : h.steps()) {
        clocks.forEach(c -> c.now += s[5]);
        LocalStore w = writers.get(s[1]);
        try {
          switch (s[0] % 3) {
            case 0 -> w.set(KEYS[0], "v" + s[4]);
            case 1 -> w.set(KEYS[0], null);
            default -> w.delta(KEYS[0], Map.of("f" + s[4], (long) s[1]));
          }
        } catch (LeaseException | IllegalArgumentException refused) {
          continue;
        }
        if (w.entry(KEYS[0]) != null) {
          states.add(w.entry(KEYS[0]));
        }
      }
      boolean leasing = h.leasing();
      for (int i = 0; i + 2 < states.size(); i += 3) {
        Store.Entry a = states.get(i);
        Store.Entry b = states.get(i + 1);
        Store.Entry c = states.get(i + 2);
        assertThat(Resolution.merge(a, b, leasing)).as("commutative").isEqualTo(Resolution.merge(b, a, leasing));
        assertThat(Resolution.merge(a, a, leasing)).as("idempotent").isEqualTo(a);
        assertThat(Resolution.merge(Resolution.merge(a, b, leasing), c, leasing)).as("associative")
            .isEqualTo(Resolution.merge(a, Resolution.merge(b, c, leasing), leasing));
      }
    });
  }

  private static Map<Bytes, Store.Entry> snapshot(LocalStore store) {
    Map<Bytes, Store.Entry> copy = new HashMap<>();
    store.entries().forEach(e -> copy.put(e.getKey(), e.getValue()));
    return copy;
  }
}
