package org.syncmesh.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.timeout.IdleStateEvent;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@link FrameDecoder} in an EmbeddedChannel: framing, the cap, the mid-frame stall, buffer release. */
final class FrameDecoderTest {

  private static final int MAX = 1024;

  private final EmbeddedChannel channel = new EmbeddedChannel(new FrameDecoder(MAX));
  private final List<ByteBuf> inputs = new ArrayList<>();

  @AfterEach
  void everyBufferIsReleased() {
    channel.finishAndReleaseAll();
    assertThat(inputs).allSatisfy(b -> assertThat(b.refCnt()).as("input buffer reference count").isZero());
  }

  @Test
  void wholeFrameIsStrippedOfItsHeader() {
    write(frame(payload(5, 'a')));
    assertThat(readPayloads()).containsExactly("aaaaa");
  }

  @Test
  void frameSplitByteByByteIsReassembled() {
    byte[] frame = frame(payload(40, 'b'));
    for (byte b : frame) {
      assertThat(channel.inboundMessages()).isEmpty();
      write(new byte[] {b});
    }
    assertThat(readPayloads()).containsExactly("b".repeat(40));
  }

  @Test
  void mergedFramesAndATrailingPartOneAreSplit() {
    byte[] third = frame(payload(7, 'z'));
    write(concat(frame(payload(3, 'x')), frame(payload(0, '-')), frame(payload(2, 'y')), slice(third, 0, 6)));
    assertThat(readPayloads()).containsExactly("xxx", "", "yy");
    write(slice(third, 6, third.length - 6));
    assertThat(readPayloads()).containsExactly("zzzzzzz");
  }

  @Test
  void exactlyFourBytesLeftAreANextHeaderNotAFrame() {
    // The py2p bug of docs/protocol-0.7.md §1.5: frame1 plus only the header of frame2 in one read.
    byte[] second = frame(payload(9, 'q'));
    write(concat(frame(payload(4, 'p')), slice(second, 0, 4)));
    assertThat(readPayloads()).containsExactly("pppp");
    write(slice(second, 4, 9));
    assertThat(readPayloads()).containsExactly("q".repeat(9));
  }

  @Test
  void frameOfExactlyTheCapIsAccepted() {
    write(frame(payload(MAX, 'm')));
    assertThat(readPayloads()).containsExactly("m".repeat(MAX));
  }

  @Test
  void oversizeHeaderFailsOnTheHeaderAloneWithoutWaitingForTheBody() {
    ByteBuf header = Unpooled.buffer(4).writeInt(MAX + 1);
    inputs.add(header);
    assertThatThrownBy(() -> channel.writeInbound(header))
        .isInstanceOf(TooLongFrameException.class)
        .hasMessageContaining(String.valueOf(MAX + 1 + 4));
    assertThat(channel.inboundMessages()).isEmpty();
  }

  @Test
  void hugeHeaderIsRefusedBeforeAnyAllocation() {
    // 0xFFFFFFFF: if the decoder sized a buffer from it, this would be a 4 GiB allocation.
    ByteBuf header = Unpooled.buffer(8).writeInt(0xFFFFFFFF).writeInt(0x01020304);
    inputs.add(header);
    assertThatThrownBy(() -> channel.writeInbound(header)).isInstanceOf(TooLongFrameException.class);
    assertThat(channel.inboundMessages()).isEmpty();
  }

  @Test
  void readerIdleWithAPartialFrameClosesTheChannel() {
    write(slice(frame(payload(30, 's')), 0, 10));
    channel.pipeline().fireUserEventTriggered(IdleStateEvent.FIRST_READER_IDLE_STATE_EVENT);
    assertThat(channel.isOpen()).as("open after a stall mid-frame").isFalse();
  }

  @Test
  void readerIdleWithOnlyAHeaderClosesTheChannel() {
    write(slice(frame(payload(30, 's')), 0, 4));
    channel.pipeline().fireUserEventTriggered(IdleStateEvent.READER_IDLE_STATE_EVENT);
    assertThat(channel.isOpen()).as("open after a stall after the header").isFalse();
  }

  @Test
  void readerIdleBetweenFramesKeepsTheChannel() {
    write(frame(payload(3, 'i')));
    assertThat(readPayloads()).containsExactly("iii");
    channel.pipeline().fireUserEventTriggered(IdleStateEvent.FIRST_READER_IDLE_STATE_EVENT);
    channel.pipeline().fireUserEventTriggered(IdleStateEvent.READER_IDLE_STATE_EVENT);
    assertThat(channel.isOpen()).as("an idle link without a partial frame stays open").isTrue();
    write(frame(payload(2, 'j')));
    assertThat(readPayloads()).containsExactly("jj");
  }

  // ------------------------------------------------------------------ helpers

  private void write(byte[] bytes) {
    ByteBuf buf = Unpooled.copiedBuffer(bytes);
    inputs.add(buf);
    channel.writeInbound(buf);
  }

  /** Reads every decoded frame as text, releasing each. */
  private List<String> readPayloads() {
    List<String> out = new ArrayList<>();
    ByteBuf frame;
    while ((frame = channel.readInbound()) != null) {
      try {
        out.add(new String(ByteBufUtil.getBytes(frame), java.nio.charset.StandardCharsets.US_ASCII));
      } finally {
        frame.release();
      }
    }
    return out;
  }

  private static byte[] payload(int length, char fill) {
    byte[] p = new byte[length];
    java.util.Arrays.fill(p, (byte) fill);
    return p;
  }

  private static byte[] frame(byte[] payload) {
    byte[] f = new byte[4 + payload.length];
    f[0] = (byte) (payload.length >>> 24);
    f[1] = (byte) (payload.length >>> 16);
    f[2] = (byte) (payload.length >>> 8);
    f[3] = (byte) payload.length;
    System.arraycopy(payload, 0, f, 4, payload.length);
    return f;
  }

  private static byte[] slice(byte[] a, int from, int length) {
    return java.util.Arrays.copyOfRange(a, from, from + length);
  }

  private static byte[] concat(byte[]... parts) {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }
}
