package org.syncmesh.sync;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.syncmesh.Hlc;
import org.syncmesh.Version;

/** The lease rule judged from versions ({@link Resolution#tenure}) and the tenure order of {@link Resolution#merge}. */
final class ResolutionTest {

  private static final long T = 1_700_000_000L;

  private static Version v(long seconds, int counter, String writer) {
    return new Version(Hlc.of(seconds * 1000, counter), writer);
  }

  private static Store.Entry value(Object value, Version v, int epoch, Version claim) {
    return new Store.Entry(value, v, Hlc.millis(v.hlc()) / 1000, v, null, epoch, claim, false);
  }

  @Test
  void tenuresAreEqualByEpochAndClaim() {
    Version a = v(T, 0, "A");
    assertThat(new Resolution.Tenure(2, v(T, 0, "A"))).isEqualTo(new Resolution.Tenure(2, a))
        .hasSameHashCodeAs(new Resolution.Tenure(2, a));
    assertThat(new Resolution.Tenure(0, null)).isEqualTo(Resolution.Tenure.NONE).hasSameHashCodeAs(Resolution.Tenure.NONE);
    assertThat(new Resolution.Tenure(3, a)).isNotEqualTo(new Resolution.Tenure(2, a));
    assertThat(new Resolution.Tenure(2, v(T, 1, "A"))).isNotEqualTo(new Resolution.Tenure(2, a));
    assertThat(new Resolution.Tenure(2, null)).isNotEqualTo(new Resolution.Tenure(2, a));
  }

  @Test
  void aFreeKey_isClaimedInTheNextEpoch_byWhoeverWritesIt() {
    Version a = v(T, 0, "A");
    assertThat(Resolution.tenure(null, a, T, true)).isEqualTo(new Resolution.Tenure(1, a));
    Store.Entry deleted = new Store.Entry(null, v(T, 5, "A"), T, v(T, 5, "A"), null, 3, v(T - 10, 0, "A"), false);
    Version b = v(T + 1, 0, "B");
    assertThat(Resolution.tenure(deleted, b, T + 1, true)).isEqualTo(new Resolution.Tenure(4, b));
  }

  @Test
  void theOwner_writesInItsOwnTenure_andOthersWaitMoreThanAnHourAfterItsLastWrite() {
    Version claim = v(T, 0, "A");
    Store.Entry held = value("a", v(T + 100, 0, "A"), 2, claim);
    assertThat(Resolution.tenure(held, v(T + 5000, 0, "A"), T + 5000, true)).isEqualTo(new Resolution.Tenure(2, claim));
    assertThat(Resolution.tenure(held, v(T + 100 + 3600, 0, "B"), T + 100 + 3600, true)).as("3600 s: still held").isNull();
    Version late = v(T + 100 + 3601, 0, "B");
    assertThat(Resolution.tenure(held, late, T + 100 + 3601, true)).isEqualTo(new Resolution.Tenure(3, late));
    assertThat(Resolution.tenure(held, v(T + 1, 0, "B"), T + 1, false)).isEqualTo(Resolution.Tenure.NONE);
  }

  @Test
  void aWriteFromBeforeADelete_joinsTheTombstonesTenure_andLosesToIt() {
    Version claim = v(T, 0, "A");
    Store.Entry deleted = new Store.Entry(null, v(T + 10, 0, "A"), T + 10, v(T + 10, 0, "A"), null, 1, claim, false);
    Version stale = v(T, 0, "J");
    Resolution.Tenure tenure = Resolution.tenure(deleted, stale, T, true);
    assertThat(tenure).isEqualTo(new Resolution.Tenure(1, claim));
    Store.Entry staleState = value("old", stale, tenure.epoch(), tenure.claim());
    assertThat(Resolution.merge(deleted, staleState, true)).isSameAs(deleted);
  }

  @Test
  void ofTwoClaimsInOneEpoch_theEarlierWins_andAHigherEpochBeatsBoth() {
    Store.Entry first = value("first", v(T, 0, "Z"), 1, v(T, 0, "Z"));
    Store.Entry second = value("second", v(T + 1, 0, "A"), 1, v(T + 1, 0, "A"));
    assertThat(Resolution.merge(first, second, true)).isSameAs(first);
    assertThat(Resolution.merge(second, first, true)).isSameAs(first);
    Store.Entry takeover = value("takeover", v(T + 2, 0, "M"), 2, v(T + 2, 0, "M"));
    assertThat(Resolution.merge(first, takeover, true)).isSameAs(takeover);
    assertThat(Resolution.merge(first, second, false)).as("without leasing the later write wins").isSameAs(second);
  }

  @Test
  void aStoreAfterADelta_resetsTheMap_andALaterDeltaAddsItsFields() {
    Version d1 = v(T, 0, "A");
    Store.Entry delta = Store.deltaEntry(Map.of("x", 1L), d1, T, Resolution.Tenure.NONE, false);
    Store.Entry store = value(Map.of("y", 2L), v(T + 1, 0, "B"), 0, null);
    assertThat(Resolution.merge(delta, store, false)).isSameAs(store);
    Store.Entry later = Store.deltaEntry(Map.of("z", 3L), v(T + 2, 0, "C"), T + 2, Resolution.Tenure.NONE, false);
    Store.Entry merged = Resolution.merge(store, later, false);
    assertThat(merged.value()).isEqualTo(Map.of("y", 2L, "z", 3L));
    assertThat(merged.version()).isEqualTo(later.version());
    assertThat(merged.base()).isEqualTo(store.version());
  }
}
