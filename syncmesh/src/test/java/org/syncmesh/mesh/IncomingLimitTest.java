package org.syncmesh.mesh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.syncmesh.testing.NetworkTestRule;

/** A node holds at most maxIncoming incoming links; past it a connection is closed with a status line. */
final class IncomingLimitTest {

  @RegisterExtension final NetworkTestRule net = new NetworkTestRule();

  private MeshSocket node(MeshSocket.Builder b) {
    return net.track(b.maxOutgoing(0).reconnect(false).build());
  }

  @Test
  void aConnectionPastTheLimit_isRefused_andTheOthersStay() {
    MeshSocket target = node(new MeshSocket.Builder().maxIncoming(2));
    MeshSocket first = node(new MeshSocket.Builder());
    MeshSocket second = node(new MeshSocket.Builder());
    MeshSocket third = node(new MeshSocket.Builder());
    first.connect("127.0.0.1", target.port()).orTimeout(10, TimeUnit.SECONDS).join();
    second.connect("127.0.0.1", target.port()).orTimeout(10, TimeUnit.SECONDS).join();
    await().atMost(Duration.ofSeconds(10)).until(() -> target.routingTable().size() == 2);

    assertThatThrownBy(() -> third.connect("127.0.0.1", target.port()).orTimeout(10, TimeUnit.SECONDS).join())
        .isInstanceOf(CompletionException.class);
    assertThat(target.routingTable()).containsOnlyKeys(first.id(), second.id());
    assertThat(target.statusErrors()).anySatisfy(s -> assertThat(s)
        .startsWith("refused an incoming connection from 127.0.0.1:").contains("limit of 2 incoming links"));

    first.close();
    await().atMost(Duration.ofSeconds(10)).until(() -> target.routingTable().size() == 1);
    third.connect("127.0.0.1", target.port()).orTimeout(10, TimeUnit.SECONDS).join();
    await().atMost(Duration.ofSeconds(10)).until(() -> target.routingTable().containsKey(third.id()));
  }
}
