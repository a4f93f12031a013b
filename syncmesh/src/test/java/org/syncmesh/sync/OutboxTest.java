package org.syncmesh.sync;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.syncmesh.Bytes;
import org.syncmesh.wire.Flags;
import org.syncmesh.wire.InternalMessage;

/** docs/protocol-0.7.md §13.8: identical content twice in one second must not share a message id. */
final class OutboxTest {

  private static final long T = 1_700_000_000L;
  private final Outbox outbox = new Outbox();

  private static InternalMessage store(String value, long seconds) {
    return InternalMessage.create(Flags.MAIN_BROADCAST, "me", seconds, Flags.SUB_STORE, Bytes.utf8("k"), value);
  }

  @Test
  void aBaInOneSecond_theThirdIsNotAccepted_inTheNextSecondItIs() {
    outbox.commit(store("a", T));
    assertThat(outbox.accepts(store("b", T), T)).isTrue();
    outbox.commit(store("b", T));
    assertThat(outbox.accepts(store("a", T), T)).isFalse();
    assertThat(outbox.accepts(store("a", T + 1), T)).isTrue();
  }

  @Test
  void uncommittedMessages_doNotCount() {
    assertThat(outbox.accepts(store("a", T), T)).isTrue(); // then refused by a lease: not committed
    assertThat(outbox.accepts(store("a", T), T)).isTrue();
  }

  @Test
  void pastSeconds_areForgotten() {
    outbox.commit(store("a", T));
    outbox.commit(store("b", T + 1));
    outbox.commit(store("c", T + 2));
    assertThat(outbox.accepts(store("x", T + 2), T + 2)).isTrue();
    assertThat(outbox.trackedSeconds()).isEqualTo(1);
  }
}
