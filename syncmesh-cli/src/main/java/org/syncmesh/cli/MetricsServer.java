package org.syncmesh.cli;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.syncmesh.sync.SyncMetrics;
import org.syncmesh.sync.SyncSocket;

/**
 * {@code syncmesh node --http HOST:PORT}: serves {@code GET /metrics}, the node's {@link SyncMetrics}
 * in Prometheus text format, from a Prometheus registry of its own; 404 for any other path, 405 for
 * another method. One Netty event-loop thread; requests are small (at most 8 KiB) and each answered
 * at once, rendered on that thread.
 *
 * <p>Thread-safe: {@link #close} may be called from any thread, more than once.
 */
final class MetricsServer implements AutoCloseable {

  /** The Prometheus text format's content type. */
  static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

  private final EventLoopGroup group;
  private final Channel channel;
  private final PrometheusMeterRegistry registry;

  private MetricsServer(EventLoopGroup group, Channel channel, PrometheusMeterRegistry registry) {
    this.group = group;
    this.channel = channel;
    this.registry = registry;
  }

  /**
   * Binds {@code host:port} (port 0: ephemeral) and serves the registry there, empty until
   * {@link #serve}: bound before the node starts, so a bad address fails before anything else.
   *
   * @throws UncheckedIOException naming the address if it cannot be bound
   */
  static MetricsServer start(String host, int port) {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("syncmesh-http", true),
        NioIoHandler.newFactory());
    try {
      Channel channel = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
          .childHandler(new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel ch) {
              ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(8192), new Handler(registry));
            }
          })
          .bind(host, port).syncUninterruptibly().channel();
      return new MetricsServer(group, channel, registry);
    } catch (Exception e) { // Netty rethrows the bind's checked exception unchecked-ly: catch it too
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
      registry.close();
      throw new UncheckedIOException(new java.net.BindException("cannot bind --http " + host + ":" + port + ": "
          + e.getMessage()));
    }
  }

  /** Serves {@code node}'s metrics from now on. */
  void serve(SyncSocket node) {
    new SyncMetrics(node).bindTo(registry);
  }

  /** The bound address (the real port when 0 was asked). */
  InetSocketAddress address() {
    return (InetSocketAddress) channel.localAddress();
  }

  /** Stops listening and the server's thread, and closes its registry; idempotent. */
  @Override
  public void close() {
    channel.close().syncUninterruptibly();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    registry.close();
  }

  /** Answers each request whole (aggregated), then closes the connection unless kept alive. */
  private static final class Handler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private final PrometheusMeterRegistry registry;

    Handler(PrometheusMeterRegistry registry) {
      this.registry = registry;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
      String path = new QueryStringDecoder(request.uri()).path();
      FullHttpResponse response;
      if (!request.decoderResult().isSuccess()) {
        response = text(HttpResponseStatus.BAD_REQUEST, "bad request\n", "text/plain; charset=utf-8");
      } else if (!path.equals("/metrics")) {
        response = text(HttpResponseStatus.NOT_FOUND, "not found: only /metrics is served\n",
            "text/plain; charset=utf-8");
      } else if (!request.method().equals(HttpMethod.GET) && !request.method().equals(HttpMethod.HEAD)) {
        response = text(HttpResponseStatus.METHOD_NOT_ALLOWED, "only GET /metrics\n", "text/plain; charset=utf-8");
        response.headers().set(HttpHeaderNames.ALLOW, "GET, HEAD");
      } else {
        response = text(HttpResponseStatus.OK, registry.scrape(), CONTENT_TYPE);
        if (request.method().equals(HttpMethod.HEAD)) {
          response.content().clear();
        }
      }
      boolean keepAlive = HttpUtil.isKeepAlive(request) && request.decoderResult().isSuccess();
      HttpUtil.setKeepAlive(response, keepAlive);
      var written = ctx.writeAndFlush(response);
      if (!keepAlive) {
        written.addListener(ChannelFutureListener.CLOSE);
      }
    }

    private static FullHttpResponse text(HttpResponseStatus status, String body, String contentType) {
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
          Unpooled.wrappedBuffer(bytes));
      response.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
      response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, bytes.length);
      return response;
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close(); // a broken client connection: nothing to answer
    }
  }
}
