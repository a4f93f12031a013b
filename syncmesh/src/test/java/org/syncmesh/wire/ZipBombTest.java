package org.syncmesh.wire;

import org.syncmesh.Compression;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorOutputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.tukaani.xz.LZMA2Options;
import org.tukaani.xz.XZOutputStream;
import org.xerial.snappy.Snappy;

/**
 * Streams that expand to 1 GiB of zeros, built on the fly, must fail fast with FrameTooLongException and without
 * allocating the GiB (surefire runs with -Xmx1g, so allocating it would be an OutOfMemoryError).
 */
final class ZipBombTest {
  private static final long GIB = 1L << 30;
  private static final int MIB = 1 << 20;
  private static final FrameCodec CODEC = new FrameCodec();
  private static byte[] rawDeflate;
  private static long gibCrc;

  @BeforeAll
  static void buildDeflateOfOneGib() {
    Deflater d = new Deflater(Deflater.BEST_SPEED, true);
    byte[] zeros = new byte[MIB];
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buf = new byte[64 * 1024];
    CRC32 crc = new CRC32();
    for (long done = 0; done < GIB; done += MIB) {
      d.setInput(zeros);
      crc.update(zeros);
      while (!d.needsInput()) {
        out.write(buf, 0, d.deflate(buf));
      }
    }
    d.finish();
    while (!d.finished()) {
      out.write(buf, 0, d.deflate(buf));
    }
    d.end();
    rawDeflate = out.toByteArray();
    gibCrc = crc.getValue();
  }

  @Test
  void zlibBomb() {
    byte[] zlib = new byte[2 + rawDeflate.length + 4]; // adler32 left wrong: the limit must trip before it is read
    zlib[0] = 0x78;
    zlib[1] = (byte) 0xda;
    System.arraycopy(rawDeflate, 0, zlib, 2, rawDeflate.length);
    assertBomb(Compression.ZLIB, zlib);
    assertBomb(Compression.GZIP, zlib); // auto-detect path
  }

  @Test
  void gzipBomb() {
    byte[] gz = new byte[10 + rawDeflate.length + 8];
    byte[] header = {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, 2, 3};
    System.arraycopy(header, 0, gz, 0, 10);
    System.arraycopy(rawDeflate, 0, gz, 10, rawDeflate.length);
    int t = 10 + rawDeflate.length;
    for (int i = 0; i < 4; i++) {
      gz[t + i] = (byte) (gibCrc >>> (8 * i));
    }
    assertBomb(Compression.GZIP, gz);
    assertBomb(Compression.ZLIB, gz);
  }

  @Test
  void bz2Bomb() throws IOException {
    ByteArrayOutputStream one = new ByteArrayOutputStream();
    try (BZip2CompressorOutputStream bz = new BZip2CompressorOutputStream(one, 9)) {
      byte[] zeros = new byte[MIB];
      for (int i = 0; i < 32; i++) {
        bz.write(zeros);
      }
    }
    assertBomb(Compression.BZ2, repeat(one.toByteArray(), 32)); // 32 concatenated streams of 32 MiB
  }

  @Test
  void xzBomb() throws IOException {
    ByteArrayOutputStream one = new ByteArrayOutputStream();
    try (XZOutputStream xz = new XZOutputStream(one, new LZMA2Options(0))) {
      byte[] zeros = new byte[MIB];
      for (int i = 0; i < 64; i++) {
        xz.write(zeros);
      }
    }
    assertBomb(Compression.LZMA, repeat(one.toByteArray(), 16)); // 16 concatenated streams of 64 MiB
  }

  @Test
  void snappyBomb() throws IOException {
    byte[] body = Snappy.compress(new byte[MIB]);
    // Replace the length preamble of a real 1 MiB block with the varint of 1 GiB.
    int skip = 0;
    while ((body[skip] & 0x80) != 0) {
      skip++;
    }
    skip++;
    byte[] varint = {(byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, 0x04}; // 2^30
    byte[] bomb = new byte[varint.length + body.length - skip];
    System.arraycopy(varint, 0, bomb, 0, varint.length);
    System.arraycopy(body, skip, bomb, varint.length, body.length - skip);
    assertBomb(Compression.SNAPPY, bomb);
  }

  private static void assertBomb(Compression c, byte[] bomb) {
    assertThat(bomb.length).isLessThan(FrameCodec.DEFAULT_MAX_FRAME_BYTES);
    long start = System.nanoTime();
    assertThatThrownBy(() -> Compressors.decompress(c, bomb, FrameCodec.DEFAULT_MAX_FRAME_BYTES))
        .isInstanceOf(FrameTooLongException.class)
        .hasMessageContaining("limit of " + FrameCodec.DEFAULT_MAX_FRAME_BYTES + " bytes");
    // Through the codec too: the bomb is not a valid raw frame either, so the limit error surfaces.
    assertThatThrownBy(() -> CODEC.decodePayload(bomb, List.of(c))).isInstanceOf(FrameTooLongException.class);
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
  }

  private static byte[] repeat(byte[] b, int times) {
    byte[] out = new byte[b.length * times];
    for (int i = 0; i < times; i++) {
      System.arraycopy(b, 0, out, i * b.length, b.length);
    }
    return out;
  }
}
