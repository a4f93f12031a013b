package org.syncmesh.wire;

import org.syncmesh.Bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

final class PacketsTest {

  /** Smallest encodings, as py2p emits (and js2p within int32), docs/protocol-0.7.md §2.1. */
  @ParameterizedTest
  @CsvSource({
      "0, 00", "127, 7f", "128, cc80", "255, ccff", "256, cd0100", "65535, cdffff", "65536, ce00010000",
      "1700000000, ce6553f100", "4294967295, ceffffffff", "4294967296, cf0000000100000000",
      "-1, ff", "-32, e0", "-33, d0df", "-128, d080", "-129, d1ff7f", "-32769, d2ffff7fff",
      "-2147483649, d3ffffffff7fffffff", "9223372036854775807, cf7fffffffffffffff",
      "-9223372036854775808, d38000000000000000"})
  void integers_useSmallestEncoding(long value, String hex) {
    assertThat(Bytes.of(Packets.encode(value)).hex()).isEqualTo(hex);
    assertThat(Packets.decode(Bytes.fromHex(hex).toByteArray())).isEqualTo(value);
  }

  @Test
  void smallJavaIntegerTypes_encodeAsIntegers_andDecodeAsLong() {
    assertThat(Packets.encode((byte) -5)).isEqualTo(Packets.encode(-5L));
    assertThat(Packets.encode((short) 300)).isEqualTo(Packets.encode(300L));
    assertThat(Packets.encode(70000)).isEqualTo(Packets.encode(70000L));
    assertThat(Packets.decode(Packets.encode(7))).isEqualTo(7L);
  }

