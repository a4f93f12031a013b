package org.syncmesh.wire;

import org.syncmesh.Compression;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

final class CompressionTest {
  private static final byte[] TEXT =
      "the quick brown fox jumps over the lazy dog ".repeat(200).getBytes(StandardCharsets.UTF_8);

  @ParameterizedTest
  @EnumSource(Compression.class)
  void roundTrips(Compression c) {
    byte[] packed = Compressors.compress(c, TEXT);
    assertThat(packed.length).isLessThan(TEXT.length);
    assertThat(Compressors.decompress(c, packed, TEXT.length)).isEqualTo(TEXT);
    assertThat(Compressors.decompress(c, Compressors.compress(c, new byte[0]), 0)).isEmpty();
  }

  @ParameterizedTest
  @EnumSource(Compression.class)
  void outputOneByteOverLimit_isFrameTooLong(Compression c) {
    assertThatThrownBy(() -> Compressors.decompress(c, Compressors.compress(c, TEXT), TEXT.length - 1))
        .isInstanceOf(FrameTooLongException.class)
        .hasMessageContaining("limit of " + (TEXT.length - 1) + " bytes");
  }

  @ParameterizedTest
  @EnumSource(Compression.class)
  void garbage_isDecompressionException(Compression c) {
    byte[] garbage = "definitely not compressed data, not at all".getBytes(StandardCharsets.UTF_8);
    assertThatThrownBy(() -> Compressors.decompress(c, garbage, 1 << 20)).isInstanceOf(DecompressionException.class);
    assertThatThrownBy(() -> Compressors.decompress(c, new byte[0], 1 << 20)).isInstanceOf(WireFormatException.class);
  }

  @ParameterizedTest
  @EnumSource(Compression.class)
  void truncatedStream_isDecompressionException(Compression c) {
    byte[] packed = Compressors.compress(c, TEXT);
    byte[] cut = java.util.Arrays.copyOf(packed, packed.length / 2);
    assertThatThrownBy(() -> Compressors.decompress(c, cut, 1 << 20)).isInstanceOf(DecompressionException.class);
  }

  @Test
  void zlibAndGzip_eachAcceptTheOther_likePy2pAutoDetect() {
    assertThat(Compressors.decompress(Compression.ZLIB, Compressors.compress(Compression.GZIP, TEXT), 1 << 20)).isEqualTo(TEXT);
    assertThat(Compressors.decompress(Compression.GZIP, Compressors.compress(Compression.ZLIB, TEXT), 1 << 20)).isEqualTo(TEXT);
  }

  @Test
  void gzip_acceptsConcatenatedMembers_andChecksCrc() {
    byte[] a = Compressors.compress(Compression.GZIP, "ab".getBytes(StandardCharsets.UTF_8));
    byte[] both = new byte[a.length * 2];
    System.arraycopy(a, 0, both, 0, a.length);
    System.arraycopy(a, 0, both, a.length, a.length);
    assertThat(new String(Compressors.decompress(Compression.GZIP, both, 100), StandardCharsets.UTF_8)).isEqualTo("abab");
    a[a.length - 8] ^= 1; // CRC32
    assertThatThrownBy(() -> Compressors.decompress(Compression.GZIP, a, 100)).isInstanceOf(DecompressionException.class)
        .hasMessageContaining("CRC32");
  }

  @Test
  void zlib_trailingBytes_areRejected() {
    byte[] z = Compressors.compress(Compression.ZLIB, TEXT);
    byte[] longer = java.util.Arrays.copyOf(z, z.length + 3);
    assertThatThrownBy(() -> Compressors.decompress(Compression.ZLIB, longer, 1 << 20)).isInstanceOf(DecompressionException.class)
        .hasMessageContaining("3 trailing bytes");
  }

  @Test
  void fromId_knowsOnlyTheFiveMethods() {
    assertThat(Compression.fromId(0x13)).contains(Compression.ZLIB);
    assertThat(Compression.fromId(0x20)).contains(Compression.SNAPPY);
    assertThat(Compression.fromId(0x14)).isEmpty();
    assertThat(Compression.fromId(-1)).isEmpty();
    assertThat(Compression.ZLIB.id()).isEqualTo(19);
  }

  @Test
  void negotiation_choosesOurFirstThatPeerAdvertised() {
    List<Compression> ours = CompressionNegotiation.DEFAULT_PREFERENCE;
    assertThat(CompressionNegotiation.choose(ours, List.of(19L, 17L))).contains(Compression.ZLIB);
    assertThat(CompressionNegotiation.choose(ours, List.of(17L, 19L, 32L))).contains(Compression.SNAPPY);
    assertThat(CompressionNegotiation.choose(ours, List.of())).isEmpty();
    assertThat(CompressionNegotiation.choose(ours, List.of("19", 99L))).isEqualTo(Optional.empty());
    assertThat(CompressionNegotiation.choose(ours, List.of(16))).contains(Compression.BZ2);
  }

  @Test
  void negotiation_decodeOrderFollowsPeerList() {
    assertThat(CompressionNegotiation.decodeOrder(List.of(18L, 99L, 19L, 17L, 19L, "x"),
        Set.of(Compression.ZLIB, Compression.GZIP))).containsExactly(Compression.ZLIB, Compression.GZIP);
    assertThat(CompressionNegotiation.decodeOrder(List.of(32L, 19L, 17L, 16L, 18L), Set.of(Compression.values())))
        .containsExactly(Compression.SNAPPY, Compression.ZLIB, Compression.GZIP, Compression.BZ2, Compression.LZMA);
    assertThat(CompressionNegotiation.ids(List.of(Compression.ZLIB, Compression.GZIP))).containsExactly(19L, 17L);
    assertThat(CompressionNegotiation.ids(CompressionNegotiation.DEFAULT_PREFERENCE))
        .containsExactly(32L, 19L, 17L, 16L, 18L);
  }

  @Test
  void preloadingSnappy_startsOneShortLivedThreadPerProcess_andOnlyForSnappy() {
    assertThat(Compressors.preloadNative(List.of(Compression.ZLIB, Compression.GZIP))).isFalse();
    assertThat(Compressors.preloadNative(List.of())).isFalse();
    // Whether this first snappy call starts the thread depends on which test's node ran first in this JVM.
    Compressors.preloadNative(List.of(Compression.SNAPPY, Compression.ZLIB));
    assertThat(Compressors.preloadNative(List.of(Compression.SNAPPY))).as("a second call").isFalse();
    Awaitility.await("the preloading thread ends").atMost(Duration.ofSeconds(10)).until(() -> Thread.getAllStackTraces()
        .keySet().stream().noneMatch(t -> t.getName().equals("syncmesh-preload-snappy")));
    assertThat(Compressors.decompress(Compression.SNAPPY, Compressors.compress(Compression.SNAPPY, TEXT), TEXT.length))
        .isEqualTo(TEXT);
  }
}
