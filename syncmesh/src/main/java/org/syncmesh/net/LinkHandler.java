package org.syncmesh.net;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.ssl.SslHandler;
import java.io.IOException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.syncmesh.wire.InternalMessage;
import org.syncmesh.wire.WireFormatException;

/**
 * The tail of every pipeline: hands messages and link events to the {@link LinkListener}, and
 * turns any failure into the close of this one link with one logged reason, so a misbehaving
 * peer costs only its own connection. Also drops a link that stays unwritable past
 * {@link NetConfig#unwritableTimeout()} (a peer that stopped reading). One per channel.
 */
final class LinkHandler extends ChannelInboundHandlerAdapter {

  private static final Logger log = LoggerFactory.getLogger(LinkHandler.class);
  private static final int MAX_REASON_CHARS = 200;

  private final ChannelLink link;
  private final Failures failures;
  /** Whether this link's TLS failure was counted: the handshake future and exceptionCaught may both see it. */
  private boolean tlsFailureCounted;
  private final LinkListener listener;
  private final NetConfig config;
  private @Nullable ScheduledFuture<?> unwritableCheck;
  private boolean opened;

  LinkHandler(ChannelLink link, LinkListener listener, NetConfig config, Failures failures) {
    this.failures = failures;
    this.link = link;
    this.listener = listener;
    this.config = config;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) throws Exception {
    SslHandler ssl = ctx.pipeline().get(SslHandler.class);
    if (ssl == null) {
      open();
    } else {
      ssl.handshakeFuture().addListener(f -> {
        if (f.isSuccess()) {
          recordPeerCertificate(ssl);
          open();
        } else if (link.isOpen() || isRefusal(f.cause())) {
          // Only when the peer is still there: a peer that hung up mid-handshake is no fault,
          // unless it said why (an alert), which the user must hear about.
          link.fail(tlsFailure(ctx, f.cause()));
        }
      });
    }
    super.channelActive(ctx);
  }

  private void recordPeerCertificate(SslHandler ssl) {
    try {
      java.security.cert.Certificate[] chain = ssl.engine().getSession().getPeerCertificates();
      if (chain.length > 0 && chain[0] instanceof java.security.cert.X509Certificate first) {
        link.peerCertificate(first);
      }
    } catch (javax.net.ssl.SSLPeerUnverifiedException e) {
      // a 0.7 SSL link: the peer was not asked for a certificate
    }
  }

  /** Whether a TLS failure is a refusal worth a warning even if the channel is already closing. */
  private static boolean isRefusal(Throwable cause) {
    return cause instanceof javax.net.ssl.SSLException && !"TLS error".equals(TlsFailures.explain(cause));
  }

  /** The close reason of a failed TLS handshake: what went wrong in plain words, then the JSSE text. */
  private String tlsFailure(ChannelHandlerContext ctx, Throwable cause) {
    if (!tlsFailureCounted) {
      tlsFailureCounted = true;
      failures.handshakeFailed("tls");
    }
    return "TLS handshake failed with " + ctx.channel().remoteAddress() + ": " + TlsFailures.explain(cause) + " ("
        + brief(cause) + ")";
  }

  private void open() {
    if (!opened && link.isOpen()) {
      opened = true;
      listener.linkOpened(link);
    }
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof InternalMessage message) {
      // Frames decoded from the same read as the one that condemned the link still arrive here;
      // nothing a peer sends after its link was closed is acted on.
      if (link.isOpen()) {
        listener.messageReceived(link, message);
      }
    } else {
      io.netty.util.ReferenceCountUtil.release(msg);
    }
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
    if (!ctx.channel().isWritable() && unwritableCheck == null) {
      long timeoutMillis = config.unwritableTimeout().toMillis();
      unwritableCheck = ctx.executor().schedule(() -> {
        unwritableCheck = null;
        if (!ctx.channel().isWritable()) {
          link.fail("peer stopped reading: unwritable for " + timeoutMillis + "ms with "
              + link.pendingOutboundBytes() + " bytes queued");
        }
      }, timeoutMillis, TimeUnit.MILLISECONDS);
    } else if (ctx.channel().isWritable()) {
      if (unwritableCheck != null) {
        unwritableCheck.cancel(false);
        unwritableCheck = null;
      }
      link.writable();
    }
    super.channelWritabilityChanged(ctx);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    link.releaseBatch();
    if (unwritableCheck != null) {
      unwritableCheck.cancel(false);
    }
    // Reported even when never opened (a failed TLS handshake), so waiters learn of it.
    listener.linkClosed(link, link.closeReason());
    super.channelInactive(ctx);
  }

  /**
   * The exception's text cut to {@value #MAX_REASON_CHARS} characters: some carry the peer's
   * bytes (NotSslRecordException dumps the whole record in hex), and reasons end up in logs and
   * in status().
   */
  private static String brief(Throwable t) {
    String text = t.getMessage() == null ? t.getClass().getName() : t.getMessage();
    if (t instanceof javax.net.ssl.SSLException || t instanceof io.netty.handler.ssl.NotSslRecordException) {
      text = t.getClass().getSimpleName() + ": " + text;
    }
    return text.length() <= MAX_REASON_CHARS ? text : text.substring(0, MAX_REASON_CHARS) + "…";
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    Throwable root = cause instanceof DecoderException && cause.getCause() != null ? cause.getCause() : cause;
    if (root instanceof javax.net.ssl.SSLException && isRefusal(root)) {
      // TLS 1.3 ends the client's handshake before the server has checked its certificate: a
      // refusal of this node's certificate arrives as an alert afterwards, and lands here, after
      // SslHandler has closed the channel. fail() warns only if this side has not closed it.
      link.fail(tlsFailure(ctx, root));
      return;
    }
    if (!link.isOpen()) {
      // Later frames of the read that condemned the link fail too: one WARN per link is enough.
      log.debug("{} already closing: {}", link, root.toString());
      return;
    }
    if (root instanceof IOException) {
      // Resets and broken pipes are how peers leave; not worth a warning.
      log.debug("{}: {}", link, root.toString());
      link.close("I/O error: " + root.getMessage());
      return;
    }
    // The framer's TooLongFrameException (a length header over the cap) is malformed input as
    // much as the wire layer's own exceptions are, and is recorded as such.
    boolean malformed = root instanceof WireFormatException || root instanceof TooLongFrameException;
    String reason = (malformed ? "malformed input" : "error") + " from " + ctx.channel().remoteAddress() + ": "
        + brief(root);
    if (malformed) {
      link.fail(reason);
    } else {
      log.warn("closing {}: {}", link, reason, root);
      link.close(reason);
    }
  }
}
