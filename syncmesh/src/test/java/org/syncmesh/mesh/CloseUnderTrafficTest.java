package org.syncmesh.mesh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.syncmesh.mesh.Peers.WAIT;
import static org.syncmesh.mesh.Peers.assertStillServes;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.syncmesh.testing.NetworkTestRule;

/** close() while messages fly: nothing escapes, nothing leaks, the peers see the node leave. */
final class CloseUnderTrafficTest {

  private static final int THREADS_PER_NODE = 2;
  private static final int MESSAGES_PER_THREAD = 250;

  @RegisterExtension final NetworkTestRule net = new NetworkTestRule();

  private MeshSocket node() {
    return net.track(new MeshSocket.Builder().maxOutgoing(0).build());
  }

  @RepeatedTest(3)
  void closingOneNodeWhileEveryNodeBroadcastsFromSeveralThreads() throws InterruptedException {
    MeshSocket closing = node();
    MeshSocket b = node();
    MeshSocket c = node();
    MeshSocket d = node();
    connect(b, closing);
    connect(c, closing);
    connect(d, closing);
    connect(c, b);
    connect(d, c);
    List<PeerInfo> leftB = new CopyOnWriteArrayList<>();
    b.addListener(new MeshListener() {
      @Override
      public void onDisconnect(MeshSocket socket, PeerInfo peer) {
        leftB.add(peer);
      }
    });

    List<MeshSocket> nodes = List.of(closing, b, c, d);
    List<Throwable> escaped = new CopyOnWriteArrayList<>();
    AtomicBoolean stop = new AtomicBoolean();
    AtomicLong sends = new AtomicLong();
    ExecutorService senders = Executors.newFixedThreadPool(nodes.size() * THREADS_PER_NODE);
    try {
      for (MeshSocket n : nodes) {
        for (int t = 0; t < THREADS_PER_NODE; t++) {
          int thread = t;
          senders.execute(() -> broadcastUntilStopped(n, thread, stop, sends, escaped));
        }
      }
      await("traffic to flow").atMost(WAIT).until(() -> sends.get() > 400);

      closing.close();

      assertThat(closing.isClosed()).isTrue();
      for (MeshSocket n : List.of(b, c, d)) {
        await(n + " to see the closed node leave").atMost(WAIT)
            .until(() -> !n.routingTable().containsKey(closing.id()));
      }
      await("b's disconnect event").atMost(WAIT)
          .until(() -> leftB.stream().anyMatch(p -> p.id().equals(closing.id())));
    } finally {
      senders.shutdown();
      assertThat(senders.awaitTermination(30, TimeUnit.SECONDS)).as("senders done").isTrue();
      stop.set(true);
    }
    assertThat(escaped).as("exceptions thrown to senders").isEmpty();
    assertStillServes(b, c);
  }

  @Test
  void closeFromAHandlerOnTheProtocolThreadNeitherThrowsNorHangs() {
    MeshSocket closing = node();
    List<Throwable> thrown = new CopyOnWriteArrayList<>();
    closing.registerHandler((message, from) -> {
      if ("close now".equals(message.packets().get(0))) {
        try {
          closing.close();
        } catch (Throwable t) {
          thrown.add(t);
        }
        return true;
      }
      return false;
    });
    MeshSocket other = node();
    connect(other, closing);

    other.send("close now");

    await("the node to close itself").atMost(WAIT).until(closing::isClosed);
    await("the peer to see it leave").atMost(WAIT).until(() -> other.routingTable().isEmpty());
    assertThat(thrown).isEmpty();
  }

  @Test
  void closeFromAListenerNeitherThrowsNorHangs() {
    MeshSocket closing = node();
    List<Throwable> thrown = new CopyOnWriteArrayList<>();
    closing.addListener(new MeshListener() {
      @Override
      public void onMessage(MeshSocket socket) {
        try {
          socket.close();
        } catch (Throwable t) {
          thrown.add(t);
        }
      }
    });
    MeshSocket other = node();
    connect(other, closing);

    other.send("close, please");

    await("the node to close itself").atMost(WAIT).until(closing::isClosed);
    await("the peer to see it leave").atMost(WAIT).until(() -> other.routingTable().isEmpty());
    assertThat(thrown).isEmpty();
  }

  /**
   * Sends until told to stop. After its node closed, the one expected failure is send()'s
   * IllegalStateException; anything else is recorded as escaped.
   */
  private static void broadcastUntilStopped(MeshSocket node, int thread, AtomicBoolean stop, AtomicLong sends,
      List<Throwable> escaped) {
    List<Object> packets = new ArrayList<>(List.of("tick", (long) thread, 0L));
    // A bounded burst per thread: enough to overlap close(), small enough that the network drains
    // it quickly even with the paranoid leak detector recording every buffer (it floods: every
    // message crosses every link).
    for (long i = 0; i < MESSAGES_PER_THREAD && !stop.get(); i++) {
      try {
        packets.set(2, i);
        node.send(packets);
        sends.incrementAndGet();
      } catch (IllegalStateException e) {
        if (!node.isClosed()) {
          escaped.add(e);
        }
        return;
      } catch (Throwable t) {
        escaped.add(t);
        return;
      }
    }
  }

  private static void connect(MeshSocket from, MeshSocket to) {
    from.connect("127.0.0.1", to.port()).orTimeout(10, TimeUnit.SECONDS).join();
    await().atMost(WAIT).until(() -> to.routingTable().containsKey(from.id()));
  }
}
