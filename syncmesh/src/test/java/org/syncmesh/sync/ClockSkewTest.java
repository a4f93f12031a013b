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
    List<SyncSocket> three = twoOnTimeAndOneAhead(Duration.ofMinutes(10), futureLeads);
    SyncSocket a = three.get(0);
    SyncSocket b = three.get(1);
    SyncSocket future = three.get(2);
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
   * Three nodes on time, sorted by id; the smallest ({@code leads}) or the largest then moves
   * {@code skew} ahead, before any link or write, and is returned after the two others.
   */
  private List<SyncSocket> twoOnTimeAndOneAhead(Duration skew, boolean leads) {
    List<ShiftableClock> clocks = new ArrayList<>();
    List<SyncSocket> nodes = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      ShiftableClock clock = new ShiftableClock();
      SyncSocket n = Cluster.node(net, true, b -> b.clock(clock));
      clocks.add(clock);
      nodes.add(n);
    }
    int ahead = leads ? 0 : 2;
    List<Integer> byId = new ArrayList<>(List.of(0, 1, 2));
    byId.sort(java.util.Comparator.comparing(i -> nodes.get(i).id()));
    clocks.get(byId.get(ahead)).shift(skew);
    List<SyncSocket> ordered = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      if (i != ahead) {
        ordered.add(nodes.get(byId.get(i)));
      }
    }
    ordered.add(nodes.get(byId.get(ahead)));
    return ordered;
  }

  /** The system clock plus an offset a test may change. Thread-safe. */
  private static final class ShiftableClock extends Clock {
    private volatile Duration offset = Duration.ZERO;

    void shift(Duration by) {
      offset = offset.plus(by);
    }

    @Override
    public long millis() {
      return System.currentTimeMillis() + offset.toMillis();
    }

    @Override
    public java.time.Instant instant() {
      return java.time.Instant.ofEpochMilli(millis());
    }

    @Override
    public java.time.ZoneId getZone() {
      return java.time.ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }
  }
}
