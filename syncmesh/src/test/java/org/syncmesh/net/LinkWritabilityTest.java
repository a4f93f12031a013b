package org.syncmesh.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.syncmesh.wire.FrameCodec;
import org.syncmesh.wire.InternalMessage;

/**
 * {@link Link#whenWritable}: a bulk sender's continuation runs at once on a writable link, waits
 * while the peer is not reading, runs once it has read, and never runs on a closed link.
 */
final class LinkWritabilityTest {

  private static final int LOW = 64 * 1024;
  private static final int HIGH = 128 * 1024;
  private static final Duration WAIT = Duration.ofSeconds(10);

  private EventLoopGroup group;
  private Network network;
  private final CompletableFuture<Link> accepted = new CompletableFuture<>();
  private Socket peer;
  private @Nullable Thread reader;

  @BeforeEach
  void start() throws Exception {
    group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    NetConfig config = new NetConfig(1 << 20, Duration.ofSeconds(60), LOW, HIGH, 64L << 20,
        Duration.ofSeconds(60), Duration.ofSeconds(5), Duration.ofSeconds(5), null, null);
    network = new Network(config, new FrameCodec(1 << 20), Transport.NIO, group, new LinkListener() {
      @Override
      public void linkOpened(Link link) {
        accepted.complete(link);
      }

      @Override
      public void messageReceived(Link link, InternalMessage message) {}

      @Override
      public void linkClosed(Link link, @Nullable String reason) {}
    });
    InetSocketAddress at = network.bind("127.0.0.1", 0);
    network.acceptConnections();
    peer = new Socket();
    peer.setReceiveBufferSize(4096); // a peer that does not read fills up fast
    peer.connect(at);
  }

  @AfterEach
  void stop() throws Exception {
    peer.close();
    if (reader != null) {
      reader.join(5_000);
    }
    network.close();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }

  private static OutboundFrame chunk() {
    return OutboundFrame.of(InternalMessage.create(0, "sender", 0L, new byte[16 * 1024]), new FrameCodec(1 << 20));
  }

  /**
   * Queues 32 MiB for a peer that reads nothing: far more than the kernel's socket buffers take,
   * so the link stays over its high-water mark.
   */
  private static void fill(Link link) {
    OutboundFrame frame = chunk();
    for (int i = 0; i < 2048; i++) {
      link.send(frame);
    }
    await("the link to turn unwritable").atMost(WAIT).until(() -> !link.isWritable());
  }

  @Test
  void runsAtOnceOnAWritableLink() throws Exception {
    Link link = accepted.get(10, TimeUnit.SECONDS);
    AtomicInteger ran = new AtomicInteger();
    link.whenWritable(ran::incrementAndGet);
    await().atMost(WAIT).until(() -> ran.get() == 1);
  }

  @Test
  void waitsWhileThePeerDoesNotRead_andRunsOnceItHasRead() throws Exception {
    Link link = accepted.get(10, TimeUnit.SECONDS);
    fill(link);
    AtomicInteger ran = new AtomicInteger();
    link.whenWritable(ran::incrementAndGet);
    // Not run while nothing is read: the queue stays above the low-water mark.
    await().during(Duration.ofMillis(300)).atMost(WAIT).until(() -> ran.get() == 0 && !link.isWritable());

    // The peer now reads everything, on a thread of its own that ends when the socket closes.
    reader = new Thread(() -> {
      byte[] sink = new byte[64 * 1024];
      try (InputStream in = peer.getInputStream()) {
        while (in.read(sink) >= 0) {
          // discard
        }
      } catch (IOException closed) {
        // the test is over
      }
    }, "peer-reader");
    reader.start();
    await("the waiter to run once the peer has read").atMost(WAIT).until(() -> ran.get() == 1);
    assertThat(ran.get()).isEqualTo(1);
    assertThat(link.isWritable()).isTrue();
  }

  @Test
  void neverRunsOnceTheLinkIsClosed() throws Exception {
    Link link = accepted.get(10, TimeUnit.SECONDS);
    fill(link);
    AtomicInteger ran = new AtomicInteger();
    link.whenWritable(ran::incrementAndGet);
    link.close("test");
    await().atMost(WAIT).until(() -> !link.isOpen());
    link.whenWritable(ran::incrementAndGet);
    await().during(Duration.ofMillis(300)).atMost(WAIT).until(() -> ran.get() == 0);
  }
}
