package org.syncmesh.wire;

import org.syncmesh.Bytes;
import org.syncmesh.Hlc;
import org.syncmesh.Version;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link Hlc} packing and {@link Version}'s order and wire form (docs/extension-v1.md, "Versions"). */
final class VersionTest {
  private static final String A = "A".repeat(66);
  private static final String B = "B".repeat(66);

  @Test
  void packingKeepsMillisAndCounter_andOrdersAsThePairs() {
    long hlc = Hlc.of(1_700_000_000_000L, 7);
    assertThat(Hlc.millis(hlc)).isEqualTo(1_700_000_000_000L);
    assertThat(Hlc.counter(hlc)).isEqualTo(7);
    assertThat(Hlc.of(5, Hlc.MAX_COUNTER)).isLessThan(Hlc.of(6, 0));
    assertThat(Hlc.of(5, Hlc.MAX_COUNTER) + 1).as("a full counter carries into the millisecond").isEqualTo(Hlc.of(6, 0));
    assertThat(Hlc.of(Hlc.MAX_MILLIS, Hlc.MAX_COUNTER)).isEqualTo(Long.MAX_VALUE);
    assertThat(Hlc.format(Hlc.of(1_700_000_000_000L, 3))).isEqualTo("2023-11-14T22:13:20Z+3");
  }

  @Test
  void packingRefusesWhatDoesNotFit() {
    assertThatThrownBy(() -> Hlc.of(-1, 0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Hlc.of(Hlc.MAX_MILLIS + 1, 0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Hlc.of(0, Hlc.MAX_COUNTER + 1)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void versionsAreEqualByValue_andUnequalWhenEitherPartDiffers() {
    Version v = new Version(Hlc.of(10, 1), A);
    Version same = new Version(Hlc.of(10, 1), new String(A.toCharArray())); // another String of the same text
    assertThat(same).isEqualTo(v).hasSameHashCodeAs(v);
    assertThat(new Version(Hlc.of(10, 2), A)).isNotEqualTo(v);
    assertThat(new Version(Hlc.of(10, 1), B)).isNotEqualTo(v);
    assertThat(v).isNotEqualTo(null).isNotEqualTo(List.of(Hlc.of(10, 1), A));
  }

  @Test
  void versionsOrderByClockThenWriter() {
    Version a1 = new Version(Hlc.of(10, 0), A);
    Version b1 = new Version(Hlc.of(10, 0), B);
    Version a2 = new Version(Hlc.of(10, 1), A);
    assertThat(a1).isLessThan(b1).isLessThan(a2);
    assertThat(b1.compareTo(a1)).isPositive();
    assertThat(a1.compareTo(new Version(Hlc.of(10, 0), A))).isZero();
    assertThat(new Version(1, "ab")).as("a prefix first").isLessThan(new Version(1, "abc"));
  }

  @Test
  void writersCompareAsUnsignedUtf8Bytes_notAsUtf16() {
    // U+FFFD (ef bf bd) sorts below U+1F600 (f0 9f 98 80) in UTF-8, though its UTF-16 unit is larger than a surrogate.
    Version replacement = new Version(1, "\uFFFD");
    Version emoji = new Version(1, "\uD83D\uDE00");
    assertThat(replacement).isLessThan(emoji);
    assertThat(Bytes.utf8("\uFFFD").compareTo(Bytes.utf8("\uD83D\uDE00"))).as("Bytes agree").isNegative();
    assertThat(new Version(1, "z")).as("0x7a < 0xc3").isLessThan(new Version(1, "\u00e9"));
  }

  @Test
  void theConstructorRefusesBadParts() {
    assertThatThrownBy(() -> new Version(-1, A)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Version(0, "")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Version(0, "x".repeat(256))).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Version(0, "\u00e9".repeat(128))).as("256 UTF-8 bytes").isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Version(0, "\uD83D")).as("unpaired surrogate").isInstanceOf(IllegalArgumentException.class);
    assertThat(new Version(0, "x".repeat(255)).writer()).hasSize(255);
  }

  @Test
  void writersCheckedBefore_skipNothingThatMatters() {
    // The constructor remembers ids it accepted (by identity) to skip scanning them again.
    String max = "\u00e9".repeat(127) + "a"; // 255 UTF-8 bytes
    for (int round = 0; round < 3; round++) {
      assertThat(new Version(round, max).writer()).isSameAs(max);
      assertThatThrownBy(() -> new Version(-1, max)).isInstanceOf(IllegalArgumentException.class);
      for (String bad : new String[] {"", max + "a", "a\uDC00b", new String(max.toCharArray()) + "x"}) {
        assertThatThrownBy(() -> new Version(0, bad)).as("%s", bad).isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("1 to 255 bytes of valid UTF-8");
      }
    }
  }

  @Test
  void packetsRoundTrip_andMalformedOnesThrowMessageShapeException() {
    Version v = new Version(Hlc.of(1_700_000_000_000L, 1), A);
    assertThat(Versions.fromPacket(Packets.decode(Packets.encode(v.toPacket())))).isEqualTo(v);
    for (Object bad : Arrays.asList(null, 1L, List.of(), List.of(1L), List.of(1L, A, 3L), List.of(-1L, A),
        List.of(1.0, A), List.of(1L, Bytes.utf8(A)), List.of(1L, ""), List.of(1L, "x".repeat(256)),
        List.of("1", A))) {
      assertThatThrownBy(() -> Versions.fromPacket(bad)).as("%s", bad).isInstanceOf(MessageShapeException.class);
    }
    // uint64 above 2^63 decodes to a BigInteger: not a valid clock value.
    assertThatThrownBy(() -> Versions.fromPacket(Packets.decode(Bytes.fromHex("92cfffffffffffffffffa161").toByteArray())))
        .isInstanceOf(MessageShapeException.class);
  }
}
