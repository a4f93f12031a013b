package org.syncmesh.mesh;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import org.junit.jupiter.api.Test;
import org.syncmesh.Bytes;

final class WaterfallTest {

  private static final long T0 = 1_700_000_000L;

  private static Bytes id(int n) throws Exception {
    return Bytes.of(MessageDigest.getInstance("SHA-256").digest(ByteBuffer.allocate(4).putInt(n).array()));
  }

  @Test
  void duplicateIsRefusedAndNewIdAccepted() throws Exception {
    Waterfall w = new Waterfall();
    assertThat(w.firstSighting(id(1), T0, T0)).isTrue();
    assertThat(w.firstSighting(id(1), T0, T0)).isFalse();
    assertThat(w.firstSighting(id(2), T0, T0)).isTrue();
  }

  @Test
  void idsAreKeptAtLeast61Seconds() throws Exception {
    Waterfall w = new Waterfall();
    for (long t = T0; t < T0 + 300; t++) {
      assertThat(w.firstSighting(id((int) t), t, t)).isTrue();
      long seenAt = t - Waterfall.KEEP_SECONDS;
      if (seenAt >= T0) {
        // Seen 61 s ago, whatever the rotation phase: still a duplicate.
        assertThat(w.firstSighting(id((int) seenAt), seenAt, t)).as("seen at %d, asked at %d", seenAt, t).isFalse();
      }
    }
  }

  @Test
  void tooOldUsesTheSixtySecondRuleWithEqualityPassing() {
    assertThat(Waterfall.tooOld(T0 - 60, T0)).isFalse();
    assertThat(Waterfall.tooOld(T0 - 61, T0)).isTrue();
    assertThat(Waterfall.tooOld(T0 + 100_000, T0)).isFalse();
  }

  @Test
  void futureDatedIdsAreKeptPastTheirTimeButCapped() throws Exception {
    Waterfall w = new Waterfall();
    assertThat(w.firstSighting(id(7), T0 + 300, T0)).isTrue();
    assertThat(w.firstSighting(id(7), T0 + 300, T0 + 300 + 60)).isFalse();
    assertThat(w.firstSighting(id(8), T0 + 100_000, T0)).isTrue();
    // Capped at 600 s ahead: forgotten after 661 s however far ahead it claimed to be.
    w.firstSighting(id(9), T0 + 700, T0 + 700);
    assertThat(w.firstSighting(id(8), T0 + 100_000, T0 + 700)).isTrue();
  }

  @Test
  void manyIdsGrowAndRotateAway() throws Exception {
    Waterfall w = new Waterfall();
    for (int i = 0; i < 50_000; i++) {
      assertThat(w.firstSighting(id(i), T0, T0)).isTrue();
    }
    assertThat(w.size()).isEqualTo(50_000);
    w.firstSighting(id(-1), T0 + 61, T0 + 61);
    w.firstSighting(id(-2), T0 + 122, T0 + 122);
    assertThat(w.size()).isLessThanOrEqualTo(2);
    assertThat(w.firstSighting(id(3), T0 + 122, T0 + 122)).isTrue();
  }

}
