package org.syncmesh.mesh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.syncmesh.Bytes;
import org.syncmesh.Protocol;
import org.syncmesh.testing.NetworkTestRule;

final class MeshSocketTest {

  @RegisterExtension final NetworkTestRule net = new NetworkTestRule();

  private MeshSocket node() {
    return net.track(new MeshSocket.Builder().port(0).build());
  }

  @Test
  void twoNodesHandshakeAndSeeEachOther() {
    MeshSocket a = node();
    MeshSocket b = node();
    PeerInfo peer = b.connect("127.0.0.1", a.port()).orTimeout(10, TimeUnit.SECONDS).join();

    assertThat(peer.id()).isEqualTo(a.id());
    assertThat(peer.port()).isEqualTo(a.port());
    assertThat(peer.outgoing()).isTrue();
    assertThat(peer.dialect()).isEqualTo(Dialect.SYNCMESH);
    await("a to register b").atMost(Duration.ofSeconds(10))
        .until(() -> a.routingTable().containsKey(b.id()));
    assertThat(a.routingTable().get(b.id()).outgoing()).isFalse();
    assertThat(a.status()).isEqualTo("Nominal");
    assertThat(b.status()).isEqualTo("Nominal");
  }

  @Test
  void broadcastReachesPeerQueueWithPacketsAndSender() {
    MeshSocket a = node();
    MeshSocket b = node();
    b.connect("127.0.0.1", a.port()).orTimeout(10, TimeUnit.SECONDS).join();
    await().atMost(Duration.ofSeconds(10)).until(() -> a.routingTable().containsKey(b.id()));

    a.send("hello", 42L, Bytes.utf8("bin"), List.of(1L, "x"), Map.of("k", true));

    Message m = awaitMessage(b);
    assertThat(m.sender()).isEqualTo(a.id());
    assertThat(m.packets()).containsExactly("hello", 42L, Bytes.utf8("bin"), List.of(1L, "x"), Map.of("k", true));
    assertThat(m.subFlag()).isZero();
    assertThat(m.id().size()).isEqualTo(32);
    assertThat(a.recv()).isEmpty();
  }

  @Test
  void replyToDirectPeerArrivesAsWhisper() {
    MeshSocket a = node();
    MeshSocket b = node();
    b.connect("127.0.0.1", a.port()).orTimeout(10, TimeUnit.SECONDS).join();
    await().atMost(Duration.ofSeconds(10)).until(() -> a.routingTable().containsKey(b.id()));

    a.send("ping");
    awaitMessage(b).reply("pong");

    Message answer = awaitMessage(a);
    assertThat(answer.packets()).containsExactly("pong");
    assertThat(answer.sender()).isEqualTo(b.id());
    assertThat(answer.flag()).isEqualTo(2);
  }

  @Test
  void replyToUnconnectedSenderFindsARouteAndConnects() {
    MeshSocket a = net.track(new MeshSocket.Builder().maxOutgoing(0).build());
    MeshSocket b = net.track(new MeshSocket.Builder().maxOutgoing(0).build());
    MeshSocket c = net.track(new MeshSocket.Builder().maxOutgoing(0).build());
    b.connect("127.0.0.1", a.port()).orTimeout(10, TimeUnit.SECONDS).join();
    c.connect("127.0.0.1", b.port()).orTimeout(10, TimeUnit.SECONDS).join();
    await().atMost(Duration.ofSeconds(10)).until(() -> b.routingTable().size() == 2);
    assertThat(c.routingTable()).doesNotContainKey(a.id());

    a.send("who is there");
    Message atC = awaitMessage(c);
    assertThat(atC.sender()).isEqualTo(a.id());
    atC.reply("c here");

    Message atA = awaitMessage(a);
    assertThat(atA.packets()).containsExactly("c here");
    assertThat(atA.sender()).isEqualTo(c.id());
    assertThat(c.routingTable()).containsKey(a.id());
  }

  @Test
  void protocolMismatchClosesTheLinkAndFailsConnect() {
    MeshSocket a = node();
    MeshSocket b = net.track(new MeshSocket.Builder().protocol(new Protocol("other", "Plaintext")).build());

    assertThatThrownBy(() -> b.connect("127.0.0.1", a.port()).orTimeout(10, TimeUnit.SECONDS).join())
        .isInstanceOf(CompletionException.class)
        .hasMessageContaining("protocol mismatch");
    assertThat(a.routingTable()).isEmpty();
    assertThat(b.routingTable()).isEmpty();
  }

  @Test
  void connectToSelfIsRefused() {
    MeshSocket a = node();
    assertThatThrownBy(() -> a.connect("127.0.0.1", a.port()).orTimeout(10, TimeUnit.SECONDS).join())
        .hasMessageContaining("self");
    assertThat(a.routingTable()).isEmpty();
  }

