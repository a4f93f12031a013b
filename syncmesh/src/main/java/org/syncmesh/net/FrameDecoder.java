package org.syncmesh.net;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;
import java.util.List;
import org.syncmesh.wire.FrameCodec;

/**
 * Splits the byte stream into frame payloads: a 4-byte big-endian length counting the payload
 * only, stripped (docs/protocol-0.7.md §1.2). The length is checked against the frame cap before anything is
 * allocated. Handles the "exactly 4 bytes left" case that py2p gets wrong (§1.5).
 *
 * <p>On a reader-idle event it drops the connection only when it is stuck mid-frame: an idle
 * link is fine, a half-sent frame that makes no progress is not (docs/protocol-0.7.md §7.8). When
 * the peer ends the stream inside a frame it fails the link too, so the lost message leaves a
 * reason in the log and the status. One per channel.
 */
final class FrameDecoder extends LengthFieldBasedFrameDecoder {

  FrameDecoder(int maxFrameBytes) {
    // maxFrameLength counts the header too; fail fast on the header alone.
    super(maxFrameBytes + FrameCodec.HEADER_BYTES, 0, FrameCodec.HEADER_BYTES, 0, FrameCodec.HEADER_BYTES, true);
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
    if (evt instanceof IdleStateEvent idle
        && idle.state() == IdleState.READER_IDLE
        && actualReadableBytes() > 0) {
      ChannelLink link = ChannelLink.of(ctx.channel());
      if (link != null) {
        link.fail("stalled mid-frame: " + actualReadableBytes() + " bytes of an incomplete frame and no progress");
      } else {
        ctx.close();
      }
      return;
    }
    super.userEventTriggered(ctx, evt);
  }

  /**
   * At the end of the stream: bytes left over are a frame the peer began and never finished (a
   * FIN mid-frame; a peer that closes between frames leaves none). Not when this side closed the
   * link first, a reset included: that reason stands.
   */
  @Override
  protected void decodeLast(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Exception {
    super.decodeLast(ctx, in, out);
    ChannelLink link = ChannelLink.of(ctx.channel());
    if (in.isReadable() && link != null && link.closeReason() == null) {
      link.fail("truncated frame: the peer closed the connection " + in.readableBytes()
          + " bytes into a frame");
    }
  }
}
