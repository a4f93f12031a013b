package org.syncmesh.sync;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.syncmesh.Bytes;

/**
 * A round sends only what each side held when it joined the round (docs/extension-v1.md §5.3):
 * the initiator when it started it, the other side when it answered its first tree. A write made
 * after that was broadcast after it, so it is on its way by the mesh; under a bulk load a round's
 * messages wait behind the load for seconds, and its rows would otherwise find the peer without
 * everything written meanwhile and send it all a second time. The next round sends what is still
 * missing then.
 */
final class AntiEntropyRoundCutTest {

  private static final Bytes ONE = Bytes.utf8("one");
  private static final Bytes TWO = Bytes.utf8("two");
  /** In ONE's bucket and TWO's: a round compares only buckets that differ, and these differ anyway. */
  private static final Bytes THREE = inBucketOf(ONE, "three-");
  private static final Bytes FOUR = inBucketOf(TWO, "four-");

  private static Bytes inBucketOf(Bytes other, String prefix) {
    int bucket = DigestTree.bucket(DigestTree.keyHash(other));
    for (int i = 0; i < 1_000_000; i++) { // one key in 4,096 falls in a given bucket
      Bytes key = Bytes.utf8(prefix + i);
      if (DigestTree.bucket(DigestTree.keyHash(key)) == bucket) {
        return key;
      }
    }
    throw new AssertionError("no key " + prefix + "N in bucket " + bucket);
  }

  /** Rounds one millisecond apart, so that a store unchanged for a few ms answers (see AntiEntropyBusyTest). */
  private static AntiEntropyPair pair() {
    return new AntiEntropyPair(AntiEntropyPair.everyInterval(Duration.ofMillis(1)));
  }

  @Test
  void keysWrittenAfterEachSideJoinedTheRound_waitForTheNextRound() {
    AntiEntropyPair pair = pair();
    pair.a.set(ONE, "a's, before the round");
    pair.b.set(TWO, "b's, before the round");

    pair.round(delivered -> {
      if (delivered == 0) { // A has started the round; B has not seen it yet
        pair.a.set(THREE, "a's, after A started the round");
      } else if (delivered == 1) { // B has answered A's first tree
        pair.b.set(FOUR, "b's, after B answered");
      }
    });

    assertThat(pair.b.entry(ONE)).as("held by A when the round began: sent").isNotNull();
    assertThat(pair.a.entry(TWO)).as("held by B when it answered: sent").isNotNull();
    assertThat(pair.b.entry(THREE)).as("written by A after it started the round: not sent").isNull();
    assertThat(pair.a.entry(FOUR)).as("written by B after it answered: not sent").isNull();
    assertThat(pair.sideA.ae.peers().get("Bbbb").inSync).isFalse();

    AntiEntropyPair.awaitQuietFor2Ms(pair.b);
    pair.round();

    assertThat(pair.b.entry(THREE)).as("the next round sends it").isNotNull();
    assertThat(pair.a.entry(FOUR)).isNotNull();
    AntiEntropyPair.awaitQuietFor2Ms(pair.b);
    pair.round();
    assertThat(pair.sideA.ae.peers().get("Bbbb").inSync).isTrue();
    assertThat(pair.fxA.dropped).isEmpty();
    assertThat(pair.fxB.dropped).isEmpty();
  }

  @Test
  void aNewerVersionWrittenAfterTheRoundBegan_waitsForTheNextRound() {
    AntiEntropyPair pair = pair();
    pair.a.set(FOUR, "first"); // FOUR shares TWO's bucket, which differs once B writes TWO
    pair.round();
    assertThat(pair.b.entry(FOUR)).isNotNull();
    pair.b.set(TWO, "b's");
    AntiEntropyPair.awaitQuietFor2Ms(pair.b);

    pair.round(delivered -> {
      if (delivered == 0) {
        pair.a.set(FOUR, "second, after A started the round");
      }
    });

    assertThat(pair.a.entry(TWO)).as("the round ran: B's write reached A").isNotNull();
    assertThat(pair.b.entry(FOUR).value()).as("A's newer version waits").isEqualTo("first");

    AntiEntropyPair.awaitQuietFor2Ms(pair.b);
    pair.round();

    assertThat(pair.b.entry(FOUR).value()).isEqualTo("second, after A started the round");
  }
}
