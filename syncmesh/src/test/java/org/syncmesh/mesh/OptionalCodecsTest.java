package org.syncmesh.mesh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.syncmesh.mesh.Peers.WAIT;

import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.syncmesh.Compression;
import org.syncmesh.testing.NetworkTestRule;
import org.syncmesh.testing.ScriptedPeer;
import org.syncmesh.testing.ScriptedPeer.Frame;
import org.syncmesh.testing.ScriptedPeer.Style;
import org.syncmesh.wire.CompressionNegotiation;
import org.syncmesh.wire.Compressors;
import org.syncmesh.wire.ExtensionOffer;
import org.syncmesh.wire.Flags;

/**
 * snappy-java, commons-compress and xz are optional dependencies of the library: with an injected class check that
 * finds none of them, only the JDK's zlib and gzip remain, the node offers only those, sends with zlib to a peer
 * that offers everything, and still links with a node that has every library.
 */
final class OptionalCodecsTest {

  /** What {@link Compressors} finds on a class path without the three libraries. */
  private static final Set<Compression> JDK_ONLY = Compressors.available(className -> false);

  @RegisterExtension final NetworkTestRule net = new NetworkTestRule();

  private MeshSocket lean() {
    return net.track(new MeshSocket.Builder().maxOutgoing(0)
        .compression(CompressionNegotiation.preference(JDK_ONLY::contains)).build());
  }

  @Test
  void theAvailableMethods_followTheClassCheck_andTheOfferListShrinksToTheJdksMethods() {
    assertThat(JDK_ONLY).containsExactlyInAnyOrder(Compression.ZLIB, Compression.GZIP);
    assertThat(Compressors.available(name -> name.startsWith("org.xerial.snappy.")))
        .containsExactlyInAnyOrder(Compression.ZLIB, Compression.GZIP, Compression.SNAPPY);
    assertThat(Compressors.available(name -> name.startsWith("org.tukaani.xz.")))
        .containsExactlyInAnyOrder(Compression.ZLIB, Compression.GZIP, Compression.LZMA);
    assertThat(Compressors.available(name -> true)).containsExactlyInAnyOrder(Compression.values());

    assertThat(CompressionNegotiation.preference(JDK_ONLY::contains)).containsExactly(Compression.ZLIB, Compression.GZIP);
    assertThat(CompressionNegotiation.preference(c -> true)).isEqualTo(CompressionNegotiation.ALL_METHODS);
    assertThat(CompressionNegotiation.DEFAULT_PREFERENCE).as("the test class path has every library")
        .isEqualTo(CompressionNegotiation.ALL_METHODS);
  }

  @Test
  void aNodeWithoutTheLibraries_offersZlibAndGzip_andSendsZlibToAPeerThatOffersEverything() {
    MeshSocket lean = lean();
    ScriptedPeer js = net.track(ScriptedPeer.connect(lean.port(), Style.JS2P));
    js.sendHandshake(lean.protocol().id());

    Frame handshake = js.readHandshake();
    assertThat(handshake.packets().get(4)).isEqualTo(ExtensionOffer.THIS_BUILD.appendTo(List.of(0x13L, 0x11L)));

    await("the node to register the peer").atMost(WAIT).until(() -> lean.routingTable().size() == 1);
    lean.send("x".repeat(4096)); // big enough to be compressed
    Frame frame = js.decodeWith(List.of(Compression.ZLIB)).readMatching(f -> f.subFlag() == Flags.SUB_BROADCAST);
    assertThat(frame.packets()).containsExactly((long) Flags.SUB_BROADCAST, "x".repeat(4096));
    assertThat(frame.payload()[0]).as("zlib: the peer offered snappy first, which this node cannot use")
        .isEqualTo((byte) 0x78);
  }

  @Test
  void aNodeWithoutTheLibraries_linksWithANodeThatHasThem_andCompressedMessagesCrossBothWays() {
    MeshSocket lean = lean();
    MeshSocket full = net.track(new MeshSocket.Builder().maxOutgoing(0).build());
    full.connect("127.0.0.1", lean.port()).orTimeout(10, TimeUnit.SECONDS).join();
    await("lean to register full").atMost(WAIT).until(() -> lean.routingTable().containsKey(full.id()));

    String big = "compressible text ".repeat(500);
    full.send("from full", big);
    assertThat(MeshSocketTest.awaitMessage(lean).packets()).containsExactly("from full", big);
    lean.send("from lean", big);
    assertThat(MeshSocketTest.awaitMessage(full).packets()).containsExactly("from lean", big);
  }
}
