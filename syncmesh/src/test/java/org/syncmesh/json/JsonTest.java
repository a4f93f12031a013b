package org.syncmesh.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.syncmesh.testing.Seeded;

final class JsonTest {

  @Test
  void parse_scalars() {
    assertThat(Json.parse("null")).isNull();
    assertThat(Json.parse(" true ")).isEqualTo(true);
    assertThat(Json.parse("false")).isEqualTo(false);
    assertThat(Json.parse("\"x\"")).isEqualTo("x");
    assertThat(Json.parse("0")).isEqualTo(0L);
    assertThat(Json.parse("-0")).isEqualTo(0L);
    assertThat(Json.parse("-17")).isEqualTo(-17L);
    assertThat(Json.parse("1.5")).isEqualTo(1.5);
    assertThat(Json.parse("1e3")).isEqualTo(1000.0);
    assertThat(Json.parse("-2.5E-3")).isEqualTo(-0.0025);
    assertThat(Json.parse("1.0")).isInstanceOf(Double.class);
  }

  @Test
  void parse_integerRange_isMsgpacks() {
    assertThat(Json.parse("9223372036854775807")).isEqualTo(Long.MAX_VALUE);
    assertThat(Json.parse("-9223372036854775808")).isEqualTo(Long.MIN_VALUE);
    assertThat(Json.parse("9223372036854775808")).isEqualTo(BigInteger.ONE.shiftLeft(63));
    assertThat(Json.parse("18446744073709551615")).isEqualTo(BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE));
    assertThatThrownBy(() -> Json.parse("18446744073709551616"))
        .hasMessage("integer 18446744073709551616 is outside msgpack's range [-2^63, 2^64-1] at offset 0");
    assertThatThrownBy(() -> Json.parse("-9223372036854775809")).hasMessageContaining("outside msgpack's range");
  }

  @Test
  void parse_longLiterals_areJudgedAsShortOnes() {
    String digits = "9".repeat(5_000); // longer than jackson-core's default number limit
    assertThatThrownBy(() -> Json.parse(digits))
        .hasMessage("integer 9999999999999999999999999999999999999... is outside msgpack's range [-2^63, 2^64-1] at offset 0");
    assertThatThrownBy(() -> Json.parse(digits + ".5")).hasMessageStartingWith("number 999").hasMessageEndingWith(
        "... is too large for a float64 at offset 0");
    String name = "k".repeat(60_000); // longer than jackson-core's default name limit
    assertThat(Json.parse("{\"" + name + "\":1}")).isEqualTo(Map.of(name, 1L));
  }

  @Test
  void parse_textLongerThanTheLimit_isAnError() {
    String huge = "\"" + "x".repeat(Json.MAX_CHARS - 1) + "\"";
    assertThatThrownBy(() -> Json.parse(huge))
        .isInstanceOf(Json.JsonException.class)
        .hasMessage("text of 67108865 chars is longer than the limit of 67108864");
  }

  @Test
  void parse_floatTooLarge_isAnError() {
    assertThatThrownBy(() -> Json.parse("1e400")).hasMessage("number 1e400 is too large for a float64 at offset 0");
    assertThat(Json.parse("1e-400")).isEqualTo(0.0);
  }

  @Test
  void parse_containers_keepOrder() {
    Object v = Json.parse("{\"b\": [1, {\"c\": null}], \"a\": {} , \"e\": []}");
    Map<String, Object> expected = new LinkedHashMap<>();
    List<Object> inner = new ArrayList<>();
    inner.add(1L);
    Map<String, Object> c = new LinkedHashMap<>();
    c.put("c", null);
    inner.add(c);
    expected.put("b", inner);
    expected.put("a", Map.of());
    expected.put("e", List.of());
    assertThat(v).isEqualTo(expected);
    assertThat(List.copyOf(((Map<?, ?>) v).keySet())).isEqualTo(List.of("b", "a", "e"));
  }

  @Test
  void parse_escapesAndSurrogatePairs() {
    assertThat(Json.parse("\"a\\\"b\\\\c\\/d\\b\\f\\n\\r\\t\"")).isEqualTo("a\"b\\c/d\b\f\n\r\t");
    assertThat(Json.parse("\"\\u00e9\\u4e2d\"")).isEqualTo("é中");
    assertThat(Json.parse("\"\\ud83d\\ude00\"")).isEqualTo("😀");
    assertThat(Json.parse("\"😀 raw\"")).isEqualTo("😀 raw");
  }

  @Test
  void parse_unpairedSurrogate_isAnError() {
    assertThatThrownBy(() -> Json.parse("\"\\ud83d\"")).hasMessageContaining("unpaired surrogate \\ud83d");
    assertThatThrownBy(() -> Json.parse("\"\\ud83d\\u0041\"")).hasMessageContaining("unpaired surrogate");
    assertThatThrownBy(() -> Json.parse("\"\\ude00\"")).hasMessageContaining("unpaired surrogate \\ude00");
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "   ", "nul", "tru", "01", "1.", ".5", "-", "1e", "+1", "[1,]", "[1 2]", "{\"a\"}",
      "{\"a\":1,}", "{a:1}", "'x'", "\"abc", "\"\\x\"", "\"\\u12\"", "\"\\u12G4\"", "[", "{", "1 2", "NaN",
      "Infinity", "\"tab\there\"", "[1]]", "{\"a\":1}x"})
  void parse_malformed_isAnError(String text) {
    assertThatThrownBy(() -> Json.parse(text)).isInstanceOf(Json.JsonException.class).hasMessageContaining("offset");
  }

  @Test
  void parse_mismatchedCloseMarker_namesTheOffsetOnly() {
    assertThatThrownBy(() -> Json.parse("[1}")).hasMessage("Unexpected close marker '}': expected ']' at offset 2");
    assertThatThrownBy(() -> Json.parse("{\"a\":[1]]")).hasMessage("Unexpected close marker ']': expected '}' at offset 8");
  }

  @Test
  void parse_anyText_returnsAValueOrThrowsJsonException() {
    String valid = "{\"a\":[1,-2.5e3,\"x\\u00e9\\ud83d\\ude00\",{\"$bin\":\"AAE=\"},null,true,false,18446744073709551615]}";
    Seeded.forAll(2000, gen -> gen.oneOf(
        () -> new String(gen.mutate(valid.getBytes(StandardCharsets.UTF_8)), StandardCharsets.UTF_8),
        () -> gen.chars("[]{}:,\"\\-+.0123456789eEtruefalsn u\ud800\udc00", 0, 40),
        () -> gen.text(20)), text -> {
          try {
            Json.parse(text);
          } catch (Json.JsonException e) {
            assertThat(e.getMessage()).isNotBlank().doesNotContain("[Source:");
          }
        });
  }

  @Test
  void parse_duplicateKey_isAnError() {
    assertThatThrownBy(() -> Json.parse("{\"a\":1,\"a\":2}")).hasMessage("duplicate key \"a\" at offset 7");
  }

  @Test
  void parse_depthIsBounded() {
    String ok = "[".repeat(Json.MAX_DEPTH) + "]".repeat(Json.MAX_DEPTH);
    assertThat(Json.parse(ok)).isInstanceOf(List.class);
    String deep = "[".repeat(Json.MAX_DEPTH + 1) + "]".repeat(Json.MAX_DEPTH + 1);
    assertThatThrownBy(() -> Json.parse(deep)).hasMessageContaining("nested deeper than 512 levels");
    String hostile = "[".repeat(100_000);
    assertThatThrownBy(() -> Json.parse(hostile)).isInstanceOf(Json.JsonException.class);
  }

  @Test
  void parse_depthLimit_isAClearErrorAtTheFirstLevelTooDeep() {
    String objects = "{\"a\":".repeat(Json.MAX_DEPTH + 1) + "1" + "}".repeat(Json.MAX_DEPTH + 1);
    assertThatThrownBy(() -> Json.parse(objects)).isInstanceOf(Json.JsonException.class)
        .hasMessage("nested deeper than 512 levels at offset " + 5 * Json.MAX_DEPTH);
    String mixed = "[{\"a\":".repeat((Json.MAX_DEPTH + 2) / 2) + "1" + "}]".repeat((Json.MAX_DEPTH + 2) / 2);
    assertThatThrownBy(() -> Json.parse(mixed)).hasMessageStartingWith("nested deeper than 512 levels at offset ");
    // unterminated and far deeper than jackson's own limit: still this message, never a stack overflow
    assertThatThrownBy(() -> Json.parse("[".repeat(1_000_000)))
        .hasMessage("nested deeper than 512 levels at offset " + Json.MAX_DEPTH);
  }

  @Test
  void write_depthIsBounded() {
    Object deep = 1L;
    for (int i = 0; i < Json.MAX_DEPTH; i++) {
      deep = List.of(deep);
    }
    assertThat(Json.write(deep)).isEqualTo("[".repeat(Json.MAX_DEPTH) + "1" + "]".repeat(Json.MAX_DEPTH));
    Object tooDeep = Map.of("k", deep);
    assertThatThrownBy(() -> Json.write(tooDeep)).isInstanceOf(Json.JsonException.class)
        .hasMessage("nested deeper than 512 levels");
  }

  @Test
  void parse_duplicateKeys_areErrorsAfterEscapesAreDecoded_perObject() {
    assertThatThrownBy(() -> Json.parse("{\"a\":1,\"\\u0061\":2}")).hasMessage("duplicate key \"a\" at offset 7");
    assertThatThrownBy(() -> Json.parse("[{\"k\":{\"x\":1,\"y\":2,\"x\":null}}]"))
        .hasMessage("duplicate key \"x\" at offset 19");
    assertThat(Json.parse("[{\"a\":1},{\"a\":2}]")).isEqualTo(List.of(Map.of("a", 1L), Map.of("a", 2L)));
    assertThat(Json.parse("{\"a\":{\"a\":1}}")).isEqualTo(Map.of("a", Map.of("a", 1L)));
    assertThat(Json.parse("{\"a\":1,\"A\":2}")).isEqualTo(Map.of("a", 1L, "A", 2L));
  }

  @Test
  void parse_loneSurrogates_rawOrEscaped_inValuesAndKeys_areErrors() {
    assertThatThrownBy(() -> Json.parse("\"a\ud800b\"")).isInstanceOf(Json.JsonException.class)
        .hasMessage("unpaired surrogate \\ud800 at offset 0");
    assertThatThrownBy(() -> Json.parse("[1,\"\udc00\"]")).hasMessage("unpaired surrogate \\udc00 at offset 3");
    assertThatThrownBy(() -> Json.parse("{\"\udc00\":1}")).hasMessage("unpaired surrogate \\udc00 at offset 1");
    // escaped in a key, jackson finds it first, in its words
    assertThatThrownBy(() -> Json.parse("{\"\\udc00\":1}"))
        .hasMessage("Unexpected low surrogate in property name: 0xdc00 at offset 8");
    assertThatThrownBy(() -> Json.parse("{\"\\ud800x\":1}")).isInstanceOf(Json.JsonException.class)
        .hasMessageStartingWith("Broken surrogate pair in property name");
    assertThatThrownBy(() -> Json.parse("\"\\ude00\\ud83d\"")).hasMessage("unpaired surrogate \\ude00 at offset 0");
    // an escaped high surrogate and a raw low one still make one character
    assertThat(Json.parse("\"\\ud83d\ude00\"")).isEqualTo("😀");
  }

  @Test
  void write_controlAndNonBmpCharacters() {
    StringBuilder controls = new StringBuilder();
    for (char c = 0; c < 0x20; c++) {
      controls.append(c);
    }
    assertThat(Json.write(controls.toString())).isEqualTo("\"\\u0000\\u0001\\u0002\\u0003\\u0004\\u0005\\u0006\\u0007"
        + "\\b\\t\\n\\u000b\\f\\r\\u000e\\u000f\\u0010\\u0011\\u0012\\u0013\\u0014\\u0015\\u0016\\u0017"
        + "\\u0018\\u0019\\u001a\\u001b\\u001c\\u001d\\u001e\\u001f\"");
    assertThat(Json.parse(Json.write(controls.toString()))).isEqualTo(controls.toString());
    // '/', DEL's neighbours, C1 controls, line separators and non-BMP characters are written as they are
    assertThat(Json.write("a/b~\u0080\u2028\u2029\uffff")).isEqualTo("\"a/b~\u0080\u2028\u2029\uffff\"");
    assertThat(Json.write(Map.of("\ud83d\ude00", "\udbff\udfff"))).isEqualTo("{\"😀\":\"\udbff\udfff\"}");
    // unpaired surrogates, in either order, become escapes, so the output stays valid UTF-8
    assertThat(Json.write("\udc00\ud800")).isEqualTo("\"\\udc00\\ud800\"");
    assertThat(Json.write(Map.of("k\udfff", 1L))).isEqualTo("{\"k\\udfff\":1}");
  }

  @Test
  void parse_hugeNumbers() {
    assertThatThrownBy(() -> Json.parse("-1e400")).hasMessage("number -1e400 is too large for a float64 at offset 0");
    assertThatThrownBy(() -> Json.parse("[1e99999999999999999999]"))
        .hasMessage("number 1e99999999999999999999 is too large for a float64 at offset 1");
    assertThat(Json.parse("1e-99999999999999999999")).isEqualTo(0.0);
    assertThat(Json.parse("-0.0")).isEqualTo(-0.0);
    assertThat(Json.parse("1.7976931348623157e308")).isEqualTo(Double.MAX_VALUE);
    assertThat(Json.parse("4.9e-324")).isEqualTo(Double.MIN_VALUE);
    // far more digits than jackson's default limit of 1,000: rounded to the nearest float64
    assertThat(Json.parse("0." + "3".repeat(100_000))).isEqualTo(1.0 / 3);
    assertThat(Json.parse("1" + "0".repeat(300) + ".0")).isEqualTo(1e300);
    String longNegative = "-" + "1".repeat(1_000_000);
    assertThatThrownBy(() -> Json.parse("{\"n\":" + longNegative + "}"))
        .hasMessage("integer -111111111111111111111111111111111111... is outside msgpack's range [-2^63, 2^64-1] at offset 5");
    assertThatThrownBy(() -> Json.parse("12x")).isInstanceOf(Json.JsonException.class).hasMessageContaining("offset");
  }

  @Test
  void write_compactAndEscaped() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("k", Arrays.asList(1L, -2, 2.5, true, null, "s"));
    m.put("quote\"", "line\nbreak\u0001\u007f");
    assertThat(Json.write(m)).isEqualTo("{\"k\":[1,-2,2.5,true,null,\"s\"],\"quote\\\"\":\"line\\nbreak\\u0001\\u007f\"}");
    assertThat(Json.write("é😀")).isEqualTo("\"é😀\"");
    assertThat(Json.write("\ud800x")).isEqualTo("\"\\ud800x\"");
  }

  @Test
  void write_floats_stayFloats_andNonFiniteIsNull() {
    assertThat(Json.write(1.0)).isEqualTo("1.0");
    assertThat(Json.write(0.1f)).isEqualTo("0.1");
    assertThat(Json.write(1e-7)).isEqualTo("1.0E-7");
    assertThat(Json.parse(Json.write(1e-7))).isEqualTo(1e-7);
    assertThat(Json.write(Arrays.asList(Double.NaN, Double.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY)))
        .isEqualTo("[null,null,null]");
    assertThat(Json.write(BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE))).isEqualTo("18446744073709551615");
  }

  @Test
  void write_unknownType_isAnError() {
    assertThatThrownBy(() -> Json.write(List.of(new Object()))).hasMessageStartingWith("cannot write java.lang.Object");
  }

  @Test
  void writeTo_writesWhatWriteGives_asItGoes_andLeavesTheStreamOpen() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("k", Arrays.asList(1L, -2, 2.5, true, null, "s", 0.1f, Double.NaN));
    m.put("quote\"/", "line\nbreak\u0001\u007f é😀 \ud800x");
    m.put("big", BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE));
    List<Object> rows = new ArrayList<>();
    for (int i = 0; i < 20_000; i++) { // beyond the generator's buffer: written in several pieces
      rows.add(Map.of("key", "k" + i + "\u007f", "t_ns", (long) i * 1_000_003));
    }
    for (Object value : Arrays.asList(m, rows, "x", null, List.of())) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      out.write('[');
      Json.writeTo(out, value);
      out.write(']'); // still open
      assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("[" + Json.write(value) + "]");
    }
  }

  @Test
  void writeTo_aFailingStream_isAnUncheckedIoException_andABadValueAJsonException() {
    OutputStream broken = new OutputStream() {
      @Override
      public void write(int b) throws IOException {
        throw new IOException("disk full");
      }

      @Override
      public void write(byte[] b, int off, int len) throws IOException {
        throw new IOException("disk full");
      }
    };
    assertThatThrownBy(() -> Json.writeTo(broken, List.of("x")))
        .isInstanceOf(UncheckedIOException.class).hasRootCauseMessage("disk full");
    assertThatThrownBy(() -> Json.writeTo(new ByteArrayOutputStream(), List.of(new Object())))
        .isInstanceOf(Json.JsonException.class).hasMessageStartingWith("cannot write java.lang.Object");
  }

  @Test
  void roundTrip() {
    String text = "{\"a\":[1,-9223372036854775808,18446744073709551615,0.5,\"\\u0000\\\"😀\",null,false],\"b\":{}}";
    assertThat(Json.write(Json.parse(text))).isEqualTo(text);
  }
}
