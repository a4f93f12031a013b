package org.syncmesh.sync;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.syncmesh.testing.NetworkTestRule;
import org.syncmesh.testing.Seeded;

/**
 * Nodes linked pairwise through {@link org.syncmesh.testing.FaultProxy} instances are split in two
 * sides, five times over. During each partition both sides write the same keys and keys of their
 * own, and one side deletes keys that existed before; after {@code heal()} the links come back by
 * themselves (no test dials again) and every node ends with the same whole state, the deleted keys
 * deleted everywhere. The sides are drawn from a seed ({@code -Dsyncmesh.seed=N} replays).
 */
final class PartitionHealTest {

  private static final int ROUNDS = 5;
  private static final int KEYS = 10;
  private static final Duration WAIT = Duration.ofSeconds(30);

  @RegisterExtension final NetworkTestRule net = new NetworkTestRule();

  @ParameterizedTest(name = "{0} nodes, leasing {1}")
  @CsvSource({"3, true", "3, false", "6, true", "6, false"})
  void fivePartitionsWithWritesOnBothSides_healByThemselves_andEndIdentical(int count, boolean leasing) {
    long seed = Seeded.seed();
    try {
      run(count, leasing, new SplittableRandom(seed));
    } catch (AssertionError | RuntimeException e) {
      throw new AssertionError("seed " + seed + " (replay with -Dsyncmesh.seed=" + seed + "): " + e.getMessage(), e);
    }
  }

  private void run(int count, boolean leasing, SplittableRandom random) {
    List<SyncSocket> nodes = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      nodes.add(Cluster.node(net, leasing));
    }
    List<Cluster.Link> links = Cluster.fullMesh(net, nodes);
    List<String> deleted = new ArrayList<>();
    List<String> kept = new ArrayList<>();

    for (int r = 0; r < ROUNDS; r++) {
      List<SyncSocket> sideA = new ArrayList<>();
      List<SyncSocket> sideB = new ArrayList<>();
      for (SyncSocket n : nodes) {
        (random.nextBoolean() ? sideA : sideB).add(n);
      }
      if (sideA.isEmpty()) {
        sideA.add(sideB.remove(0));
      } else if (sideB.isEmpty()) {
        sideB.add(sideA.remove(0));
      }
      SyncSocket writerA = sideA.get(random.nextInt(sideA.size()));
      SyncSocket writerB = sideB.get(random.nextInt(sideB.size()));
      String context = "round " + r + ", sides " + ports(sideA) + " | " + ports(sideB);

      for (int k = 0; k < KEYS; k++) {
        writerA.set("pre/" + r + "/" + k, "before " + r);
      }
      Cluster.awaitIdentical(nodes, WAIT, context + ", before the partition");

      List<Cluster.Link> crossing = links.stream().filter(l -> l.crosses(sideA)).toList();
      crossing.forEach(l -> l.proxy().partition());
      Cluster.awaitDown(crossing, WAIT, context);

      for (int k = 0; k < KEYS; k++) {
        writerA.set("same/" + r + "/" + k, "A" + k);
        writerB.set("same/" + r + "/" + k, "B" + k);
        writerA.set("a/" + r + "/" + k, k);
        writerB.set("b/" + r + "/" + k, List.of(r, k));
      }
      for (int k = 0; k < KEYS / 2; k++) {
        String key = "pre/" + r + "/" + k;
        assertThat(writerA.del(key)).as(key + " held a value before its delete").isTrue();
        deleted.add(key);
      }
      for (int k = KEYS / 2; k < KEYS; k++) {
        kept.add("pre/" + r + "/" + k);
      }
      assertThat(writerB.get("a/" + r + "/0")).as("side B cannot hear side A (" + context + ")").isEmpty();

      crossing.forEach(l -> l.proxy().heal());
      Cluster.awaitUp(links, WAIT, context);
      Cluster.awaitIdentical(nodes, WAIT, context + ", after the heal");

      for (SyncSocket n : nodes) {
        for (int k = 0; k < KEYS; k++) {
          assertThat(n.get("a/" + r + "/" + k)).as(n + " " + context).contains((long) k);
          assertThat(n.get("b/" + r + "/" + k)).as(n + " " + context).contains(List.of((long) r, (long) k));
          assertThat(n.get("same/" + r + "/" + k, null)).as(n + " " + context).isIn("A" + k, "B" + k);
        }
      }
    }
    for (SyncSocket n : nodes) {
      var keys = n.keys();
      for (String key : deleted) {
        assertThat(n.meta(key)).as(key + " on " + n).get().extracting(MetaTuple::deleted).isEqualTo(true);
        assertThat(keys).as("keys() of " + n).doesNotContain(org.syncmesh.Bytes.utf8(key));
        assertThat(n.get(key)).as(key + " on " + n).isEmpty();
      }
      for (String key : kept) {
        assertThat(n.get(key)).as(key + " on " + n).isPresent();
      }
      assertThat(n.size()).isEqualTo(ROUNDS * (KEYS * 3 + KEYS / 2));
    }
  }

  private static List<Integer> ports(List<SyncSocket> side) {
    return side.stream().map(SyncSocket::port).toList();
  }
}