  @Test
  void uint64AboveLongMax_roundTripsAsBigInteger() {
    BigInteger max = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);
    assertThat(Bytes.of(Packets.encode(max)).hex()).isEqualTo("cfffffffffffffffff");
    assertThat(Packets.decode(Packets.encode(max))).isEqualTo(max);
    assertThat(Packets.decode(Packets.encode(BigInteger.valueOf(5)))).isEqualTo(5L);
  }

  @Test
  void bigIntegerOutOfRange_isRejected() {
    assertThatThrownBy(() -> Packets.encode(BigInteger.ONE.shiftLeft(64)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("value: integer 18446744073709551616 is outside msgpack's range [-2^63, 2^64-1]");
    assertThatThrownBy(() -> Packets.encode(BigInteger.ONE.shiftLeft(63).negate().subtract(BigInteger.ONE)))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void floats_keepTheirWidth() {
    assertThat(Bytes.of(Packets.encode(1.5f)).hex()).isEqualTo("ca3fc00000");
    assertThat(Bytes.of(Packets.encode(1.5d)).hex()).isEqualTo("cb3ff8000000000000");
    assertThat(Packets.decode(Packets.encode(1.5f))).isEqualTo(1.5f);
    assertThat(Packets.decode(Packets.encode(1.5d))).isEqualTo(1.5d);
    // js2p's float64 time after 2038, §12.1
    assertThat(Packets.decode(Bytes.fromHex("cb41e65a0bc0000000").toByteArray())).isEqualTo(3.0e9);
  }

  @Test
  void strAndBin_stayDistinct() {
    byte[] encoded = Packets.encode(List.of("key", Bytes.utf8("key"), "key".getBytes()));
    assertThat(Bytes.of(encoded).hex()).isEqualTo("93a36b6579c4036b6579c4036b6579");
    assertThat(Packets.decode(encoded)).isEqualTo(List.of("key", Bytes.utf8("key"), Bytes.utf8("key")));
  }

  @Test
  void nilBoolArrayObjectArrayAndMap_encode() {
    Map<Object, Object> map = new LinkedHashMap<>();
    map.put("a", 1);
    map.put(Bytes.utf8("b"), null);
    map.put(2L, true);
    byte[] encoded = Packets.encode(new Object[] {null, false, map});
    assertThat(Bytes.of(encoded).hex()).isEqualTo("93c0c283a16101c40162c002c3");
    Map<Object, Object> expected = new LinkedHashMap<>();
    expected.put("a", 1L);
    expected.put(Bytes.utf8("b"), null);
    expected.put(2L, true);
    assertThat(Packets.decode(encoded)).isEqualTo(Arrays.asList(null, false, expected));
  }

  @Test
  void astralCharacters_encodeAsFourByteUtf8() {
    String s = "a\uD83D\uDE00"; // U+1F600
    assertThat(Bytes.of(Packets.encode(s)).hex()).isEqualTo("a561f09f9880");
    assertThat(Packets.decode(Packets.encode(s))).isEqualTo(s);
  }

  @Test
  void unpairedSurrogate_isRejected() {
    assertThatThrownBy(() -> Packets.encode(List.of("ok", Map.of("k", "x\uD800y"))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("value[1][\"k\"]: string has an unpaired surrogate U+D800 at char index 1");
    assertThatThrownBy(() -> Packets.encode("\uDC00")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Packets.encode("\uD800")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void invalidUtf8InStr_decodesLenientlyWithReplacementCharacter() {
    assertThat(Packets.decode(Bytes.fromHex("a361ff62").toByteArray())).isEqualTo("a\uFFFDb");
  }

  @Test
  void unencodableType_namesTypeAndPath() {
    Map<Object, Object> inner = new LinkedHashMap<>();
    inner.put("a", Arrays.asList(1, 2, 3, Instant.EPOCH));
    List<Object> value = List.of(0, 1, inner);
    assertThatThrownBy(() -> Packets.encode(value))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("value[2][\"a\"][3]: cannot encode java.time.Instant (expected null, Boolean, integer, Float,"
            + " Double, String, Bytes, byte[], List, Object[] or Map)");
    assertThatThrownBy(() -> Packets.requireEncodable(value)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("value[2][\"a\"][3]: cannot encode java.time.Instant");
    assertThatThrownBy(() -> Packets.encode(new int[] {1})).hasMessageContaining("cannot encode [I");
  }

  @Test
  void duplicateKeysAfterNormalisation_areRejected() {
    Map<Object, Object> bytesKeys = new LinkedHashMap<>();
    bytesKeys.put(new byte[] {1}, 1);
    bytesKeys.put(new byte[] {1}, 2); // distinct arrays, same content
    assertThatThrownBy(() -> Packets.encode(bytesKeys)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("value[b'01']: duplicate map key b'01'");
    Map<Object, Object> numericKeys = new LinkedHashMap<>();
    numericKeys.put(1, "int");
    numericKeys.put(1.0, "float"); // one key in a Python dict
    assertThatThrownBy(() -> Packets.encode(numericKeys)).isInstanceOf(IllegalArgumentException.class);
    Map<Object, Object> boolKey = new LinkedHashMap<>();
    boolKey.put(1L, "int");
    boolKey.put(true, "bool");
    assertThatThrownBy(() -> Packets.encode(boolKey)).isInstanceOf(IllegalArgumentException.class);
    Map<Object, Object> strAndBin = new LinkedHashMap<>();
    strAndBin.put("k", 1);
    strAndBin.put(Bytes.utf8("k"), 2); // distinct in Python 3
    assertThat(Packets.decode(Packets.encode(strAndBin))).isEqualTo(Map.of("k", 1L, Bytes.utf8("k"), 2L));
  }

  @Test
  void duplicateKeysOnDecode_lastWins() {
    assertThat(Packets.decode(Bytes.fromHex("82a16101a16102").toByteArray())).isEqualTo(Map.of("a", 2L));
  }

  @Test
  void decodedContainers_areUnmodifiable() {
    List<?> list = (List<?>) Packets.decode(Packets.encode(List.of(1, Map.of("a", 1))));
    assertThatThrownBy(() -> list.remove(0)).isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> ((Map<?, ?>) list.get(1)).clear()).isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void extTypes_areMalformed() {
    assertThatThrownBy(() -> Packets.decode(Bytes.fromHex("d40102").toByteArray()))
        .isInstanceOf(MalformedMsgpackException.class).hasMessageContaining("ext type");
    assertThatThrownBy(() -> Packets.decode(Bytes.fromHex("c1").toByteArray()))
        .isInstanceOf(MalformedMsgpackException.class).hasMessageContaining("0xc1");
  }

  @Test
  void trailingAndTruncatedInput_areMalformed() {
    assertThatThrownBy(() -> Packets.decode(Bytes.fromHex("0102").toByteArray()))
        .isInstanceOf(MalformedMsgpackException.class).hasMessage("1 trailing bytes after the msgpack value ending"
            + " at offset 1 of 2");
    assertThatThrownBy(() -> Packets.decode(Bytes.fromHex("92").toByteArray()))
        .isInstanceOf(MalformedMsgpackException.class);
    assertThatThrownBy(() -> Packets.decode(Bytes.fromHex("a5616263").toByteArray()))
        .isInstanceOf(MalformedMsgpackException.class);
    assertThatThrownBy(() -> Packets.decode(new byte[0])).isInstanceOf(MalformedMsgpackException.class);
  }

  @Test
  void hugeHeaderCounts_areRefusedBeforeAllocating() {
    assertThatThrownBy(() -> Packets.decode(Bytes.fromHex("dd7fffffff").toByteArray()))
        .isInstanceOf(MalformedMsgpackException.class).hasMessageContaining("claims 2147483647");
    assertThatThrownBy(() -> Packets.decode(Bytes.fromHex("c6ffffffff00").toByteArray()))
        .isInstanceOf(MalformedMsgpackException.class);
    assertThatThrownBy(() -> Packets.decode(Bytes.fromHex("dfffffffff").toByteArray()))
        .isInstanceOf(MalformedMsgpackException.class);
  }

  @Test
  void deepNesting_isRefusedBothWays() {
    byte[] deep = new byte[100_001];
    Arrays.fill(deep, (byte) 0x91);
    deep[deep.length - 1] = (byte) 0xc0;
    assertThatThrownBy(() -> Packets.decode(deep)).isInstanceOf(MalformedMsgpackException.class)
        .hasMessageContaining("deeper than 512");
    List<Object> cyclic = new ArrayList<>();
    cyclic.add(cyclic);
    assertThatThrownBy(() -> Packets.encode(cyclic)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("nesting deeper than 512 levels");
    // 511 levels are fine
    Object nested = "x";
    for (int i = 0; i < Packets.MAX_DEPTH - 1; i++) {
      nested = List.of(nested);
    }
    assertThat(Packets.decode(Packets.encode(nested))).isEqualTo(nested);
  }

  @Test
  void describe_isShortAndTyped() {
    assertThat(Packets.describe(Arrays.asList(11L, Bytes.utf8("key"), "value", null, 1.5)))
        .isEqualTo("[11, b'6b6579', \"value\", nil, 1.5]");
    assertThat(Packets.describe("x".repeat(1000))).hasSizeLessThan(60);
    List<Object> cyclic = new ArrayList<>();
    cyclic.add(cyclic);
    assertThat(Packets.describe(cyclic)).hasSizeLessThanOrEqualTo(Describer.LIMIT + 1);
  }
}
