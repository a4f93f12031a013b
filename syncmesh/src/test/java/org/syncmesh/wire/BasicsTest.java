package org.syncmesh.wire;

import org.syncmesh.Bytes;
import org.syncmesh.Protocol;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import org.junit.jupiter.api.Test;

/** Bytes, Base58, Protocol, NodeId and Checks. */
final class BasicsTest {
  @Test
  void bytes_copiesComparesUnsignedAndCachesHash() {
    byte[] raw = {1, (byte) 0xff};
    Bytes b = Bytes.of(raw);
    raw[0] = 9;
    assertThat(b.byteAt(0)).isEqualTo((byte) 1);
    assertThat(b.toByteArray()).isNotSameAs(b.toByteArray());
    assertThat(Bytes.fromHex("ff")).isGreaterThan(Bytes.fromHex("7f")); // unsigned, §10 tie-break
    assertThat(Bytes.fromHex("01")).isLessThan(Bytes.fromHex("0100"));
    assertThat(Bytes.fromHex("01FF")).isEqualTo(b).hasSameHashCodeAs(b);
    assertThat(Bytes.of(raw, 1, 1).hex()).isEqualTo("ff");
    assertThat(Bytes.utf8("é").utf8()).isEqualTo("é");
    assertThat(Bytes.fromHex("61ff").utf8()).isEqualTo("a\uFFFD");
    assertThat(Bytes.fromHex("00".repeat(20)).toString()).isEqualTo("[size=20 hex=" + "00".repeat(16) + "…]");
    assertThat(Bytes.EMPTY.size()).isZero();
  }

  @Test
  void bytes_fromHex_rejectsBadInput() {
    assertThatThrownBy(() -> Bytes.fromHex("abc")).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("hex.length(): 3 (expected: even)");
    assertThatThrownBy(() -> Bytes.fromHex("zz")).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("hex[0]: 'z' (expected: a hex digit 0-9, a-f, A-F)");
    assertThatThrownBy(() -> Bytes.of(new byte[2], 1, 2)).isInstanceOf(IndexOutOfBoundsException.class);
  }

  @Test
  void base58_matchesSpecExamples() {
    assertThat(Base58.encode(BigInteger.ZERO)).isEqualTo("1");
    assertThat(Base58.encode(57)).isEqualTo("z");
    assertThat(Base58.encode(58)).isEqualTo("21");
    assertThat(Base58.encode(1_700_000_000)).isEqualTo("3bDwmq");
    BigInteger big = BigInteger.TWO.pow(384).subtract(BigInteger.ONE);
    assertThat(Base58.decode(Base58.encode(big))).isEqualTo(big);
    assertThat(Base58.encode(big)).hasSizeLessThanOrEqualTo(66);
    assertThat(Base58.encodeUnsigned(new byte[] {0, 0, 58})).isEqualTo("21"); // no leading-zero handling
    assertThat(Base58.isBase58("abc")).isTrue();
    assertThat(Base58.isBase58("a0c")).isFalse();
    assertThat(Base58.isBase58("")).isFalse();
  }

  @Test
  void base58_decode_namesBadCharacterAndIndex() {
    assertThatThrownBy(() -> Base58.decode("ab0")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("text[2]: '0' (U+0030) (expected: a base58 character of");
    assertThatThrownBy(() -> Base58.encode(-1)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("value: -1 (expected: >= 0)");
  }

  @Test
  void protocol_validatesTransport() {
    assertThatThrownBy(() -> new Protocol("mesh", "ws")).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("transport: \"ws\" (expected: one of [Plaintext, SSL])");
    assertThatThrownBy(() -> new Protocol(null, "SSL")).isInstanceOf(NullPointerException.class)
        .hasMessage("subnet: null (expected: non-null)");
    assertThat(new Protocol("mesh", Protocol.PLAINTEXT).id()).isEqualTo("EpAmyZWv9rZUKmjQgU3FTUD4GrJHvVEXizmghVBc8eGD");
  }

  @Test
  void nodeId_generatesStableBase58PerJvm() {
    Protocol p = new Protocol("mesh", Protocol.PLAINTEXT);
    String a = NodeId.generate(p, "0.0.0.0", 4444);
    assertThat(a).isEqualTo(NodeId.generate(p, "0.0.0.0", 4444)).isNotEqualTo(NodeId.generate(p, "0.0.0.0", 4445));
    assertThat(Base58.isBase58(a)).isTrue();
    assertThat(a.length()).isBetween(60, 66);
    assertThat(NodeId.numericValue(a)).isPresent();
    assertThat(NodeId.numericValue("not-base58")).isEmpty();
    assertThat(NodeId.randomUuid4(new java.security.SecureRandom()))
        .matches("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
  }

  @Test
  void nodeId_compareForLease_isUnsignedUtf8() {
    assertThat(NodeId.compareForLease("a", "b")).isNegative();
    assertThat(NodeId.compareForLease("é", "z")).isPositive(); // c3 a9 > 7a unsigned
    assertThat(NodeId.compareForLease("ab", "ab")).isZero();
  }

  @Test
  void checks_nameArgumentValueAndExpectation() {
    assertThatThrownBy(() -> Checks.inRange(70000, 0, 65535, "port")).hasMessage("port: 70000 (expected: in [0, 65535])");
    assertThatThrownBy(() -> Checks.notNull(null, "x")).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> new FrameCodec(32)).hasMessage("maxFrameBytes: 32 (expected: in [33, 2147483646])");
  }

  @Test
  void flags_matchSpecTable() {
    assertThat(Flags.SUB_STORE).isEqualTo(0x0B);
    assertThat(Flags.SUB_DELTA).isEqualTo(0x11);
    assertThat(Flags.SUB_REVOKE_PATHS).isEqualTo(0x10);
    assertThat(Flags.MAIN_PONG).isEqualTo(Flags.PONG).isEqualTo(4);
    assertThat(Flags.isReserved(0x2F)).isTrue();
    assertThat(Flags.isReserved(Flags.RESERVED_LIMIT)).isFalse();
  }
}
