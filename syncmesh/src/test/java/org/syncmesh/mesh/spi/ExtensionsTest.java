package org.syncmesh.mesh.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.syncmesh.mesh.MeshOptions;
import org.syncmesh.mesh.MeshSocket;
import org.syncmesh.mesh.Message;
import org.syncmesh.testing.NetworkTestRule;
import org.syncmesh.wire.InternalMessage;

/** The one door onto the mesh for a protocol on top of it, and the guard on its access. */
final class ExtensionsTest {

  @RegisterExtension final NetworkTestRule net = new NetworkTestRule();

  @Test
  void meshSocket_extensionClaimsMessages_andSeesTheirWireForm() throws Exception {
    CompletableFuture<InternalMessage> claimed = new CompletableFuture<>();
    MeshSocket a = net.track(new MeshSocket.Builder().build());
    MeshSocket b = net.track(Extensions.meshSocket(new MeshSocket.Builder(), node -> (message, from) -> {
      claimed.complete(Extensions.wire(message));
      return true;
    }));
    b.connect("127.0.0.1", a.port()).orTimeout(10, TimeUnit.SECONDS).join();
    await("a to register b").atMost(Duration.ofSeconds(10))
        .until(() -> a.routingTable().containsKey(b.id()));

    a.send("hello");

    InternalMessage wire = claimed.orTimeout(10, TimeUnit.SECONDS).join();
    assertThat(wire.senderId()).isEqualTo(a.id());
    assertThat(wire.payload()).containsExactly(0L, "hello");
    assertThat(b.recv()).as("a claimed message skips the user's queue").isEmpty();
  }

  @Test
  void meshSocket_nullArguments_throwBeforeBinding() {
    Function<MeshExtension.Node, MeshExtension> none = node -> (message, from) -> false;
    MeshOptions<?> options = new MeshSocket.Builder();
    assertThatThrownBy(() -> Extensions.meshSocket(null, none)).isInstanceOf(NullPointerException.class)
        .hasMessageStartingWith("options:");
    assertThatThrownBy(() -> Extensions.meshSocket(options, null)).isInstanceOf(NullPointerException.class)
        .hasMessageStartingWith("extension:");
    assertThatThrownBy(() -> Extensions.meshSocket(options, null, none)).isInstanceOf(NullPointerException.class)
        .hasMessageStartingWith("id:");
    assertThatThrownBy(() -> Extensions.wire(null)).isInstanceOf(NullPointerException.class)
        .hasMessageStartingWith("message:");
    assertThatThrownBy(() -> Extensions.stats(null)).isInstanceOf(NullPointerException.class)
        .hasMessageStartingWith("socket:");
  }

  @Test
  void install_fromOutsideMeshSocket_isRefused() {
    Extensions.Access impostor = new Extensions.Access() {
      @Override
      public MeshSocket meshSocket(MeshOptions<?> options, String id,
          Function<MeshExtension.Node, MeshExtension> extension) {
        throw new AssertionError("not reached");
      }

      @Override
      public InternalMessage wire(Message message) {
        throw new AssertionError("not reached");
      }

      @Override
      public Extensions.Stats stats(MeshSocket socket) {
        throw new AssertionError("not reached");
      }
    };
    assertThatThrownBy(() -> Extensions.install(impostor)).isInstanceOf(IllegalStateException.class)
        .hasMessage("only MeshSocket installs the extension access, not " + ExtensionsTest.class.getName());
  }
}
