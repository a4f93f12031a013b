package org.syncmesh.net;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.ImmediateEventExecutor;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import org.syncmesh.wire.FrameCodec;

/**
 * One node's listening socket and outgoing connections over Netty, on the {@link Transport} its
 * event loops run. Every accepted or opened connection becomes a {@link Link} reported to the
 * {@link LinkListener}.
 *
 * <p>Thread-safe. The event loop group belongs to the caller, who shuts it down after
 * {@link #close()}; this class only closes its channels.
 */
public final class Network implements AutoCloseable {

  private final NetConfig config;
  private final EventLoopGroup group;
  private final ChannelGroup channels = new DefaultChannelGroup("syncmesh", ImmediateEventExecutor.INSTANCE);
  private final ServerBootstrap server;
  private final Bootstrap client;
  private volatile Channel listener;
  private final Failures failures = new Failures();

  public Network(NetConfig config, FrameCodec codec, Transport transport, EventLoopGroup group, LinkListener listener) {
    this.config = config;
    this.group = group;
    WriteBufferWaterMark waterMark = new WriteBufferWaterMark(config.writeBufferLowBytes(), config.writeBufferHighBytes());
    this.server = new ServerBootstrap()
        .group(group)
        .channel(transport.serverChannel())
        .option(ChannelOption.SO_REUSEADDR, true)
        .option(ChannelOption.AUTO_READ, false) // accepts nothing until acceptConnections()
        .childOption(ChannelOption.TCP_NODELAY, true)
        .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, waterMark)
        .childHandler(new PipelineInitializer(config, codec, listener, false, channels, failures));
    this.client = new Bootstrap()
        .group(group)
        .channel(transport.clientChannel())
        .option(ChannelOption.TCP_NODELAY, true)
        .option(ChannelOption.WRITE_BUFFER_WATER_MARK, waterMark)
        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) config.connectTimeout().toMillis())
        .handler(new PipelineInitializer(config, codec, listener, true, channels, failures));
  }

  /**
   * Binds the listening socket and returns the bound address (the real port when 0 was asked).
   *
   * @throws java.io.UncheckedIOException naming the address when the port is taken or the bind fails
   */
  public InetSocketAddress bind(String host, int port) {
    ChannelFuture future = server.bind(host, port).awaitUninterruptibly();
    if (!future.isSuccess()) {
      Throwable cause = future.cause();
      throw new java.io.UncheckedIOException(
          new java.net.BindException("cannot bind " + host + ":" + port + ": " + cause.getMessage()));
    }
    Channel channel = future.channel();
    channels.add(channel);
    listener = channel;
    // Netty's first buffer allocation in a JVM sets up the allocator and registers its JFR
    // event types: about 150 ms here, which the first connection would otherwise wait for.
    channel.eventLoop().submit(() -> channel.alloc().directBuffer(1).release()).awaitUninterruptibly();
    return (InetSocketAddress) channel.localAddress();
  }

  /**
   * Starts accepting connections on the socket {@link #bind} bound: until then they wait in the
   * backlog, so the owner can finish setting up first.
   */
  public void acceptConnections() {
    Channel channel = listener;
    if (channel == null) {
      throw new IllegalStateException("acceptConnections() before bind()");
    }
    channel.config().setAutoRead(true);
  }

  /**
   * Opens a connection. The future completes with the {@link Link} once TCP is connected, or
   * fails with the connect error; {@link LinkListener#linkOpened} follows once the link may send
   * (after the TLS handshake, on TLS).
   */
  public CompletableFuture<Link> connect(String host, int port) {
    CompletableFuture<Link> result = new CompletableFuture<>();
    ChannelFuture future = client.connect(host, port);
    future.addListener(f -> {
      if (f.isSuccess()) {
        ChannelLink link = ChannelLink.of(future.channel());
        result.complete(link);
      } else {
        failures.connectFailed(f.cause());
        result.completeExceptionally(f.cause());
      }
    });
    return result;
  }

  /** This node's failed dials and handshakes, by reason. */
  public Failures failures() {
    return failures;
  }

  /** The configuration this network was built with. */
  public NetConfig config() {
    return config;
  }

  /** The event loop group the channels run on. */
  public EventLoopGroup group() {
    return group;
  }

  /** Closes the listening socket and every link, and waits until they are closed. */
  @Override
  public void close() {
    channels.close().awaitUninterruptibly();
  }
}
