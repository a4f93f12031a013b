package org.syncmesh.net;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageDecoder;
import java.util.List;
import org.syncmesh.wire.FrameCodec;

/**
 * Turns one frame payload into an {@link org.syncmesh.wire.InternalMessage}: decompression with
 * the methods the link negotiated, checksum, msgpack and shape checks, all in {@link FrameCodec}.
 * A failure surfaces as a {@code DecoderException} whose cause is the wire layer's typed
 * exception; the tail handler closes the link with it. One per channel.
 */
final class MessageDecoder extends MessageToMessageDecoder<ByteBuf> {

  private final FrameCodec codec;
  private final ChannelLink link;

  MessageDecoder(FrameCodec codec, ChannelLink link) {
    super(ByteBuf.class);
    this.codec = codec;
    this.link = link;
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf frame, List<Object> out) {
    link.received(frame.readableBytes());
    if (frame.nioBufferCount() == 1) { // read where it lies: the codec copies out only what a message keeps
      out.add(codec.decodePayload(frame.nioBuffer(), link.decodeOrder()));
    } else {
      out.add(codec.decodePayload(ByteBufUtil.getBytes(frame), link.decodeOrder()));
    }
  }
}
