package org.syncmesh.sync;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.syncmesh.Bytes;

/**
 * A node whose store is still changing answers a round with done alone (docs/extension-v1.md §5):
 * its digests differ from a quiet peer's by what is on its way to it, and the round would send
 * that again (a bulk load that the peer already holds and this node is still receiving). It
 * answers the first round after a link comes up, any round once it is quiet for an interval, and
 * any round once it has declined for {@link AntiEntropy#MAX_ROUND_GAP_MILLIS}.
 */
final class AntiEntropyBusyTest {

  private static final Bytes ONE = Bytes.utf8("one");
  private static final Bytes TWO = Bytes.utf8("two");
  private static final Bytes THREE = Bytes.utf8("three");
  private static final Bytes FOUR = Bytes.utf8("four");

  /** A and B each write a key and meet: the first round swaps them, B busy or not. */
  private static AntiEntropyPair metOnce(Duration interval) {
    AntiEntropyPair pair = new AntiEntropyPair(AntiEntropyPair.everyInterval(interval));
    pair.a.set(ONE, "a's");
    pair.b.set(TWO, "b's");
    pair.round();
    assertThat(pair.b.entry(ONE)).as("the first round is answered, though B has just written").isNotNull();
    assertThat(pair.a.entry(TWO)).isNotNull();
    return pair;
  }

  @Test
  void aNodeStillChanging_answersTheNextRoundWithDoneAlone() {
    AntiEntropyPair pair = metOnce(Duration.ofHours(1));
    pair.a.set(THREE, "a's");
    pair.b.set(FOUR, "b's");

    pair.round();

    assertThat(pair.b.entry(THREE)).as("nothing sent to B").isNull();
    assertThat(pair.a.entry(FOUR)).as("nothing sent to A").isNull();
    assertThat(pair.sideA.ae.peers().get("Bbbb").inSync).isFalse();
    assertThat(pair.fxA.dropped).isEmpty();
    assertThat(pair.fxB.dropped).isEmpty();
  }

  @Test
  void aNodeQuietForAnInterval_answers() {
    AntiEntropyPair pair = metOnce(Duration.ofMillis(1));
    pair.a.set(THREE, "a's");
    pair.b.set(FOUR, "b's");
    AntiEntropyPair.awaitQuietFor2Ms(pair.b);

    pair.round();

    assertThat(pair.b.entry(THREE)).isNotNull();
    assertThat(pair.a.entry(FOUR)).isNotNull();
  }

  @Test
  void aNodeStillChanging_answersOnceItHasDeclinedForTheLongestGap() {
    AntiEntropyPair pair = metOnce(Duration.ofHours(1));
    pair.a.set(THREE, "a's");
    pair.b.set(FOUR, "b's");
    pair.round();
    assertThat(pair.b.entry(THREE)).isNull();
    pair.sideB.ae.peers().get("Aaaa").lastAnsweredMillis -= AntiEntropy.MAX_ROUND_GAP_MILLIS;

    pair.round();

    assertThat(pair.b.entry(THREE)).as("a round waits no longer than the longest gap").isNotNull();
    assertThat(pair.a.entry(FOUR)).isNotNull();
  }
}
