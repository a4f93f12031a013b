package org.syncmesh.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.syncmesh.Hlc;
import org.syncmesh.Version;

/** {@link HybridClock} on a {@link FakeClock}: ticks, observations, overflow and drift (docs/extension-v1.md). */
final class HybridClockTest {
  private static final long T0 = 1_700_000_000L; // seconds
  private static final String ME = "M".repeat(66);
  private static final String PEER = "P".repeat(66);

  private final FakeClock time = new FakeClock(T0);
  private final HybridClock clock = new HybridClock(ME, time);

  @Test
  void aTickFollowsPhysicalTimeWhenItMoves() {
    assertThat(clock.tick()).isEqualTo(new Version(Hlc.of(T0 * 1000, 0), ME));
    time.advanceMillis(5);
    assertThat(clock.tick().hlc()).isEqualTo(Hlc.of(T0 * 1000 + 5, 0));
  }

  @Test
  void ticksInOneMillisecondCount() {
    Version first = clock.tick();
    Version second = clock.tick();
    Version third = clock.tick();
    assertThat(Hlc.counter(second.hlc())).isEqualTo(1);
    assertThat(Hlc.counter(third.hlc())).isEqualTo(2);
    assertThat(first).isLessThan(second).isLessThan(third);
    assertThat(Hlc.millis(third.hlc())).isEqualTo(T0 * 1000);
  }

  @Test
  void ticksStayMonotonicWhenTheClockGoesBack() {
    time.advanceMillis(10_000);
    Version before = clock.tick();
    time.advanceMillis(-30_000); // within the drift: still allowed, and still later
    Version after = clock.tick();
    assertThat(after).isGreaterThan(before);
    assertThat(after.hlc()).isEqualTo(before.hlc() + 1);
  }

  @Test
  void aFullCounterMovesToTheNextMillisecond() {
    clock.observe(new Version(Hlc.of(T0 * 1000, Hlc.MAX_COUNTER - 1), PEER));
    Version last = clock.tick();
    assertThat(Hlc.counter(last.hlc())).isEqualTo(Hlc.MAX_COUNTER);
    Version next = clock.tick();
    assertThat(next.hlc()).isEqualTo(Hlc.of(T0 * 1000 + 1, 0));
    assertThat(next).isGreaterThan(last);
  }

  @Test
  void anObservedVersionAdvancesTheClock_soTheNextTickIsLater() {
    Version remote = new Version(Hlc.of(T0 * 1000 + 20_000, 9), PEER);
    clock.observe(remote);
    assertThat(clock.last()).isEqualTo(remote.hlc());
    Version mine = clock.tick();
    assertThat(mine).isGreaterThan(remote);
    assertThat(mine.hlc()).isEqualTo(remote.hlc() + 1);
  }

  @Test
  void anOlderObservedVersionChangesNothing() {
    time.advanceMillis(1_000);
    Version mine = clock.tick();
    clock.observe(new Version(Hlc.of(T0 * 1000, 3), PEER));
    assertThat(clock.last()).isEqualTo(mine.hlc());
  }

  @Test
  void aTieOnTheClockIsSettledByWriterId() {
    Version remote = new Version(Hlc.of(T0 * 1000, 0), PEER);
    Version mine = new Version(remote.hlc(), ME);
    assertThat(mine).as("M < P").isLessThan(remote);
  }

  @Test
  void aRemoteVersionBeyondTheDriftIsRefused_andLeavesTheClockAlone() {
    Version atLimit = new Version(Hlc.of(T0 * 1000 + 60_000, Hlc.MAX_COUNTER), PEER);
    clock.observe(atLimit); // exactly 60 s ahead: allowed
    assertThat(clock.last()).isEqualTo(atLimit.hlc());

    Version beyond = new Version(Hlc.of(T0 * 1000 + 60_001, 0), PEER);
    assertThatThrownBy(() -> clock.observe(beyond))
        .isInstanceOfSatisfying(ClockDriftException.class, e -> {
          assertThat(e.local()).isFalse();
          assertThat(e.hlc()).isEqualTo(beyond.hlc());
          assertThat(e.aheadBy()).isEqualTo(Duration.ofMillis(60_001));
          assertThat(e.maxDrift()).isEqualTo(Duration.ofSeconds(60));
        })
        .hasMessageContaining("refused version").hasMessageContaining("60.001 s ahead").hasMessageContaining(PEER);
    assertThat(clock.last()).isEqualTo(atLimit.hlc());
  }

  @Test
  void theDriftIsConfigurable() {
    HybridClock strict = new HybridClock(ME, time, Duration.ofSeconds(1));
    assertThatThrownBy(() -> strict.observe(new Version(Hlc.of(T0 * 1000 + 1_001, 0), PEER)))
        .isInstanceOf(ClockDriftException.class);
    assertThatThrownBy(() -> new HybridClock(ME, time, Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new HybridClock("", time)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void localWritesAreRefusedWhileTheClockIsFarBehindItsVersions_andResumeWhenItCatchesUp() {
    time.advanceMillis(50_000);
    Version issued = clock.tick();
    time.advanceMillis(-60_001); // the clock jumps back: now 60.001 s behind what it issued

    assertThatThrownBy(clock::tick)
        .isInstanceOfSatisfying(ClockDriftException.class, e -> {
          assertThat(e.local()).isTrue();
          assertThat(e.aheadBy()).isEqualTo(Duration.ofMillis(60_001));
        })
        .hasMessageContaining("local writes refused");
    assertThat(clock.last()).as("a refused tick changes nothing").isEqualTo(issued.hlc());

    time.advanceMillis(1); // exactly 60 s behind: allowed again
    assertThat(clock.tick()).isGreaterThan(issued);
  }

  @Test
  void physicalTimeBeforeTheEpochCountsAsTheEpoch_andNoTickIsZero() {
    FakeClock early = new FakeClock(-5);
    HybridClock c = new HybridClock(ME, early);
    assertThat(c.tick().hlc()).as("0 stays 'nothing yet'").isEqualTo(Hlc.of(0, 1));
    assertThat(c.tick().hlc()).isEqualTo(Hlc.of(0, 2));
  }
}
