package org.syncmesh.net;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;
import org.syncmesh.wire.FrameCodec;

/**
 * Splits the byte stream into frame payloads: a 4-byte big-endian length counting the payload
 * only, stripped (docs/protocol-0.7.md §1.2). The length is checked against the frame cap before anything is
 * allocated. Handles the "exactly 4 bytes left" case that py2p gets wrong (§1.5).
 *
 * <p>On a reader-idle event it drops the connection only when it is stuck mid-frame: an idle
 * link is fine, a half-sent frame that makes no progress is not (docs/protocol-0.7.md §7.8). One per channel.
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
}
