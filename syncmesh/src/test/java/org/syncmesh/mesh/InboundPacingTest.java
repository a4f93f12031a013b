package org.syncmesh.mesh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.syncmesh.net.LinkListener;
import org.syncmesh.testing.NetworkTestRule;
import org.syncmesh.wire.Flags;
import org.syncmesh.wire.InternalMessage;

/**
 * A peer that floods is paced by reading less from it while the node is behind, never by a
 * growing queue: messages read on another I/O thread wait for the protocol thread, and past
 * {@link Connections#MAX_WAITING_MESSAGES} the link that delivers more stops reading until half
 * have been handled.
 */
final class InboundPacingTest {

  @RegisterExtension final NetworkTestRule net = new NetworkTestRule();

  @Test
  void aLinkDeliveringWhileTheProtocolThreadIsBusy_stopsReading_andResumesOnceCaughtUp() throws Exception {
    MeshSocket socket = net.track(new MeshSocket.Builder().maxOutgoing(0).build());
    MeshNode node = socket.node();
    LinkListener links = node.connections.listener();
    FakeLink link = new FakeLink(false, 50_010);
    links.linkOpened(link);
    CountDownLatch release = new CountDownLatch(1);
    node.loop.execute(() -> {
      try {
        release.await(20, TimeUnit.SECONDS); // the protocol thread falls behind
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    InternalMessage message = InternalMessage.create(Flags.MAIN_BROADCAST, "x".repeat(66), node.nowSeconds(),
        List.of(Flags.SUB_BROADCAST, "flood"));
    try {
      // This thread plays another I/O thread: it is not the protocol thread.
      for (int i = 0; i < Connections.MAX_WAITING_MESSAGES; i++) {
        links.messageReceived(link, message);
      }
      assertThat(link.readingChanges).as("reading while within the bound").isEmpty();
      links.messageReceived(link, message);
      assertThat(link.readingChanges).as("reading paused past the bound").containsExactly(false);
    } finally {
      release.countDown();
    }
    await("reading to resume").atMost(Duration.ofSeconds(10))
        .until(() -> link.readingChanges.equals(List.of(false, true)));
  }
}