  @Test
  void secondConnectionToSamePeerKeepsOneLink() {
    MeshSocket a = node();
    MeshSocket b = node();
    b.connect("127.0.0.1", a.port()).orTimeout(10, TimeUnit.SECONDS).join();
    a.connect("127.0.0.1", b.port()).orTimeout(10, TimeUnit.SECONDS).join();

    await("one link each way settled").atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      assertThat(a.routingTable()).containsOnlyKeys(b.id());
      assertThat(b.routingTable()).containsOnlyKeys(a.id());
      // Both ends keep the same link: opened by the larger numeric id (docs/protocol-0.7.md §7.5).
      assertThat(a.routingTable().get(b.id()).outgoing()).isEqualTo(!b.routingTable().get(a.id()).outgoing());
    });
    a.send("still connected");
    assertThat(awaitMessage(b).packets()).containsExactly("still connected");
  }

  @Test
  void bindingATakenPortFailsClearly() {
    MeshSocket a = node();
    assertThatThrownBy(() -> new MeshSocket.Builder().port(a.port()).build())
        .isInstanceOf(UncheckedIOException.class)
        .hasMessageContaining("cannot bind 127.0.0.1:" + a.port());
  }

  @Test
  void unknownTransportIsRejected() {
    assertThatThrownBy(() -> new Protocol("mesh", "Carrier-Pigeon"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Carrier-Pigeon");
  }

  @Test
  void unencodableBroadcastThrowsBeforeSending() {
    MeshSocket a = node();
    MeshSocket b = node();
    b.connect("127.0.0.1", a.port()).orTimeout(10, TimeUnit.SECONDS).join();
    await().atMost(Duration.ofSeconds(10)).until(() -> a.routingTable().containsKey(b.id()));

    assertThatThrownBy(() -> a.send("ok", new Object()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("java.lang.Object");
    a.send("after");
    assertThat(awaitMessage(b).packets()).containsExactly("after");
  }

  @Test
  void listenersSeeConnectMessageAndDisconnectOffTheIoThread() {
    MeshSocket a = node();
    List<String> events = new CopyOnWriteArrayList<>();
    List<String> threads = new CopyOnWriteArrayList<>();
    a.addListener(new MeshListener() {
      @Override
      public void onConnect(MeshSocket socket) {
        events.add("connect");
        threads.add(Thread.currentThread().getName());
      }

      @Override
      public void onMessage(MeshSocket socket) {
        events.add("message");
        threads.add(Thread.currentThread().getName());
      }

      @Override
      public void onDisconnect(MeshSocket socket, PeerInfo peer) {
        events.add("disconnect " + peer.id());
        threads.add(Thread.currentThread().getName());
      }
    });
    MeshSocket b = net.track(new MeshSocket.Builder().build());
    b.connect("127.0.0.1", a.port()).orTimeout(10, TimeUnit.SECONDS).join();
    await().atMost(Duration.ofSeconds(10)).until(() -> events.contains("connect"));
    b.send("hi");
    await().atMost(Duration.ofSeconds(10)).until(() -> events.contains("message"));
    String bId = b.id();
    b.close();
    await().atMost(Duration.ofSeconds(10)).until(() -> events.contains("disconnect " + bId));
    assertThat(threads).allSatisfy(t -> assertThat(t).startsWith("syncmesh-callbacks"));
  }

  @Test
  void throwingListenerAndHandlerAreNotFatal() {
    MeshSocket a = node();
    a.addListener(new MeshListener() {
      @Override
      public void onMessage(MeshSocket socket) {
        throw new IllegalStateException("listener bug");
      }
    });
    a.registerHandler((message, from) -> {
      if ("boom".equals(message.packets().get(0))) {
        throw new IllegalStateException("handler bug");
      }
      return false;
    });
    MeshSocket b = node();
    b.connect("127.0.0.1", a.port()).orTimeout(10, TimeUnit.SECONDS).join();
    await().atMost(Duration.ofSeconds(10)).until(() -> a.routingTable().containsKey(b.id()));
    b.send("boom");
    b.send("fine");
    List<Object> got = new ArrayList<>();
    got.add(awaitMessage(a).packets().get(0));
    got.add(awaitMessage(a).packets().get(0));
    assertThat(got).containsExactly("boom", "fine");
    assertThat(a.routingTable()).containsKey(b.id());
  }

  @Test
  void handlerChainClaimsMessagesInOrder() {
    MeshSocket a = node();
    List<String> seen = new CopyOnWriteArrayList<>();
    a.registerHandler((m, from) -> {
      seen.add("first");
      return "claim".equals(m.packets().get(0));
    });
    a.registerHandler((m, from) -> {
      seen.add("second");
      return false;
    });
    MeshSocket b = node();
    b.connect("127.0.0.1", a.port()).orTimeout(10, TimeUnit.SECONDS).join();
    await().atMost(Duration.ofSeconds(10)).until(() -> a.routingTable().containsKey(b.id()));
    b.send("claim");
    b.send("pass");
    assertThat(awaitMessage(a).packets()).containsExactly("pass");
    assertThat(seen).containsExactly("first", "first", "second");
  }

  @Test
  void closeIsIdempotentAndReleasesThePort() {
    MeshSocket a = new MeshSocket.Builder().build();
    int port = a.port();
    a.close();
    a.close();
    assertThat(a.isClosed()).isTrue();
    net.track(new MeshSocket.Builder().port(port).build());
  }

  static Message awaitMessage(MeshSocket socket) {
    try {
      return socket.recv(Duration.ofSeconds(10))
          .orElseThrow(() -> new AssertionError(socket + " received no message within 10 s"));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }
}
