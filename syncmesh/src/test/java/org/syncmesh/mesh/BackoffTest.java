package org.syncmesh.mesh;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LongSummaryStatistics;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.syncmesh.testing.Seeded;

/** The redial backoff: exponential from 100 ms, capped at 30 s, full jitter (Redialer's pure functions). */
final class BackoffTest {

  private static final long INITIAL = 100;
  private static final long MAX = 30_000;

  @Test
  void ceilingStartsAtInitialAndDoublesPerFailure() {
    assertThat(Redialer.ceilingMillis(0, INITIAL, MAX)).isEqualTo(100);
    assertThat(Redialer.ceilingMillis(1, INITIAL, MAX)).isEqualTo(200);
    assertThat(Redialer.ceilingMillis(2, INITIAL, MAX)).isEqualTo(400);
    for (int failures = 0; failures < 8; failures++) {
      assertThat(Redialer.ceilingMillis(failures + 1, INITIAL, MAX))
          .as("after %d failures", failures + 1)
          .isEqualTo(2 * Redialer.ceilingMillis(failures, INITIAL, MAX));
    }
  }

  @Test
  void ceilingIsCappedAndNeverOverflows() {
    assertThat(Redialer.ceilingMillis(8, INITIAL, MAX)).isEqualTo(25_600);
    assertThat(Redialer.ceilingMillis(9, INITIAL, MAX)).isEqualTo(MAX);
    for (int failures : new int[] {10, 30, 56, 57, 61, 62, 63, 64, 1000, Integer.MAX_VALUE}) {
      assertThat(Redialer.ceilingMillis(failures, INITIAL, MAX)).as("after %d failures", failures).isEqualTo(MAX);
    }
    // A huge initial delay: shifting it would overflow a long.
    assertThat(Redialer.ceilingMillis(3, Long.MAX_VALUE / 2, Long.MAX_VALUE - 1)).isEqualTo(Long.MAX_VALUE - 1);
    assertThat(Redialer.ceilingMillis(0, 5, 5)).isEqualTo(5);
  }

  @Test
  void delayIsWithinZeroAndTheCeiling() {
    Seeded.forAll(2000, gen -> new long[] {gen.intBetween(0, 80, 0, 1, 9, 62, 63), gen.longBetween(1, 10_000, 1),
        gen.longBetween(0, 100_000, 0), gen.anyLong()}, v -> {
          int failures = (int) v[0];
          long initial = v[1];
          long max = initial + v[2];
          long delay = Redialer.delayMillis(failures, initial, max, new SplittableRandom(v[3]));
          assertThat(delay).isBetween(0L, Redialer.ceilingMillis(failures, initial, max));
        });
  }

  @Test
  void jitterSpreadsOverTheWholeRange() {
    SplittableRandom random = new SplittableRandom(Seeded.seed());
    for (int failures : new int[] {0, 4, 20}) {
      long ceiling = Redialer.ceilingMillis(failures, INITIAL, MAX);
      LongSummaryStatistics stats = new LongSummaryStatistics();
      for (int i = 0; i < 2000; i++) {
        stats.accept(Redialer.delayMillis(failures, INITIAL, MAX, random));
      }
      // Full jitter: uniform in [0, ceiling], so 2000 draws reach both ends and average about half.
      assertThat(stats.getMin()).as("least of 2000 delays, ceiling %d", ceiling).isLessThan(ceiling / 10);
      assertThat(stats.getMax()).as("greatest of 2000 delays, ceiling %d", ceiling).isGreaterThan(ceiling * 9 / 10);
      assertThat(stats.getAverage()).isBetween(ceiling * 0.4, ceiling * 0.6);
    }
  }
}
