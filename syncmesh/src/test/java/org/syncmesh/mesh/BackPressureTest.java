package org.syncmesh.mesh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.syncmesh.mesh.Peers.WAIT;
import static org.syncmesh.mesh.Peers.assertStillServes;
import static org.syncmesh.mesh.Peers.goodPeer;

import io.netty.util.concurrent.SingleThreadEventExecutor;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.syncmesh.Bytes;
import org.syncmesh.testing.NetworkTestRule;
import org.syncmesh.testing.ScriptedPeer;
import org.syncmesh.testing.ScriptedPeer.Style;

/**
 * Output per connection is bounded (MeshOptions#slowPeerLimits): a peer that stops reading is
 * dropped once its queue passes the limit or stays unwritable too long, while the other peers
 * keep getting every message and the node's queued bytes stay under the limit.
 */
final class BackPressureTest {

  private static final int MIB = 1024 * 1024;
  private static final int CHUNK = 64 * 1024;
  private static final int MAX_MESSAGES = 1_000; // 64 MB: far more than any socket buffers hold

  @RegisterExtension final NetworkTestRule net = new NetworkTestRule();

  private final Bytes chunk = randomChunk();

  @Test
  void peerThatNeverReadsIsDroppedAtTheQueueLimitWhileOthersGetEverything() {
    MeshSocket node = net.track(new MeshSocket.Builder().maxOutgoing(0)
        .slowPeerLimits(MIB, Duration.ofSeconds(30)).build());
    MeshSocket good = goodPeer(net, node);
    ScriptedPeer stalled = stalledPeer(node);

    long maxQueued = 0;
    int sent = 0;
    while (node.routingTable().containsKey(stalled.id()) && sent < MAX_MESSAGES) {
      node.send(chunk, (long) sent);
      assertThat(MeshSocketTest.awaitMessage(good).packets()).as("message %d at the good peer", sent)
          .containsExactly(chunk, (long) sent);
      sent++;
      maxQueued = Math.max(maxQueued, mostQueued(node));
    }

    assertThat(node.routingTable()).as("after %d messages of 64 KiB", sent).doesNotContainKey(stalled.id());
    assertThat(maxQueued).as("most bytes queued for one peer").isLessThanOrEqualTo(MIB + 2L * CHUNK);
    await("a status entry for the slow peer").atMost(WAIT)
        .until(() -> !Peers.statusMentioning(node, "peer too slow").isEmpty());
    stalled.assertClosedByNode();
    assertStillServes(node, good);
  }

  @Test
  void peerThatStaysUnwritableIsDroppedAfterTheTimeoutWithoutFurtherSends() {
    MeshSocket node = net.track(new MeshSocket.Builder().maxOutgoing(0)
        .slowPeerLimits(64L * MIB, Duration.ofMillis(300)).build());
    MeshSocket good = goodPeer(net, node);
    ScriptedPeer stalled = stalledPeer(node);

    // Fill until the link turns unwritable (4 MiB queued past the socket buffers), then stop.
    int sent = 0;
    while (mostQueued(node) <= 4L * MIB && sent < MAX_MESSAGES) {
      node.send(chunk, (long) sent);
      assertThat(MeshSocketTest.awaitMessage(good).packets()).containsExactly(chunk, (long) sent);
      sent++;
    }
    assertThat(sent).as("messages needed to fill the stalled link").isLessThan(MAX_MESSAGES);

    await("the unwritable link to be dropped").atMost(WAIT)
        .until(() -> !node.routingTable().containsKey(stalled.id()));
    await("a status entry for the stalled reader").atMost(WAIT)
        .until(() -> !Peers.statusMentioning(node, "peer stopped reading").isEmpty());
    assertThat(mostQueued(node)).as("bytes still queued after the drop").isLessThan(MIB);
    assertStillServes(node, good);
  }

  @Test
  void sendsFromOtherThreadsWaitWhileTheProtocolThreadIsBusy() throws InterruptedException {
    MeshSocket node = net.track(new MeshSocket.Builder().maxOutgoing(0).build());
    CountDownLatch release = new CountDownLatch(1);
    node.node().loop.execute(() -> {
      try {
        release.await(20, TimeUnit.SECONDS); // the protocol thread is stuck behind this
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    int total = 3 * SendQueue.MAX_QUEUED_BYTES / SendQueue.MIN_COST_BYTES;
    AtomicInteger sent = new AtomicInteger();
    Thread sender = new Thread(() -> {
      for (int i = 0; i < total; i++) {
        node.send("small", (long) i);
        sent.incrementAndGet();
      }
    }, "test-sender");
    try {
      sender.start();
      int budget = SendQueue.MAX_QUEUED_BYTES / SendQueue.MIN_COST_BYTES;
      await("the sender to be held back").atMost(WAIT)
          .until(() -> sender.getState() == Thread.State.TIMED_WAITING && sent.get() >= budget);
      assertThat(sent.get()).as("sends accepted while the protocol thread was busy").isEqualTo(budget);
      assertThat(((SingleThreadEventExecutor) node.node().loop).pendingTasks()).as("tasks queued for the protocol thread")
          .isLessThanOrEqualTo(3); // the sends wait in the send queue, not as tasks
    } finally {
      release.countDown();
      sender.join(WAIT.toMillis());
    }
    assertThat(sent.get()).as("sends once the protocol thread caught up").isEqualTo(total);
  }

  /** A js2p-style peer with a tiny receive buffer that handshakes and then never reads. */
  private ScriptedPeer stalledPeer(MeshSocket node) {
    ScriptedPeer stalled = net.track(ScriptedPeer.connect(node.port(), Style.JS2P, 4096));
    // No compression, so every byte of the random chunks is queued as is.
    stalled.writeFrame(stalled.handshake(node.protocol().id(), List.of()));
    await("node to register the stalled peer").atMost(WAIT)
        .until(() -> node.routingTable().containsKey(stalled.id()));
    return stalled;
  }

  /** The most bytes queued for any one link of {@code node}, read on its protocol thread. */
  private static long mostQueued(MeshSocket node) {
    return CompletableFuture.supplyAsync(
        () -> node.node().peers.values().stream().mapToLong(p -> p.link.pendingOutboundBytes()).max().orElse(0),
        node.node().loop).join();
  }

  private static Bytes randomChunk() {
    byte[] bytes = new byte[CHUNK];
    new Random(42).nextBytes(bytes); // incompressible, so compression cannot hide the volume
    return Bytes.of(bytes);
  }
}
