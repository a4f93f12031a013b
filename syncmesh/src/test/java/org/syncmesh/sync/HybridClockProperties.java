package org.syncmesh.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.syncmesh.testing.Seeded.forAll;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.syncmesh.Hlc;
import org.syncmesh.Version;
import org.syncmesh.testing.Gen;

/**
 * Seeded histories of several simulated nodes, each with its own skewed {@link FakeClock} that
 * moves forward, stands still or jumps back, which tick, pass versions to each other in any order
 * and observe them. Whatever the interleaving: every tick is greater than everything its node
 * ticked or observed before (so a version received before a write is always less than the
 * write's), no two ticks are equal, and drift refusals happen exactly when the documented bound
 * is crossed. Replay a failure with the command it prints.
 */
final class HybridClockProperties {
  private static final long T0_SECONDS = 1_700_000_000L;
  private static final long DRIFT_MILLIS = HybridClock.DEFAULT_MAX_DRIFT.toMillis();

  /** One step: {@code node} ticks, observes in-flight version number {@code arg}, or moves its clock by {@code arg} ms. */
  record Step(String kind, int node, long arg) {}

  /** A history: the nodes' initial skews and the steps. */
  record History(List<Long> skewsMillis, List<Step> steps) {}

  private static History history(Gen gen) {
    int nodes = gen.intBetween(2, 5);
    List<Long> skews = new ArrayList<>();
    for (int i = 0; i < nodes; i++) {
      skews.add(gen.longBetween(-90_000, 90_000)); // some pairs beyond the drift, most within
    }
    List<Step> steps = gen.listOf(300, () -> {
      int node = gen.intBetween(0, nodes - 1);
      return switch (gen.intBetween(0, 5)) {
        case 0, 1 -> new Step("tick", node, 0);
        case 2, 3 -> new Step("observe", node, gen.intBetween(0, 1 << 20));
        case 4 -> new Step("move", node, gen.longBetween(-2_000, 5_000));
        default -> new Step("move", node, gen.pick(0L, 1L, -70_000L, 70_000L));
      };
    });
    return new History(skews, steps);
  }

  @Test
  void ticksFollowEverythingTheirNodeTickedOrObserved() {
    forAll(300, HybridClockProperties::history, h -> {
      int n = h.skewsMillis().size();
      List<FakeClock> times = new ArrayList<>();
      List<HybridClock> clocks = new ArrayList<>();
      long[] seen = new long[n]; // per node: the largest hlc ticked or observed, by our own bookkeeping
      for (int i = 0; i < n; i++) {
        FakeClock t = new FakeClock(T0_SECONDS);
        t.advanceMillis(h.skewsMillis().get(i));
        times.add(t);
        clocks.add(new HybridClock("node" + i, t));
      }
      List<Version> inFlight = new ArrayList<>();
      Set<Version> ticked = new HashSet<>();
      for (Step s : h.steps()) {
        HybridClock clock = clocks.get(s.node());
        long now = times.get(s.node()).millis();
        switch (s.kind()) {
          case "tick" -> {
            if (Hlc.millis(seen[s.node()]) - now > DRIFT_MILLIS) {
              assertThatThrownBy(clock::tick).as("%s", s).isInstanceOf(ClockDriftException.class);
              continue;
            }
            Version v = clock.tick();
            assertThat(v.hlc()).as("%s after %s", s, Hlc.format(seen[s.node()])).isGreaterThan(seen[s.node()]);
            assertThat(Hlc.millis(v.hlc())).as("never behind physical time").isGreaterThanOrEqualTo(now);
            assertThat(ticked.add(v)).as("unique: %s", v).isTrue();
            seen[s.node()] = v.hlc();
            inFlight.add(v);
          }
          case "observe" -> {
            if (inFlight.isEmpty()) {
              continue;
            }
            Version remote = inFlight.get((int) (s.arg() % inFlight.size()));
            if (Hlc.millis(remote.hlc()) - now > DRIFT_MILLIS) {
              assertThatThrownBy(() -> clock.observe(remote)).as("%s of %s", s, remote)
                  .isInstanceOf(ClockDriftException.class);
            } else {
              clock.observe(remote);
              seen[s.node()] = Math.max(seen[s.node()], remote.hlc());
            }
          }
          default -> times.get(s.node()).advanceMillis(s.arg());
        }
        assertThat(clock.last()).as("the clock's own account after %s", s).isEqualTo(seen[s.node()]);
      }
    });
  }
}
