package org.syncmesh.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.syncmesh.Bytes;
import org.syncmesh.wire.Packets;

final class JsonValuesTest {

  @Test
  void bin_bothWays() {
    Object wire = JsonValues.toWire(Json.parse("{\"$bin\":\"AAEC/w==\"}"));
    assertThat(wire).isEqualTo(Bytes.fromHex("000102ff"));
    assertThat(Json.write(JsonValues.toJson(wire))).isEqualTo("{\"$bin\":\"AAEC/w==\"}");
  }

  @Test
  void bin_needsValidBase64() {
    assertThatThrownBy(() -> JsonValues.toWire(Json.parse("{\"$bin\":\"@@\"}"))).hasMessageStartingWith("$bin: not valid base64");
  }

  @Test
  void objectsThatAreNotBin_stayMaps() {
    assertThat(JsonValues.toWire(Json.parse("{\"$bin\":1}"))).isEqualTo(Map.of("$bin", 1L));
    assertThat(JsonValues.toWire(Json.parse("{\"$bin\":\"AA==\",\"x\":1}"))).isInstanceOf(Map.class);
  }

  @Test
  void nestedValues_encodeAndDecodeThroughMsgpack() {
    Object wire = JsonValues.toWire(Json.parse(
        "[null,true,1,18446744073709551615,2.5,\"s\",{\"$bin\":\"\"},{\"m\":[{\"$bin\":\"AQ==\"}]}]"));
    Object decoded = Packets.decode(Packets.encode(wire));
    assertThat(Json.write(JsonValues.toJson(decoded)))
        .isEqualTo("[null,true,1,18446744073709551615,2.5,\"s\",{\"$bin\":\"\"},{\"m\":[{\"$bin\":\"AQ==\"}]}]");
  }

  @Test
  void toJson_float32_isANumber() {
    assertThat(Json.write(JsonValues.toJson(List.of(1.5f, BigInteger.TEN)))).isEqualTo("[1.5,10]");
  }

  @Test
  void mapKeys_renderAsText() {
    Map<Object, Object> m = new LinkedHashMap<>();
    m.put("s", 1L);
    m.put(Bytes.utf8("utf8 bin"), 2L);
    m.put(Bytes.fromHex("ff00"), 3L);
    m.put(7L, 4L);
    m.put(true, 5L);
    m.put(null, 6L);
    m.put(Arrays.asList(1L, "a"), 7L);
    assertThat(Json.write(JsonValues.toJson(m)))
        .isEqualTo("{\"s\":1,\"utf8 bin\":2,\"$bin:/wA=\":3,\"7\":4,\"true\":5,\"null\":6,\"[1,\\\"a\\\"]\":7}");
  }

  @Test
  void toJson_unknownType_isAnError() {
    assertThatThrownBy(() -> JsonValues.toJson(new Object())).hasMessageStartingWith("cannot show java.lang.Object");
  }

  @Test
  void strictUtf8_readsAsciiMultiByteAndNothingInvalid() {
    assertThat(JsonValues.strictUtf8(Bytes.utf8("plain/key-1"))).isEqualTo("plain/key-1");
    assertThat(JsonValues.strictUtf8(Bytes.EMPTY)).isEmpty();
    assertThat(JsonValues.strictUtf8(Bytes.utf8("clé/鍵/\uD83D\uDD11"))).isEqualTo("clé/鍵/\uD83D\uDD11");
    assertThat(JsonValues.strictUtf8(Bytes.fromHex("6b65ff"))).as("0xff is never UTF-8").isNull();
    assertThat(JsonValues.strictUtf8(Bytes.fromHex("c3"))).as("a cut sequence").isNull();
    assertThat(JsonValues.strictUtf8(Bytes.fromHex("eda080"))).as("a lone surrogate").isNull();
    assertThat(JsonValues.keyText(Bytes.fromHex("00ff"))).startsWith(JsonValues.BIN_KEY_PREFIX);
  }
}
