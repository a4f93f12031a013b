package org.syncmesh.sync;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The six conditions of docs/protocol-0.7.md §10.3, one by one, with a fixed "now". */
final class LeasePolicyTest {

  private static final long NOW = 1_700_000_000L;
  private static final String SMALL = "Aaaa"; // 'A' < 'B' as UTF-8
  private static final String LARGE = "Bbbb";

  private static boolean accepts(MetaTuple current, MetaTuple incoming, boolean delta, boolean leasing) {
    return LeasePolicy.accepts(current, incoming, delta, leasing, NOW);
  }

  @Test
  void noMetadata_acceptsAnything() {
    assertThat(LeasePolicy.accepts(null, new MetaTuple(LARGE, 0), false, true, NOW)).isTrue();
    assertThat(LeasePolicy.accepts(null, new MetaTuple(LARGE, 0), true, true, NOW)).isTrue();
  }

  @Test
  void sameOwner_acceptedEvenWithAnOlderTimestamp() {
    assertThat(accepts(new MetaTuple(LARGE, NOW), new MetaTuple(LARGE, NOW - 100), false, true)).isTrue();
    assertThat(accepts(new MetaTuple(LARGE, NOW), new MetaTuple(LARGE, NOW - 100), true, true)).isTrue();
  }

  @Test
  void newerWriteByAnotherOwner_refusedWithLeasing_acceptedWithout() {
    MetaTuple current = new MetaTuple(SMALL, NOW - 10);
    MetaTuple newer = new MetaTuple(LARGE, NOW);
    assertThat(accepts(current, newer, false, true)).isFalse();
    assertThat(accepts(current, newer, false, false)).isTrue(); // condition 6
  }

  @Test
  void olderWriteByAnotherOwner_refusedEvenWithoutLeasing() {
    MetaTuple current = new MetaTuple(LARGE, NOW);
    MetaTuple older = new MetaTuple(SMALL, NOW - 1);
    assertThat(accepts(current, older, false, true)).isFalse();
    assertThat(accepts(current, older, false, false)).isFalse();
  }

  @Test
  void delta_byAnotherOwner_refusedWithLeasing_acceptedWithoutEvenWhenOlder() {
    MetaTuple current = new MetaTuple(SMALL, NOW);
    MetaTuple olderDelta = new MetaTuple(LARGE, NOW - 50);
    assertThat(accepts(current, olderDelta, true, true)).isFalse();
    assertThat(accepts(current, olderDelta, true, false)).isTrue(); // condition 3
    assertThat(accepts(current, olderDelta, false, false)).isFalse(); // a store is not a delta
  }

  @Test
  void leaseExpiry_3600SecondsIsStillLive_3601IsExpired() {
    MetaTuple incoming = new MetaTuple(LARGE, NOW);
    assertThat(accepts(new MetaTuple(SMALL, NOW - 3600), incoming, false, true)).isFalse();
    assertThat(accepts(new MetaTuple(SMALL, NOW - 3601), incoming, false, true)).isTrue(); // condition 4
    // expiry is judged by the receiver's clock, not by the incoming timestamp
    assertThat(accepts(new MetaTuple(SMALL, NOW - 3601), new MetaTuple(LARGE, 0), false, true)).isTrue();
  }

  @Test
  void farFutureLease_neverExpires() {
    assertThat(accepts(new MetaTuple(SMALL, NOW + 100_000), new MetaTuple(LARGE, NOW), false, true)).isFalse();
    assertThat(accepts(new MetaTuple(SMALL, NOW + 100_000), new MetaTuple(LARGE, NOW), false, false)).isFalse();
  }

  @Test
  void sameSecondTie_smallerOwnerWins_bothWays() {
    assertThat(accepts(new MetaTuple(LARGE, NOW), new MetaTuple(SMALL, NOW), false, true)).isTrue(); // condition 5
    assertThat(accepts(new MetaTuple(SMALL, NOW), new MetaTuple(LARGE, NOW), false, true)).isFalse();
    assertThat(accepts(new MetaTuple(LARGE, NOW), new MetaTuple(SMALL, NOW), false, false)).isTrue();
    assertThat(accepts(new MetaTuple(SMALL, NOW), new MetaTuple(LARGE, NOW), false, false)).isFalse();
  }

  @Test
  void ownersCompareAsUnsignedUtf8Bytes() {
    // 'é' (c3 a9) is above 'z' (7a) as unsigned UTF-8, as in py2p's bytes comparison; a signed
    // byte comparison would get this backwards.
    assertThat(accepts(new MetaTuple("é", NOW), new MetaTuple("z", NOW), false, true)).isTrue();
    assertThat(accepts(new MetaTuple("z", NOW), new MetaTuple("é", NOW), false, true)).isFalse();
    // a proper prefix is smaller
    assertThat(accepts(new MetaTuple("abc", NOW), new MetaTuple("ab", NOW), false, true)).isTrue();
  }

  @Test
  void binAndStrOwners_areTheSameOwner() {
    // An owner that arrived as bin is decoded to the same text as one that arrived as str.
    String fromBin = org.syncmesh.wire.Bytes.utf8(LARGE).utf8();
    assertThat(accepts(new MetaTuple(LARGE, NOW), new MetaTuple(fromBin, NOW - 5), false, true)).isTrue();
  }

  @Test
  void leaseEnd_isTimestampPlus3600() {
    assertThat(LeasePolicy.leaseEndSeconds(new MetaTuple(SMALL, NOW))).isEqualTo(NOW + 3600);
  }
}
