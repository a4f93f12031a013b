package org.syncmesh.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.syncmesh.testing.NetworkTestRule;

/**
 * Nodes whose injected clocks disagree. Within the allowed drift (60 s by default) a skewed node
 * converges with the others; 10 minutes ahead, its writes are refused by them and, once
 * anti-entropy has measured the clocks, it refuses its own writes, naming the peer, and says so in
 * its status. The clocks run (the system clock, offset): anti-entropy rounds are timed by them.
 */
final class ClockSkewTest {

  private static final Duration WAIT = Duration.ofSeconds(20);

  @RegisterExtension final NetworkTestRule net = new NetworkTestRule();

  private SyncSocket node(Duration skew) {
    return Cluster.node(net, true, b -> b.clock(Clock.offset(Clock.systemUTC(), skew)));
  }

  /**
   * One skewed node among two on time. A node 30 s ahead and one 30 s behind are 60 s apart, the
   * allowed drift itself, so they are tested each with on-time nodes, and together under a larger
   * allowed drift ({@link #thirtySecondsAheadAndBehind_inOneMesh_convergeWithinALargerAllowedDrift}).
   */
  @ParameterizedTest(name = "skew {0} s")
  @ValueSource(ints = {30, -30})
  void nodeThirtySecondsOff_convergesWithTheOthers(int skewSeconds) {
    List<SyncSocket> nodes = List.of(node(Duration.ZERO), node(Duration.ZERO), node(Duration.ofSeconds(skewSeconds)));
    convergeWithWritesFromEach(nodes);
  }

  @Test
  void thirtySecondsAheadAndBehind_inOneMesh_convergeWithinALargerAllowedDrift() {
    List<SyncSocket> nodes = new ArrayList<>();
    for (int skew : new int[] {0, 30, -30, 0}) {
      nodes.add(Cluster.node(net, true, b -> b.maxClockDrift(Duration.ofSeconds(90))
          .clock(Clock.offset(Clock.systemUTC(), Duration.ofSeconds(skew)))));
    }
    convergeWithWritesFromEach(nodes);
  }

  private void convergeWithWritesFromEach(List<SyncSocket> nodes) {
    Cluster.fullMesh(net, nodes);
    for (SyncSocket n : nodes) {
      n.set("from " + n.port(), n.port());
      n.set("gone " + n.port(), "soon deleted");
      n.applyDelta("map " + n.port(), java.util.Map.of("f", n.port()));
    }
    for (SyncSocket n : nodes) {
      assertThat(n.del("gone " + n.port())).isTrue();
    }
    Cluster.awaitIdentical(nodes, WAIT, "skewed clocks");
    for (SyncSocket n : nodes) {
      for (SyncSocket writer : nodes) {
        assertThat(n.get("from " + writer.port())).as(n + " holds " + writer + "'s write").contains((long) writer.port());
        assertThat(n.meta("gone " + writer.port())).get().extracting(MetaTuple::deleted).isEqualTo(true);
        assertThat(n.meta("from " + writer.port()).orElseThrow().owner()).isEqualTo(writer.id());
      }
      assertThat(n.size()).isEqualTo(2 * nodes.size());
      assertThat(n.statusErrors()).as(n + " status").isEmpty();
    }
    // A write after the others' still lands everywhere, whoever's clock is ahead.
    for (SyncSocket n : nodes) {
      n.set("from " + n.port(), "again");
    }
    Cluster.awaitIdentical(nodes, WAIT, "skewed clocks, second writes");
    assertThat(nodes.get(0).get("from " + nodes.get(nodes.size() - 1).port())).contains("again");
  }

  /**
   * The smaller id of two peers starts their anti-entropy rounds, so both cases are run: the node
   * ahead leading the rounds with both others, and following them.
   */
  @ParameterizedTest(name = "the node ahead leads the rounds: {0}")
  @ValueSource(booleans = {true, false})
  void nodeTenMinutesAhead_isRefusedByTheOthers_andThenRefusesItsOwnWrites(boolean futureLeads) {
    SyncSocket a = node(Duration.ZERO);
    SyncSocket b = node(Duration.ZERO);
    SyncSocket future = nodeAhead(Duration.ofMinutes(10), futureLeads, a, b);
    future.set("from the future", "early"); // before any link: nothing has measured the clocks yet
    Cluster.link(net, b, a);
    Cluster.link(net, future, a);
    Cluster.link(net, future, b);

    for (SyncSocket n : List.of(a, b)) {
      await(n + " to refuse the future node's write").atMost(WAIT).until(() -> n.statusErrors().stream()
          .anyMatch(e -> e.contains("refused") && e.contains("from the future") && e.contains("ahead of this node's clock")));
      assertThat(n.get("from the future")).as(n + " never applies it").isEmpty();
    }

    try {
      await("the future node to refuse its own writes").atMost(WAIT)
          .until(() -> catchThrowable(() -> future.set("later", 1)) instanceof ClockDriftException);
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      throw new AssertionError(e.getMessage() + "; ids future " + future.id() + ", a " + a.id() + ", b " + b.id()
          + "; future's peers " + future.peerSync() + "; a's " + a.peerSync() + "; b's " + b.peerSync()
          + "; statuses " + future.statusErrors() + " / " + a.statusErrors() + " / " + b.statusErrors(), e);
    }
    ClockDriftException refused = (ClockDriftException) catchThrowable(() -> future.set("later", 2));
    assertThat(refused.local()).isTrue();
    assertThat(refused.getMessage()).contains("local writes refused", "ahead of peer")
        .containsAnyOf(a.id(), b.id());
    assertThat(future.get("later")).isEmpty();
    assertThat(future.statusErrors()).as("the future node's status")
        .anyMatch(e -> e.contains("ahead of peer") && (e.contains(a.id()) || e.contains(b.id())));

    // The nodes on time still write, and reach each other and the node ahead.
    a.set("from a", "on time");
    await("b and the future node to hold a's write").atMost(WAIT)
        .until(() -> b.get("from a").isPresent() && future.get("from a").isPresent());
    Cluster.awaitIdentical(List.of(a, b), WAIT, "the nodes on time");
    assertThat(future.get("from the future")).as("its own write stays with it").contains("early");
  }

  /**
   * A node {@code skew} ahead whose id is below both others' ({@code leads}) or above both: ids are
   * random, so candidates are drawn until one is on the wanted side (each is with odds 1/3).
   */
  private SyncSocket nodeAhead(Duration skew, boolean leads, SyncSocket a, SyncSocket b) {
    for (int tries = 0; tries < 60; tries++) {
      SyncSocket candidate = node(skew);
      int vsA = candidate.id().compareTo(a.id());
      int vsB = candidate.id().compareTo(b.id());
      if (leads ? vsA < 0 && vsB < 0 : vsA > 0 && vsB > 0) {
        return candidate;
      }
      candidate.close();
    }
    throw new AssertionError("no node id on the wanted side of " + a.id() + " and " + b.id() + " in 60 draws");
  }
}
