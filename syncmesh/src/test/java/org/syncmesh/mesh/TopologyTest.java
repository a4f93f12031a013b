package org.syncmesh.mesh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.syncmesh.testing.NetworkTestRule;

/**
 * Broadcast delivery on fixed topologies: every broadcast reaches every other node's queue exactly
 * once, however many paths lead there. Auto-connect is off (max outgoing 0) so the topology stays
 * what the test built.
 */
final class TopologyTest {

  private static final Duration WAIT = Duration.ofSeconds(20);

  @RegisterExtension final NetworkTestRule net = new NetworkTestRule();

  static Stream<Arguments> topologies() {
    return Stream.of(2, 5, 10).flatMap(n -> Stream.of(
        Arguments.of("chain", n, chain(n)),
        Arguments.of("star", n, star(n)),
        Arguments.of("random", n, random(n, 42 + n))));
  }

  @ParameterizedTest(name = "{0} of {1}")
  @MethodSource("topologies")
  void everyBroadcastReachesEveryNodeExactlyOnce(String shape, int n, List<int[]> edges) {
    List<MeshSocket> nodes = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      nodes.add(net.track(new MeshSocket.Builder().maxOutgoing(0).build()));
    }
    List<CompletableFuture<PeerInfo>> links = new ArrayList<>();
    for (int[] e : edges) {
      links.add(nodes.get(e[0]).connect("127.0.0.1", nodes.get(e[1]).port()));
    }
    CompletableFuture.allOf(links.toArray(CompletableFuture[]::new)).orTimeout(20, TimeUnit.SECONDS).join();
    Map<Integer, Integer> degree = new HashMap<>();
    for (int[] e : edges) {
      degree.merge(e[0], 1, Integer::sum);
      degree.merge(e[1], 1, Integer::sum);
    }
    await("every link registered at both ends").atMost(WAIT).untilAsserted(() -> {
      for (int i = 0; i < n; i++) {
        assertThat(nodes.get(i).routingTable()).as("node %d's peers", i).hasSize(degree.get(i));
      }
    });

    List<List<String>> received = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      received.add(new ArrayList<>());
    }
    for (String round : List.of("first", "sentinel")) {
      for (int i = 0; i < n; i++) {
        nodes.get(i).send(round, (long) i);
      }
      int expected = (round.equals("first") ? 1 : 2) * (n - 1);
      await(shape + " of " + n + ": every node to hold " + expected + " messages").atMost(WAIT).untilAsserted(() -> {
        for (int i = 0; i < n; i++) {
          for (Message m : nodes.get(i).recv(Integer.MAX_VALUE)) {
            received.get(i).add(m.packets().get(0) + "/" + m.packets().get(1) + "/" + m.sender());
          }
          assertThat(received.get(i)).as("node %d", i).hasSizeGreaterThanOrEqualTo(expected);
        }
      });
    }
    for (int i = 0; i < n; i++) {
      Set<String> expected = new HashSet<>();
      for (int j = 0; j < n; j++) {
        if (j != i) {
          expected.add("first/" + j + "/" + nodes.get(j).id());
          expected.add("sentinel/" + j + "/" + nodes.get(j).id());
        }
      }
      assertThat(received.get(i)).as("node %d's messages", i).doesNotHaveDuplicates()
          .containsExactlyInAnyOrderElementsOf(expected);
      assertThat(nodes.get(i).status()).isEqualTo("Nominal");
    }
  }

  private static List<int[]> chain(int n) {
    List<int[]> edges = new ArrayList<>();
    for (int i = 1; i < n; i++) {
      edges.add(new int[] {i, i - 1});
    }
    return edges;
  }

  private static List<int[]> star(int n) {
    List<int[]> edges = new ArrayList<>();
    for (int i = 1; i < n; i++) {
      edges.add(new int[] {i, 0});
    }
    return edges;
  }

  /** A random spanning tree plus about n/2 extra edges (cycles), reproducible from the seed. */
  private static List<int[]> random(int n, long seed) {
    Random rnd = new Random(seed);
    List<int[]> edges = new ArrayList<>();
    Set<Long> present = new HashSet<>();
    for (int i = 1; i < n; i++) {
      int j = rnd.nextInt(i);
      edges.add(new int[] {i, j});
      present.add(key(i, j));
    }
    for (int k = 0; k < n / 2; k++) {
      int a = rnd.nextInt(n);
      int b = rnd.nextInt(n);
      if (a != b && present.add(key(a, b))) {
        edges.add(new int[] {a, b});
      }
    }
    return edges;
  }

  private static long key(int a, int b) {
    return (long) Math.min(a, b) << 32 | Math.max(a, b);
  }
}
