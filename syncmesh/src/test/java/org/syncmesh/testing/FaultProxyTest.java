package org.syncmesh.testing;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.syncmesh.testing.FaultProxy.Direction;

/**
 * {@link FaultProxy} between two plain sockets: the test holds both ends (the dialler and the
 * connection the target accepted), so each direction is checked on its own.
 */
final class FaultProxyTest {

  private static final Duration WAIT = Duration.ofSeconds(10);

  @RegisterExtension final NetworkTestRule net = new NetworkTestRule();

  /** A connection through {@code proxy}: the dialler's socket and the one the target accepted. */
  private record Ends(FaultProxy proxy, ServerSocket target, Socket client, Socket server) {
    Socket from(Direction direction) {
      return direction == Direction.TO_TARGET ? client : server;
    }

    Socket to(Direction direction) {
      return direction == Direction.TO_TARGET ? server : client;
    }
  }

  private ServerSocket target() throws IOException {
    ServerSocket target = net.track(new ServerSocket(0, 50, InetAddress.getLoopbackAddress()));
    target.setSoTimeout((int) WAIT.toMillis());
    return target;
  }

  private Socket dial(int port) throws IOException {
    Socket socket = net.track(new Socket());
    socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), (int) WAIT.toMillis());
    socket.setSoTimeout((int) WAIT.toMillis());
    return socket;
  }

  private Socket accept(ServerSocket target) throws IOException {
    Socket socket = net.track(target.accept());
    socket.setSoTimeout((int) WAIT.toMillis());
    return socket;
  }

  private Ends connected() throws IOException {
    ServerSocket target = target();
    FaultProxy proxy = net.track(new FaultProxy(target.getLocalPort()));
    Socket client = dial(proxy.port());
    return new Ends(proxy, target, client, accept(target));
  }

  private static void write(Socket socket, byte[] bytes) throws IOException {
    OutputStream out = socket.getOutputStream();
    out.write(bytes);
    out.flush();
  }

  /** Exactly {@code n} bytes, or fails after the socket's 10 s timeout or at end of stream. */
  private static byte[] read(Socket socket, int n) throws IOException {
    byte[] bytes = socket.getInputStream().readNBytes(n);
    assertThat(bytes).as("bytes before end of stream").hasSize(n);
    return bytes;
  }

  /** Everything up to end of stream (FIN, not a reset); fails after the socket's 10 s timeout. */
  private static byte[] readToEnd(Socket socket) throws IOException {
    return socket.getInputStream().readAllBytes();
  }

  private static byte[] frame(int payloadBytes) {
    byte[] frame = new byte[4 + payloadBytes];
    frame[2] = (byte) (payloadBytes >>> 8);
    frame[3] = (byte) payloadBytes;
    for (int i = 4; i < frame.length; i++) {
      frame[i] = (byte) i;
    }
    return frame;
  }

  @Test
  void forwardsBothWays_passesEndOfStreamOn_andCounts() throws IOException {
    Ends ends = connected();
    FaultProxy proxy = ends.proxy();

    write(ends.client(), "ping".getBytes(US_ASCII));
    assertThat(new String(read(ends.server(), 4), US_ASCII)).isEqualTo("ping");
    write(ends.server(), "pong!".getBytes(US_ASCII));
    assertThat(new String(read(ends.client(), 5), US_ASCII)).isEqualTo("pong!");

    await("the counters").atMost(WAIT).untilAsserted(() -> {
      assertThat(proxy.bytesForwarded(Direction.TO_TARGET)).isEqualTo(4);
      assertThat(proxy.bytesForwarded(Direction.TO_CLIENT)).isEqualTo(5);
    });
    assertThat(proxy.accepted()).isEqualTo(1);
    assertThat(proxy.connections()).isEqualTo(1);

    ends.client().shutdownOutput();
    assertThat(readToEnd(ends.server())).as("the dialler's FIN, passed on").isEmpty();
    ends.server().close();
    assertThat(readToEnd(ends.client())).as("the target's close, passed on").isEmpty();
    await("the proxy to let the connection go").atMost(WAIT).until(() -> proxy.connections() == 0);
  }

  @Test
  void partition_cutsBothEnds_andRefusesNewConnections_untilHealed() throws IOException {
    Ends ends = connected();
    FaultProxy proxy = ends.proxy();

    proxy.partition();
    assertThat(proxy.connections()).isZero();
    assertThat(readToEnd(ends.client())).as("dialler's end after the cut").isEmpty();
    assertThat(readToEnd(ends.server())).as("target's end after the cut").isEmpty();

    Socket refused = dial(proxy.port());
    assertThat(readToEnd(refused)).as("a connection made during the partition").isEmpty();
    assertThat(proxy.refused()).isEqualTo(1);
    assertThat(proxy.accepted()).isEqualTo(1);

    proxy.heal();
    Socket client = dial(proxy.port());
    Socket server = accept(ends.target());
    write(client, "healed".getBytes(US_ASCII));
    assertThat(new String(read(server, 6), US_ASCII)).isEqualTo("healed");
    write(server, "yes".getBytes(US_ASCII));
    assertThat(new String(read(client, 3), US_ASCII)).isEqualTo("yes");
    assertThat(proxy.accepted()).isEqualTo(2);
    assertThat(proxy.connections()).isEqualTo(1);
  }

  @Test
  void blackhole_dropsBytesSilently_andHealResumes() throws IOException {
    Ends ends = connected();
    FaultProxy proxy = ends.proxy();

    proxy.blackhole();
    write(ends.client(), "lost".getBytes(US_ASCII));
    write(ends.server(), "gone!".getBytes(US_ASCII));
    await("the proxy to swallow both").atMost(WAIT).until(() ->
        proxy.bytesDropped(Direction.TO_TARGET) == 4 && proxy.bytesDropped(Direction.TO_CLIENT) == 5);
    assertThat(proxy.connections()).as("a blackhole closes nothing").isEqualTo(1);
    assertThat(ends.server().getInputStream().available()).isZero();

    proxy.heal();
    write(ends.client(), "kept".getBytes(US_ASCII));
    assertThat(new String(read(ends.server(), 4), US_ASCII)).isEqualTo("kept");
    write(ends.server(), "back".getBytes(US_ASCII));
    assertThat(new String(read(ends.client(), 4), US_ASCII)).isEqualTo("back");
  }

  @ParameterizedTest
  @EnumSource(Direction.class)
  void dropMidFrame_forwardsHalfTheNextChunk_thenClosesBothEnds(Direction direction) throws IOException {
    Ends ends = connected();
    FaultProxy proxy = ends.proxy();
    byte[] frame = frame(96);

    write(ends.from(direction), frame);
    assertThat(read(ends.to(direction), frame.length)).as("a frame before the fault, whole").isEqualTo(frame);

    proxy.dropMidFrame(direction);
    write(ends.from(direction), frame);
    assertThat(readToEnd(ends.to(direction))).as("the receiver's bytes up to end of stream")
        .isEqualTo(Arrays.copyOf(frame, frame.length / 2));
    assertThat(readToEnd(ends.from(direction))).as("the sender's end is closed too").isEmpty();
    assertThat(proxy.connections()).isZero();
    assertThat(proxy.bytesForwarded(direction)).isEqualTo(frame.length + frame.length / 2);
    assertThat(proxy.bytesDropped(direction)).isEqualTo(frame.length / 2);
  }

  @Test
  void delay_holdsEveryChunkThatLong_inOrder() throws IOException {
    Ends ends = connected();
    Duration delay = Duration.ofMillis(300);
    ends.proxy().delay(delay);

    long start = System.nanoTime();
    StringBuilder sent = new StringBuilder();
    for (int i = 0; i < 20; i++) {
      String chunk = "<" + i + ">";
      sent.append(chunk);
      write(ends.client(), chunk.getBytes(US_ASCII));
    }
    InputStream in = ends.server().getInputStream();
    int first = in.read();
    long firstArrived = System.nanoTime() - start;
    byte[] rest = read(ends.server(), sent.length() - 1);

    assertThat(Duration.ofNanos(firstArrived)).as("when the first byte arrived").isGreaterThanOrEqualTo(delay);
    assertThat((char) first + new String(rest, US_ASCII)).as("the bytes, in order").isEqualTo(sent.toString());

    ends.proxy().delay(Duration.ZERO);
    write(ends.server(), "undelayed".getBytes(US_ASCII));
    assertThat(new String(read(ends.client(), 9), US_ASCII)).isEqualTo("undelayed");
  }

  @Test
  void stall_pushesBackOnTheSender_andUnstallDeliversEverything() throws Exception {
    Ends ends = connected();
    FaultProxy proxy = ends.proxy();
    // Far more than the socket buffers on both sides of the proxy hold, so the writer must block.
    int total = 32 << 20;
    AtomicLong written = new AtomicLong();
    AtomicReference<Throwable> writeFailure = new AtomicReference<>();
    proxy.stall();
    Thread writer = new Thread(() -> {
      byte[] chunk = new byte[64 * 1024];
      try {
        OutputStream out = ends.client().getOutputStream();
        for (int offset = 0; offset < total; offset += chunk.length) {
          for (int i = 0; i < chunk.length; i++) {
            chunk[i] = pattern(offset + i);
          }
          out.write(chunk);
          written.addAndGet(chunk.length);
        }
      } catch (Throwable t) {
        writeFailure.set(t);
      }
    }, "stall-test-writer");
    writer.start();
    net.track((AutoCloseable) () -> { // on failure: unblock the writer by closing its socket, then wait for it
      ends.client().close();
      writer.join(WAIT.toMillis());
    });

    await("the stalled proxy to forward nothing while the writer is held back")
        .during(Duration.ofMillis(500)).atMost(WAIT).until(() ->
            proxy.bytesForwarded(Direction.TO_TARGET) == 0
                && ends.server().getInputStream().available() == 0
                && written.get() < total);

    proxy.unstall();
    InputStream in = ends.server().getInputStream();
    byte[] buffer = new byte[64 * 1024];
    int received = 0;
    while (received < total) {
      int n = in.read(buffer, 0, Math.min(buffer.length, total - received));
      assertThat(n).as("bytes after " + received).isPositive();
      for (int i = 0; i < n; i++) {
        if (buffer[i] != pattern(received + i)) {
          throw new AssertionError("byte " + (received + i) + " lost or out of order");
        }
      }
      received += n;
    }
    writer.join(WAIT.toMillis());
    assertThat(writeFailure.get()).isNull();
    assertThat(written.get()).isEqualTo(total);
    assertThat(proxy.bytesForwarded(Direction.TO_TARGET)).isEqualTo(total);
  }

  private static byte pattern(int position) {
    return (byte) (position % 251); // a prime period: a lost or repeated chunk shifts it
  }

  @Test
  void close_endsEveryThread_andReleasesThePort_evenWhileStalled() throws IOException {
    Ends ends = connected();
    FaultProxy proxy = ends.proxy();
    proxy.delay(Duration.ofMinutes(1));
    write(ends.client(), "held by the delay".getBytes(US_ASCII));
    proxy.stall();

    proxy.close();

    String prefix = "syncmesh-proxy-" + proxy.port() + "-";
    assertThat(Thread.getAllStackTraces().keySet()).filteredOn(t -> t.getName().startsWith(prefix))
        .filteredOn(Thread::isAlive).as("proxy threads after close").isEmpty();
    assertThatThrownBy(() -> new Socket(InetAddress.getLoopbackAddress(), proxy.port()).close())
        .isInstanceOf(ConnectException.class);
    proxy.close(); // idempotent
  }
}
