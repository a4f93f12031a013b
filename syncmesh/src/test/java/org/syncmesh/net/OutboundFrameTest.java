package org.syncmesh.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.syncmesh.Bytes;
import org.syncmesh.Compression;
import org.syncmesh.MessageTooLargeException;
import org.syncmesh.testing.Seeded;
import org.syncmesh.wire.Flags;
import org.syncmesh.wire.FrameCodec;
import org.syncmesh.wire.InternalMessage;

final class OutboundFrameTest {

  private final FrameCodec codec = new FrameCodec(FrameCodec.DEFAULT_MAX_FRAME_BYTES);

  @Test
  void uncompressedWrite_isTheEncodedPayload_andEveryMethodDecodesBack() {
    Seeded.forAll(200, gen -> InternalMessage.create(Flags.MAIN_BROADCAST, gen.chars("abcdef", 1, 40),
        gen.longBetween(0, 1L << 40), Flags.SUB_STORE, Bytes.of(gen.bytes(0, 40)), Bytes.of(gen.bytes(0, 300, 0, 1, 200))),
        m -> {
          OutboundFrame frame = OutboundFrame.of(m, codec);
          ByteBuf out = Unpooled.buffer().writeByte(7); // after what a batch already holds
          frame.writeUncompressed(out);
          byte[] written = ByteBufUtil.getBytes(out, 1, out.readableBytes() - 1);
          assertThat(written).isEqualTo(codec.encodePayload(m)).hasSize(frame.payloadSize());
          for (Compression method : Compression.values()) {
            ByteBuf p = frame.payloadFor(method);
            assertThat(codec.decodePayload(ByteBufUtil.getBytes(p), List.of(method))).isEqualTo(m);
            p.release();
          }
        });
  }

  @Test
  void tooLargeForTheCodec_throwsWhenPrepared() {
    InternalMessage m = InternalMessage.create(Flags.MAIN_BROADCAST, "a", 1, Flags.SUB_STORE, Bytes.of(new byte[1]),
        Bytes.of(new byte[200]));
    assertThatThrownBy(() -> OutboundFrame.of(m, new FrameCodec(100))).isInstanceOf(MessageTooLargeException.class);
  }
}
