package org.syncmesh.sync;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.syncmesh.Bytes;

/**
 * A node back after longer than the tombstone grace (docs/extension-v1.md §4.3): its writes older
 * than a peer's horizon that the peer lacks are dropped, when the peer holds something. Two
 * stores and their anti-entropy, linked in memory ({@link AntiEntropyPair}).
 */
final class AntiEntropyForgottenTest {

  private static final long GRACE_MILLIS = 86_400_000L;
  private static final Bytes OLD = Bytes.utf8("old");
  private static final Bytes DELETED = Bytes.utf8("deleted");
  private static final Bytes RECENT = Bytes.utf8("recent");

  private final AntiEntropyPair pair = new AntiEntropyPair(StoreLimits.DEFAULTS);
  private final StoreTest.Recorder fxA = pair.fxA;
  private final StoreTest.Recorder fxB = pair.fxB;
  private final LocalStore a = pair.a;
  private final LocalStore b = pair.b;

  /** A wrote OLD long ago and was away; B deleted another key and has forgotten that delete since. */
  private void awayLongerThanTheGrace() {
    long t0 = fxA.now;
    a.set(OLD, "from before");
    fxB.now = t0 + 10;
    b.set(DELETED, "x");
    b.set(DELETED, null);
    fxA.now = fxB.now = t0 + GRACE_MILLIS / 1000 + 100;
    assertThat(b.store().collectTombstones(GRACE_MILLIS)).isEqualTo(1);
    assertThat(b.store().horizonMillis()).isGreaterThan(a.entry(OLD).version().hlc() >>> 16);
  }

  @Test
  void aForgottenWriteIsDropped_whenThePeerHoldsSomething() {
    awayLongerThanTheGrace();
    b.set(RECENT, "new");
    round();
    assertThat(a.live(OLD)).isNull();
    assertThat(a.entry(OLD)).satisfies(forgotten -> { // a tombstone at the value's own version, collected at once
      assertThat(forgotten.deleted()).isTrue();
      assertThat(a.store().collectTombstones(GRACE_MILLIS)).isEqualTo(1);
    });
    assertThat(a.entry(OLD)).isNull();
    assertThat(fxA.events).contains("delete old");
    assertThat(fxA.dropped).anySatisfy(s -> assertThat(s).startsWith("dropped key \"old\""));
    assertThat(a.entry(RECENT).value()).isEqualTo("new");
    assertThat(b.entry(OLD)).isNull();
  }

  @Test
  void aForgottenWriteIsDropped_alsoWhenThePeerHoldsNothing() {
    awayLongerThanTheGrace();
    round();
    round();
    assertThat(a.live(OLD)).as("the two stores end alike").isNull();
    a.store().collectTombstones(GRACE_MILLIS);
    assertThat(a.entry(OLD)).isNull();
    assertThat(fxB.dropped).as("B refuses OLD in every round").hasSizeLessThanOrEqualTo(1);
  }

  private void round() {
    pair.round();
  }
}
