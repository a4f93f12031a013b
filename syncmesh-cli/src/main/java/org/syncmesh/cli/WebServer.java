package org.syncmesh.cli;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import org.syncmesh.sync.SyncMetrics;

/**
 * {@code syncmesh node --http HOST:PORT}: the node's HTTP server (docs/http.md). It serves the
 * node's live page ({@code /}, {@link WebResources}), its JSON API ({@code /api/node},
 * {@code /api/peers}, {@code /api/keys}: {@link WebApi}), its events as server-sent events
 * ({@code /api/events}: {@link WebEvents}) and its {@link SyncMetrics} in Prometheus text format
 * ({@code /metrics}, from a registry of its own); {@link WebRouter} routes, and checks the
 * {@link WebToken} when there is one.
 *
 * <p>One Netty event-loop thread of its own, apart from the node's, runs every connection, the
 * rendering and the event stream's timers: whatever the page asks costs that thread only, never
 * the node's I/O. Requests are small (a body and headers of at most {@value #MAX_REQUEST_BYTES} bytes, a line of
 * at most {@value #MAX_REQUEST_LINE_BYTES}); an event stream's
 * connection may queue up to {@value #HIGH_WATER_BYTES} bytes before it counts as slow.
 *
 * <p>Lifecycle: {@link #start} binds before the node starts (a bad address fails first), the API
 * answers 503 until {@link #serve}. Thread-safe: {@link #close} may be called from any thread, more
 * than once.
 */
final class WebServer implements AutoCloseable {

  /** The Prometheus text format's content type. */
  static final String CONTENT_TYPE = WebRouter.METRICS_CONTENT_TYPE;
  /** Largest request body accepted, and largest header block. */
  static final int MAX_REQUEST_BYTES = 8192;
  /**
   * Longest request line: room for three query parameters of {@link WebApi#MAX_PARAM_CHARS} chars
   * percent-encoded (at most 9 bytes a char: 3 UTF-8 bytes of 3 characters each), so any key
   * {@code /api/keys} accepts as a cursor reaches it, and the line stays bounded.
   */
  static final int MAX_REQUEST_LINE_BYTES = 512 * 1024;
  /** Outbound bytes above which a connection is not writable (an event stream's client is slow). */
  static final int HIGH_WATER_BYTES = 256 * 1024;
  private static final int LOW_WATER_BYTES = 64 * 1024;
  /**
   * The kernel's send buffer per connection: fixed rather than autotuned (up to 4 MiB on Linux), so a
   * stalled event-stream client shows as unwritable after about this plus {@link #HIGH_WATER_BYTES},
   * and costs no more memory than that.
   */
  static final int SEND_BUFFER_BYTES = 64 * 1024;

  private final EventLoopGroup group;
  private final EventLoop loop;
  private final Channel channel;
  private final PrometheusMeterRegistry registry;
  private final @Nullable WebToken token;
  private final AtomicReference<WebRouter.@Nullable Served> served;
  private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();

  private WebServer(EventLoopGroup group, Channel channel, PrometheusMeterRegistry registry, @Nullable WebToken token,
      AtomicReference<WebRouter.@Nullable Served> served) {
    this.group = group;
    this.loop = group.next();
    this.channel = channel;
    this.registry = registry;
    this.token = token;
    this.served = served;
  }

  /**
   * Binds {@code host:port} (port 0: ephemeral). Every request must carry {@code token} when it is
   * not null. The API answers 503 until {@link #serve}.
   *
   * @throws UncheckedIOException naming the address if it cannot be bound
   */
  static WebServer start(String host, int port, @Nullable WebToken token) {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    WebResources resources = WebResources.load();
    AtomicReference<WebRouter.@Nullable Served> served = new AtomicReference<>();
    EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("syncmesh-http", true),
        NioIoHandler.newFactory());
    try {
      Channel channel = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
          .childOption(ChannelOption.SO_SNDBUF, SEND_BUFFER_BYTES)
          .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(LOW_WATER_BYTES,
              HIGH_WATER_BYTES))
          .childHandler(new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel ch) {
              ch.pipeline().addLast(new HttpServerCodec(MAX_REQUEST_LINE_BYTES, MAX_REQUEST_BYTES,
                  MAX_REQUEST_BYTES), new HttpObjectAggregator(MAX_REQUEST_BYTES),
                  new WebRouter(registry, resources, token, served::get));
            }
          })
          .bind(host, port).syncUninterruptibly().channel();
      return new WebServer(group, channel, registry, token, served);
    } catch (Exception e) { // Netty rethrows the bind's checked exception unchecked-ly: catch it too
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
      registry.close();
      throw new UncheckedIOException(new java.net.BindException("cannot bind --http " + host + ":" + port + ": "
          + e.getMessage()));
    }
  }

  /**
   * Serves {@code session}'s node from now on: its metrics, API and events.
   *
   * @param secure whether the node runs in a secure network (shown by {@code /api/node})
   * @throws IllegalStateException if a node is served already, or the session is a mesh node's
   */
  void serve(NodeSession session, boolean secure) {
    Clock clock = Clock.systemUTC();
    WebRouter.Served s = new WebRouter.Served(new WebApi(session, registry, secure, clock),
        new WebEvents(session, registry, loop, clock));
    if (!served.compareAndSet(null, s)) {
      throw new IllegalStateException("a node is served already");
    }
    new SyncMetrics(session.sync()).bindTo(registry); // until bound, the API shows a link's traffic as null
  }

  /** The bound address (the real port when 0 was asked). */
  InetSocketAddress address() {
    return (InetSocketAddress) channel.localAddress();
  }

  /** The token every request needs, or null when none does. */
  @Nullable WebToken token() {
    return token;
  }

  /** How many event streams are open now (tests: the last one leaving unsubscribes). */
  int eventClients() {
    WebRouter.Served s = served.get();
    return s == null ? 0 : loop.submit(() -> s.events().clients()).syncUninterruptibly().getNow();
  }

  /**
   * Stops listening, closes every connection (event streams included) and the server's thread,
   * and closes its registry; idempotent.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    WebRouter.Served s = served.get();
    if (s != null) {
      loop.submit(() -> s.events().closeAll()).awaitUninterruptibly();
    }
    channel.close().syncUninterruptibly();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    registry.close();
  }
}
