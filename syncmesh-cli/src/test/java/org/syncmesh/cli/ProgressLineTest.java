package org.syncmesh.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.syncmesh.mesh.Dialect;
import org.syncmesh.sync.PeerSyncState;

/** {@link ProgressLine} over scripted peer states: what it says at each tick, and when it is silent. */
final class ProgressLineTest {

  private static final long SECOND = 1_000_000_000L;

  private final List<PeerSyncState> peers = new ArrayList<>();

  private static PeerSyncState peer(String id, boolean done, long received, long total) {
    return new PeerSyncState(id, Dialect.SYNCMESH, 1, done, null, null, null, done, received, total);
  }

  @Test
  void anInitialSync_showsReceivedOfTotalAndRate_thenOneDoneLine_thenNothing() {
    peers.add(peer("a", false, 0, -1));
    ProgressLine line = new ProgressLine(() -> peers, 0);
    assertThat(line.tick(SECOND)).as("nothing received, total unknown: at rest").isNull();
    assertThat(line.active()).isFalse();

    peers.set(0, peer("a", false, 20_000, 100_000));
    assertThat(line.tick(2 * SECOND)).isEqualTo("initial sync: 20,000 of 100,000 entries received, 20,000/s");
    assertThat(line.active()).isTrue();
    peers.set(0, peer("a", false, 60_000, 100_000));
    assertThat(line.tick(4 * SECOND)).isEqualTo("initial sync: 60,000 of 100,000 entries received, 20,000/s");
    peers.set(0, peer("a", true, 100_000, 100_000));
    assertThat(line.tick(5 * SECOND)).isEqualTo("initial sync done: 100,000 entries in 4.0 s");
    assertThat(line.active()).isFalse();
    assertThat(line.tick(6 * SECOND)).isNull();
  }

  @Test
  void aTotalNotKnown_isLeftOut() {
    peers.add(peer("a", false, 0, -1));
    ProgressLine line = new ProgressLine(() -> peers, 0);
    peers.set(0, peer("a", false, 500, -1));
    assertThat(line.tick(SECOND)).isEqualTo("initial sync: 500 entries received, 500/s");
  }

  @Test
  void catchingUpAfterTheInitialSync_showsOnlyFromAThousandEntriesASecond() {
    peers.add(peer("a", true, 1_000, 1_000));
    ProgressLine line = new ProgressLine(() -> peers, 0);
    assertThat(line.tick(SECOND)).as("an initial sync seen done: short work").isNull();
    peers.set(0, peer("a", true, 1_900, 1_000));
    assertThat(line.tick(2 * SECOND)).as("900/s: ordinary traffic").isNull();
    peers.set(0, peer("a", true, 7_900, 1_000));
    assertThat(line.tick(3 * SECOND)).isEqualTo("anti-entropy catching up: 6,000 entries received, 6,000/s");
    peers.set(0, peer("a", true, 7_950, 1_000));
    assertThat(line.tick(4 * SECOND)).isEqualTo("anti-entropy caught up: 6,050 entries in 2.0 s");
    assertThat(line.tick(5 * SECOND)).isNull();
  }

  @Test
  void anInitialSyncThatEndsBetweenTwoTicks_isShortWork_andSaysNothing() {
    peers.add(peer("a", false, 0, -1));
    ProgressLine line = new ProgressLine(() -> peers, 0);
    peers.set(0, peer("a", true, 5_000, 5_000));
    assertThat(line.tick(SECOND)).isNull();
    assertThat(line.tick(2 * SECOND)).isNull();
  }

  @Test
  void plainPeers_whichHaveNoAntiEntropy_neverShowProgress() {
    peers.add(new PeerSyncState("js", Dialect.JS2P, 0, false, null, null, null, false, 0, -1));
    ProgressLine line = new ProgressLine(() -> peers, 0);
    assertThat(line.tick(SECOND)).isNull();
  }
}
