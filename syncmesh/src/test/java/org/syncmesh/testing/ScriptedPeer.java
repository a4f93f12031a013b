package org.syncmesh.testing;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.function.LongSupplier;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;
import org.syncmesh.Bytes;
import org.syncmesh.Compression;
import org.syncmesh.wire.ExtensionOffer;
import org.syncmesh.wire.Flags;
import org.syncmesh.wire.FrameCodec;
import org.syncmesh.wire.InternalMessage;
import org.syncmesh.wire.NodeId;

/**
 * A peer driven by hand over a raw {@link Socket} on 127.0.0.1, in the spirit of OkHttp's
 * MockWebServer: it writes raw bytes or whole frames (encoded with {@link FrameCodec}), reads
 * and decodes what the node sends, and tells when the node closed the connection.
 *
 * <p>It speaks in one of the {@link Style}s of docs/protocol-0.7.md §2.2: the msgpack types of its ids and
 * protocol id, and the compression list of its handshake, are those of js2p, of a py2p build, or
 * of another syncmesh node; {@link #readHandshake()} fails the test where the imitated peer would
 * refuse the node's handshake. It keeps every frame it reads, so a test can check every address
 * the node handed it ({@link #advertised()}).
 * Every read is bounded by a timeout and fails the test with a message when it runs out; nothing
 * blocks forever. Not thread-safe: one test thread drives it. {@link #close()} is idempotent.
 *
 * <pre>{@code
 * try (ScriptedPeer peer = ScriptedPeer.connect(node.port(), Style.JS2P)) {
 *   peer.sendHandshake(node.protocol().id());
 *   peer.readMatching(f -> f.subFlag() == Flags.SUB_HANDSHAKE);
 *   peer.writeRaw(new byte[] {0, 0, 0, 40, 1, 2, 3});
 *   peer.assertClosedByNode();
 * }
 * }</pre>
 */
public final class ScriptedPeer implements AutoCloseable {

