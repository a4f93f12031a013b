package org.syncmesh.net;

import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.flush.FlushConsolidationHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.timeout.IdleStateHandler;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.syncmesh.wire.FrameCodec;

/**
 * Builds one connection's pipeline, head to tail:
 *
 * <pre>
 *  FlushConsolidationHandler → [SslHandler] → IdleStateHandler → FrameDecoder
 *    → MessageDecoder → LinkHandler
 * </pre>
 *
 * Outbound frames are compressed, framed and batched by {@link ChannelLink#send}; inbound bytes are framed, decoded and handed to the {@link LinkListener}.
 */
final class PipelineInitializer extends ChannelInitializer<SocketChannel> {

  private final NetConfig config;
  private final FrameCodec codec;
  private final LinkListener listener;
  private final boolean outgoing;
  private final @Nullable SslContext ssl;
  private final ChannelGroup channels;
  private final Failures failures;

  PipelineInitializer(NetConfig config, FrameCodec codec, LinkListener listener, boolean outgoing,
      ChannelGroup channels, Failures failures) {
    this.failures = failures;
    this.config = config;
    this.codec = codec;
    this.listener = listener;
    this.outgoing = outgoing;
    this.ssl = outgoing ? config.clientSsl() : config.serverSsl();
    this.channels = channels;
  }

  @Override
  protected void initChannel(SocketChannel ch) {
    // Every connection, accepted ones included, is closed by Network.close(). Accepted channels
    // used to be left to the event loop's shutdown, which under load let the loop terminate
    // with them still open: peers never saw the node leave, and the sockets leaked.
    channels.add(ch);
    SecureTls secure = config.secure();
    SslContext context = secure == null ? ssl : outgoing ? secure.client() : secure.server();
    ChannelLink link = ChannelLink.attach(ch, outgoing, config, context != null);
    ChannelPipeline p = ch.pipeline();
    if (context != null) {
      SslHandler tls = context.newHandler(ch.alloc());
      // Without this a connection that never sends a ClientHello is held for SslHandler's
      // default 10 s, whatever handshake timeout the node was given.
      tls.setHandshakeTimeoutMillis(config.tlsHandshakeTimeout().toMillis());
      p.addLast("tls", tls);
    }
    // Tail side of TLS: SslHandler seals a record per flush it sees, so flushes are merged
    // before it and a burst of sends leaves in as few records as its bytes need.
    p.addLast("flush", new FlushConsolidationHandler(256, true));
    p.addLast("idle", new IdleStateHandler(config.stalledFrameTimeout().toMillis(), 0, 0, TimeUnit.MILLISECONDS));
    p.addLast("framer", new FrameDecoder(config.maxFrameBytes()));
    p.addLast("decoder", new MessageDecoder(codec, link));
    p.addLast("link", new LinkHandler(link, listener, config, failures));
  }
}
