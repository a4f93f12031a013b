package org.syncmesh.mesh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.syncmesh.mesh.MeshSocketTest.awaitMessage;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.syncmesh.testing.NetworkTestRule;

/**
 * A node's sockets run on epoll where Netty's native library loads and on NIO otherwise, and the
 * two kinds carry the same conversation. The build runs the whole suite on epoll (Linux, x86-64)
 * and its second pass (the pom's jdk-tls execution, Netty told to load no native code) on NIO.
 */
final class IoTransportTest {

  private static final boolean NETTY_TOLD_NO_NATIVE = Boolean.getBoolean("io.netty.transport.noNative");

  @RegisterExtension final NetworkTestRule net = new NetworkTestRule();

  @Test
  void aNodeUsesEpollWhereItLoadsAndNioWhenToldOrWhenNettyMayNotLoadNativeCode() {
    // netty-transport-native-epoll ships x86-64 Linux's library with the library; CI and this project's
    // machines run that, where it must load: elsewhere NIO rightly serves.
    assumeTrue(NETTY_TOLD_NO_NATIVE || ("Linux".equals(System.getProperty("os.name"))
        && "amd64".equals(System.getProperty("os.arch"))), "epoll is required to load on linux-x86_64 only");

    MeshSocket byDefault = net.track(new MeshSocket.Builder().port(0).build());
    MeshSocket told = net.track(new MeshSocket.Builder().port(0).nativeTransport(false).build());

    assertThat(byDefault.ioTransport()).isEqualTo(NETTY_TOLD_NO_NATIVE ? "nio" : "epoll");
    assertThat(told.ioTransport()).isEqualTo("nio");
  }

  @Test
  void anEpollNodeAndANioNodeTalkBothWays() {
    MeshSocket a = net.track(new MeshSocket.Builder().port(0).build());
    MeshSocket b = net.track(new MeshSocket.Builder().port(0).nativeTransport(false).build());
    b.connect("127.0.0.1", a.port()).orTimeout(10, TimeUnit.SECONDS).join();
    await().atMost(Duration.ofSeconds(10)).until(() -> a.routingTable().containsKey(b.id()));

    a.send("from a", "x".repeat(100_000)); // larger than one read: frames cross several reads
    Message atB = awaitMessage(b);
    assertThat(atB.packets()).containsExactly("from a", "x".repeat(100_000));
    assertThat(atB.sender()).isEqualTo(a.id());

    b.send("from b");
    Message atA = awaitMessage(a);
    assertThat(atA.packets()).containsExactly("from b");
    assertThat(atA.sender()).isEqualTo(b.id());
  }
}