  /** Default bound of every wait. */
  public static final Duration TIMEOUT = Duration.ofSeconds(10);
  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);

  /** Which reference implementation this peer imitates on the wire (docs/protocol-0.7.md §2.2). */
  public enum Style {
    /** js2p 0.7.870: str ids, str protocol id, compression {@code [19, 17]}. */
    JS2P(false, false, List.of(0x13L, 0x11L)),
    /** py2p 0.7.870 (base58 0.2): bin ids, str protocol id, {@code [19, 17, 16, 18]}. */
    PY2P_0_7_870(true, false, List.of(0x13L, 0x11L, 0x10L, 0x12L)),
    /** py2p 0.7.878 (base58 1.0): bin ids, bin protocol id, {@code [19, 17, 16, 18]}. */
    PY2P_0_7_878(true, true, List.of(0x13L, 0x11L, 0x10L, 0x12L)),
    /**
     * Another syncmesh node as it looks on the wire when it dials: str ids, str protocol id, and a
     * compression list that ends with the extension marker of versions 1..1 (docs/extension-v1.md):
     * a version-1 node, so a link to it floods and carries no broadcast-tree messages.
     */
    SYNCMESH(false, false, List.of(0x13L, 0x11L, 0x10L, 0x12L, ExtensionOffer.V1_ONLY.markerId()));

    final boolean binIds;
    final boolean binProtocolId;
    final List<Long> compression;

    Style(boolean binIds, boolean binProtocolId, List<Long> compression) {
      this.binIds = binIds;
      this.binProtocolId = binProtocolId;
      this.compression = compression;
    }

    /**
     * Whether the implementation this style imitates completes a handshake whose protocol id is
     * {@code packet} (docs/protocol-0.7.md §2.3): js2p (and syncmesh) take str or bin; each py2p build takes
     * only the type it sends itself and silently drops the link on the other.
     */
    public boolean acceptsProtocolId(@Nullable Object packet) {
      return switch (this) {
        case JS2P, SYNCMESH -> packet instanceof String || packet instanceof Bytes;
        case PY2P_0_7_870 -> packet instanceof String;
        case PY2P_0_7_878 -> packet instanceof Bytes;
      };
    }
  }

  /**
   * One address this peer was handed: an entry of a peers list (sub-flag {@code peers}, §7.3) or
   * the route of a response (sub-flag {@code response}, §9.1), whichever way the peer would dial it.
   *
   * @param subFlag {@link Flags#SUB_PEERS} or {@link Flags#SUB_RESPONSE}
   * @param host the listed host
   * @param port the listed port
   * @param id the listed node id as text
   * @param idIsBin whether the id travelled as msgpack bin
   */
  public record Advertised(int subFlag, String host, long port, String id, boolean idIsBin) {}

  /** One frame as the node sent it: the payload P as on the wire, and the decoded message. */
  public record Frame(byte[] payload, InternalMessage message) {
    /** payload[0] of the message, or -1. */
    public int subFlag() {
      return message.subFlag();
    }

    /** The main flag. */
    public int flag() {
      return message.type();
    }

    /** The message payload (sub-flag first). */
    public List<@Nullable Object> packets() {
      return message.payload();
    }
  }

  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;
  private final Style style;
  private final String id;
  private final FrameCodec codec = new FrameCodec();
  private List<Compression> decodeWith = List.of(Compression.values());
  private @Nullable Compression sendWith;
  private LongSupplier clockSeconds = () -> System.currentTimeMillis() / 1000;
  private final List<Frame> received = new ArrayList<>();

  private ScriptedPeer(Socket socket, Style style) throws IOException {
    this.socket = socket;
    this.in = socket.getInputStream();
    this.out = socket.getOutputStream();
    this.style = style;
    String salt = UUID.randomUUID().toString();
    this.id = NodeId.js2pFormula("127.0.0.1", socket.getLocalPort(), "scripted", salt);
  }

  /** Connects to the node listening on 127.0.0.1:{@code port}. */
  public static ScriptedPeer connect(int port, Style style) {
    return connect(port, style, 0);
  }

  /**
   * Connects with a receive buffer of {@code receiveBufferBytes} (0: the system default); a small
   * one makes a peer that never reads fill up quickly.
   */
  public static ScriptedPeer connect(int port, Style style, int receiveBufferBytes) {
    Socket socket = new Socket();
    try {
      if (receiveBufferBytes > 0) {
        socket.setReceiveBufferSize(receiveBufferBytes);
      }
      socket.setTcpNoDelay(true);
      socket.connect(new InetSocketAddress("127.0.0.1", port), (int) CONNECT_TIMEOUT.toMillis());
      return new ScriptedPeer(socket, style);
    } catch (IOException e) {
      closeQuietly(socket);
      throw new UncheckedIOException("cannot connect to 127.0.0.1:" + port, e);
    }
  }

  /** A listening socket on 127.0.0.1 that the node can connect to; see {@link Listener#accept}. */
  public static Listener listen(Style style) {
    try {
      ServerSocket server = new ServerSocket();
      server.bind(new InetSocketAddress("127.0.0.1", 0));
      return new Listener(server, style);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot listen on 127.0.0.1", e);
    }
  }

  /** A {@link ScriptedPeer} waiting for the node to connect. Closing it closes the listener only. */
  public static final class Listener implements AutoCloseable {
    private final ServerSocket server;
    private final Style style;

    private Listener(ServerSocket server, Style style) {
      this.server = server;
      this.style = style;
    }

    /** The port the node should connect to. */
    public int port() {
      return server.getLocalPort();
    }

    /** The next connection, or an AssertionError after {@code timeout}. */
    public ScriptedPeer accept(Duration timeout) {
      try {
        server.setSoTimeout(millis(timeout));
        return new ScriptedPeer(server.accept(), style);
      } catch (SocketTimeoutException e) {
        throw new AssertionError("the node did not connect to port " + port() + " within " + timeout);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    @Override
    public void close() {
      closeQuietly(server);
    }
  }

  // ------------------------------------------------------------------ identity and settings

  /** This peer's node id (base58 text; sent as str or bin according to its style). */
  public String id() {
    return id;
  }

  /** The id as it goes on the wire: {@link String} or {@link Bytes}. */
  public Object wireId() {
    return style.binIds ? Bytes.utf8(id) : id;
  }

  /** The local port of the connection (also advertised in the handshake). */
  public int localPort() {
    return socket.getLocalPort();
  }

  /** Sets where message times come from, in seconds UTC (default the system clock). */
  public ScriptedPeer clockSeconds(LongSupplier seconds) {
    this.clockSeconds = seconds;
    return this;
  }

  /** Compresses frames sent from now on with {@code method} ({@code null}: none). */
  public ScriptedPeer sendWith(@Nullable Compression method) {
    this.sendWith = method;
    return this;
  }

  /** The methods tried on frames read from now on (default: all), before the raw reading. */
  public ScriptedPeer decodeWith(List<Compression> methods) {
    this.decodeWith = List.copyOf(methods);
    return this;
  }

  // ------------------------------------------------------------------ building messages

  /** {@code [flag, me, now | payload…]} with this peer's sender type. */
  public InternalMessage message(int flag, Object... payload) {
    return messageAt(flag, clockSeconds.getAsLong(), payload);
  }

  /** {@code [flag, me, time | payload…]} with this peer's sender type. */
  public InternalMessage messageAt(int flag, long timeSeconds, Object... payload) {
    return InternalMessage.create(flag, wireId(), timeSeconds, Arrays.asList(payload));
  }

  /**
   * This style's handshake {@code [2, me, t | 5, me, protocolId, ["127.0.0.1", port], methods]},
   * the protocol id in the style's msgpack type, the port this connection's local one.
   */
  public InternalMessage handshake(String protocolId) {
    Object protocol = style.binProtocolId ? Bytes.utf8(protocolId) : protocolId;
    return handshake(protocol, style.compression);
  }

  /** A handshake with an explicit protocol id packet (str or bin) and compression list. */
  public InternalMessage handshake(Object protocolIdPacket, List<Long> compression) {
    return messageAt(Flags.MAIN_WHISPER, clockSeconds.getAsLong(), (long) Flags.SUB_HANDSHAKE, wireId(), protocolIdPacket,
        List.of("127.0.0.1", (long) localPort()), compression);
  }

  // ------------------------------------------------------------------ writing

  /** Writes {@code bytes} as they are. */
  public void writeRaw(byte[] bytes) {
    try {
      out.write(bytes);
      out.flush();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + bytes.length + " raw bytes", e);
    }
  }

  /** The whole frame {@code N ‖ P} of {@code message}, compressed as set by {@link #sendWith}. */
  public byte[] frameOf(InternalMessage message) {
    return codec.encodeFrame(message, sendWith);
  }

  /** Writes {@code message} as one frame. */
  public void writeFrame(InternalMessage message) {
    writeRaw(frameOf(message));
  }

  /** Writes {@code [flag, me, now | payload…]} as one frame. */
  public void send(int flag, Object... payload) {
    writeFrame(message(flag, payload));
  }

  /** Writes this style's handshake for {@code protocolId}. */
  public void sendHandshake(String protocolId) {
    writeFrame(handshake(protocolId));
  }

  // ------------------------------------------------------------------ reading

  /** The next frame from the node within {@link #TIMEOUT}. */
  public Frame read() {
    return read(TIMEOUT);
  }

  /**
   * The next frame from the node.
   *
   * @throws AssertionError if none arrives within {@code timeout}, or the node closes first
   */
  public Frame read(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    byte[] header = readFully(FrameCodec.HEADER_BYTES, deadline, timeout);
    long n = (header[0] & 0xffL) << 24 | (header[1] & 0xff) << 16 | (header[2] & 0xff) << 8 | (header[3] & 0xff);
    codec.checkFrameLength(n);
    byte[] payload = readFully((int) n, deadline, timeout);
    Frame frame = new Frame(payload, codec.decodePayload(payload, decodeWith));
    received.add(frame);
    return frame;
  }

  /**
   * Reads up to the node's handshake and checks that the implementation this style imitates would
   * accept it: a py2p build drops the link on the other protocol-id type (§2.3), so a handshake it
   * would refuse fails the test here.
   */
  public Frame readHandshake() {
    Frame handshake = readMatching(f -> f.subFlag() == Flags.SUB_HANDSHAKE);
    Object protocolId = handshake.packets().size() == 5 ? handshake.packets().get(2) : null;
    if (!style.acceptsProtocolId(protocolId)) {
      throw new AssertionError(style + " would drop the link: the node's handshake carries the protocol id as "
          + (protocolId == null ? "nothing" : protocolId.getClass().getSimpleName()) + ": " + handshake.packets());
    }
    return handshake;
  }

  /** Every frame read so far, in order, those that {@link #readMatching} skipped included. */
  public List<Frame> received() {
    return List.copyOf(received);
  }

  /**
   * Every address this peer has been handed in the frames read so far, in order: the entries of
   * peers lists and the routes of responses. Malformed entries are skipped.
   */
  public List<Advertised> advertised() {
    List<Advertised> out = new ArrayList<>();
    for (Frame frame : received) {
      List<@Nullable Object> packets = frame.packets();
      if (frame.subFlag() == Flags.SUB_PEERS && packets.size() >= 2 && packets.get(1) instanceof List<?> entries) {
        for (Object entry : entries) {
          addAdvertised(out, Flags.SUB_PEERS, entry);
        }
      } else if (frame.subFlag() == Flags.SUB_RESPONSE && packets.size() >= 3) {
        addAdvertised(out, Flags.SUB_RESPONSE, packets.get(2));
      }
    }
    return out;
  }

  private static void addAdvertised(List<Advertised> out, int subFlag, @Nullable Object entry) {
    if (entry instanceof List<?> pair && pair.size() >= 2 && pair.get(0) instanceof List<?> addr && addr.size() >= 2
        && addr.get(1) instanceof Long port) {
      Object host = addr.get(0);
      Object id = pair.get(1);
      String hostText = host instanceof Bytes b ? b.utf8() : String.valueOf(host);
      if (id instanceof String s) {
        out.add(new Advertised(subFlag, hostText, port, s, false));
      } else if (id instanceof Bytes b) {
        out.add(new Advertised(subFlag, hostText, port, b.utf8(), true));
      }
    }
  }

  /** Skips frames until one matches, within {@link #TIMEOUT}. */
  public Frame readMatching(Predicate<Frame> wanted) {
    return readMatching(wanted, TIMEOUT);
  }

  /** Skips frames until one matches {@code wanted}; an AssertionError after {@code timeout}. */
  public Frame readMatching(Predicate<Frame> wanted, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      Frame frame = read(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
      if (wanted.test(frame)) {
        return frame;
      }
    }
  }

  /** {@link #assertClosedByNode(Duration)} with {@link #TIMEOUT}. */
  public void assertClosedByNode() {
    assertClosedByNode(TIMEOUT);
  }

  /**
   * Reads and discards whatever the node still sends until it closes the connection (end of
   * stream, or a reset).
   *
   * @throws AssertionError if the connection is still open after {@code timeout}
   */
  public void assertClosedByNode(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    byte[] sink = new byte[8192];
    try {
      while (true) {
        socket.setSoTimeout(remainingMillis(deadline, timeout, "the node to close the connection"));
        if (in.read(sink) < 0) {
          return;
        }
      }
    } catch (SocketTimeoutException e) {
      throw new AssertionError("the node did not close the connection from port " + localPort() + " within " + timeout);
    } catch (SocketException e) {
      return; // a reset: closed too
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private byte[] readFully(int length, long deadline, Duration timeout) {
    byte[] buffer = new byte[length];
    int filled = 0;
    try {
      while (filled < length) {
        socket.setSoTimeout(remainingMillis(deadline, timeout, "a frame from the node"));
        int read = in.read(buffer, filled, length - filled);
        if (read < 0) {
          throw new EOFException();
        }
        filled += read;
      }
      return buffer;
    } catch (SocketTimeoutException e) {
      throw new AssertionError("no complete frame from the node within " + timeout + " (" + filled + " of "
          + length + " bytes)");
    } catch (EOFException | SocketException e) {
      throw new AssertionError("the node closed the connection while a frame was expected", e);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static int remainingMillis(long deadline, Duration timeout, String what) throws SocketTimeoutException {
    long left = deadline - System.nanoTime();
    if (left <= 0) {
      throw new SocketTimeoutException("waited " + timeout + " for " + what);
    }
    return (int) Math.max(1, Math.min(Integer.MAX_VALUE, left / 1_000_000));
  }

  private static int millis(Duration timeout) {
    return (int) Math.max(1, Math.min(Integer.MAX_VALUE, timeout.toMillis()));
  }

  /** Closes the connection abruptly (RST instead of FIN), as a killed process would leave it. */
  public void abort() {
    try {
      socket.setSoLinger(true, 0);
    } catch (SocketException e) {
      // already closed
    }
    close();
  }

  @Override
  public void close() {
    closeQuietly(socket);
  }

  private static void closeQuietly(AutoCloseable closeable) {
    try {
      closeable.close();
    } catch (Exception e) {
      // nothing to do: the test is over with this socket
    }
  }

  @Override
  public String toString() {
    return "ScriptedPeer{" + style + ", port " + socket.getLocalPort() + "}";
  }
}
