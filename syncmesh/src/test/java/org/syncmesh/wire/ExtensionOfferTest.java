package org.syncmesh.wire;

import org.syncmesh.Compression;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The extension marker's layout, parsing and negotiation (docs/extension-v1.md). */
final class ExtensionOfferTest {

  private static long marker(int min, int max) {
    return ExtensionOffer.MAGIC | (long) min << 8 | max;
  }

  @Test
  void theHighestCommonVersionWins_orNoneWithoutOverlap() {
    ExtensionOffer one = new ExtensionOffer(1, 1);
    assertThat(one.highestCommonVersion(new ExtensionOffer(1, 1))).isEqualTo(1);
    assertThat(one.highestCommonVersion(new ExtensionOffer(1, 5))).isEqualTo(1);
    assertThat(one.highestCommonVersion(new ExtensionOffer(2, 5))).isZero();
    assertThat(new ExtensionOffer(2, 4).highestCommonVersion(new ExtensionOffer(3, 9))).isEqualTo(4);
    assertThat(new ExtensionOffer(3, 9).highestCommonVersion(new ExtensionOffer(2, 4))).as("symmetric").isEqualTo(4);
    assertThat(new ExtensionOffer(1, 2).highestCommonVersion(new ExtensionOffer(3, 4))).isZero();
  }

  @Test
  void everyMarkerIsAPositiveInt32ThatNamesNoCompressionMethod() {
    for (int min = 1; min <= 255; min++) {
      for (int max = min; max <= 255; max++) {
        long id = new ExtensionOffer(min, max).markerId();
        assertThat(id).isBetween(1L, (long) Integer.MAX_VALUE);
        assertThat(Compression.fromId(id)).isEmpty();
        assertThat(ExtensionOffer.fromId(id)).contains(new ExtensionOffer(min, max));
      }
    }
  }

  @Test
  void ourCompressionNegotiationNeverPicksOrTriesAMarker() {
    List<Long> onlyMarkers = List.of(marker(1, 1), marker(2, 1), marker(0, 0), marker(255, 255));
    assertThat(CompressionNegotiation.choose(CompressionNegotiation.DEFAULT_PREFERENCE, onlyMarkers)).isEmpty();
    assertThat(CompressionNegotiation.decodeOrder(onlyMarkers, List.of(Compression.values()))).isEmpty();
    List<Long> withZlib = List.of(marker(1, 1), 0x13L);
    assertThat(CompressionNegotiation.choose(CompressionNegotiation.DEFAULT_PREFERENCE, withZlib)).contains(Compression.ZLIB);
    assertThat(CompressionNegotiation.decodeOrder(withZlib, List.of(Compression.values()))).containsExactly(Compression.ZLIB);
  }

  @Test
  void findTakesTheFirstWellFormedMarker_andIgnoresEverythingElse() {
    List<Object> list = Arrays.asList(null, "x", 0x13L, 1.5, new BigInteger("18446744073709551615"),
        marker(2, 1), marker(0, 3), 0x534E0101L, List.of(marker(1, 1)), marker(1, 3), marker(1, 1));
    assertThat(ExtensionOffer.find(list)).contains(new ExtensionOffer(1, 3));
    assertThat(ExtensionOffer.find(List.of(0x13L, 0x11L, 0x10L, 0x12L))).as("py2p's list").isEmpty();
    assertThat(ExtensionOffer.find(List.of())).isEmpty();
  }

  @Test
  void malformedMarkersAreIgnored() {
    assertThat(ExtensionOffer.fromId(marker(2, 1))).as("min above max").isEmpty();
    assertThat(ExtensionOffer.fromId(marker(0, 1))).as("min 0").isEmpty();
    assertThat(ExtensionOffer.fromId(ExtensionOffer.MAGIC)).isEmpty();
    assertThat(ExtensionOffer.fromId(marker(1, 1) | 1L << 32)).as("bits above the magic").isEmpty();
    assertThat(ExtensionOffer.fromId(-marker(1, 1))).isEmpty();
    assertThat(ExtensionOffer.fromId((double) marker(1, 1))).as("a float is no marker").isEmpty();
    assertThat(ExtensionOffer.fromId(String.valueOf(marker(1, 1)))).isEmpty();
    assertThat(ExtensionOffer.fromId((int) marker(1, 1))).as("an Integer is").contains(new ExtensionOffer(1, 1));
    assertThat(CompressionNegotiation.decodeOrder(List.of(marker(2, 1), marker(1, 1)), List.of(Compression.values())))
        .as("a marker, well-formed or not, is never a compression method").isEmpty();
  }

  @Test
  void appendToPutsTheMarkerLast() {
    assertThat(ExtensionOffer.THIS_BUILD.appendTo(List.of(0x13L, 0x11L))).containsExactly(0x13L, 0x11L, marker(1, 3));
    assertThat(ExtensionOffer.THIS_BUILD.appendTo(List.of())).containsExactly(marker(1, 3));
    assertThat(ExtensionOffer.V1_ONLY.appendTo(List.of())).containsExactly(marker(1, 1));
  }

  @Test
  void theRangeIsChecked() {
    assertThatThrownBy(() -> new ExtensionOffer(0, 1)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("min");
    assertThatThrownBy(() -> new ExtensionOffer(2, 1)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("max");
    assertThatThrownBy(() -> new ExtensionOffer(1, 256)).isInstanceOf(IllegalArgumentException.class);
    assertThat(ExtensionOffer.THIS_BUILD).isEqualTo(new ExtensionOffer(1, 3));
    assertThat(ExtensionOffer.THIS_BUILD.highestCommonVersion(ExtensionOffer.V1_ONLY)).as("a v1 node gets v1").isEqualTo(1);
    assertThat(ExtensionOffer.THIS_BUILD.highestCommonVersion(new ExtensionOffer(1, 2))).as("a v2 node gets v2")
        .isEqualTo(2);
  }
}
