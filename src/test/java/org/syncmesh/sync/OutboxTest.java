package org.syncmesh.sync;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.syncmesh.wire.Bytes;

/** docs/protocol-0.7.md §13.8: identical content twice in one second must not share a message id. */
final class OutboxTest {

  private static final long T = 1_700_000_000L;
  private final Outbox outbox = new Outbox("me");

  private long send(String value, long now) {
    var m = outbox.create(List.of(11, Bytes.utf8("k"), value), now);
    outbox.commit(m);
    return m.time();
  }

  @Test
  void aBaInOneSecond_thirdGoesOutStampedWithTheNextSecond() {
    assertThat(send("a", T)).isEqualTo(T);
    assertThat(send("b", T)).isEqualTo(T);
    assertThat(send("a", T)).isEqualTo(T + 1);
  }

  @Test
  void timesNeverGoBackwards_afterABump() {
    send("a", T);
    send("a", T); // bumped to T+1
    assertThat(send("c", T)).isEqualTo(T + 1);
    assertThat(send("a", T)).isEqualTo(T + 2); // (T+1, a) was sent too
  }

  @Test
  void sameContentInALaterSecond_isNotDelayed() {
    send("a", T);
    assertThat(send("a", T + 1)).isEqualTo(T + 1);
  }

  @Test
  void uncommittedMessages_doNotCount() {
    outbox.create(List.of(11, Bytes.utf8("k"), "a"), T); // e.g. refused by a lease
    assertThat(send("a", T)).isEqualTo(T);
  }

  @Test
  void pastSeconds_areForgotten() {
    send("a", T);
    send("b", T + 1);
    send("c", T + 2);
    assertThat(outbox.trackedSeconds()).isEqualTo(1);
  }
}
