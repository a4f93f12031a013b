package org.syncmesh.sync;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Base64;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.syncmesh.wire.Bytes;
import org.syncmesh.wire.Flags;
import org.syncmesh.wire.Hlc;
import org.syncmesh.wire.InternalMessage;
import org.syncmesh.wire.NodeIdentity;
import org.syncmesh.wire.Protocol;
import org.syncmesh.wire.Version;

/**
 * The golden vector of docs/extension-v1.md §8: a signed store made with a fixed key (RFC 8032's
 * first test key), byte for byte: the signed array, the signature, the whole message body.
 */
final class SignedWritesVectorTest {

  /** RFC 8032 §7.1, TEST 1: the secret key (seed). */
  static final String SEED_HEX = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";

  static NodeIdentity testKey() {
    byte[] der = HexFormat.of().parseHex("302e020100300506032b657004220420" + SEED_HEX);
    return NodeIdentity.fromPem("-----BEGIN PRIVATE KEY-----\n" + Base64.getEncoder().encodeToString(der)
        + "\n-----END PRIVATE KEY-----\n");
  }

  /** Subnet "sync1" (leasing), transport SSL: ANBM6pF8DhyLoKw2PEj8wwg9WbmxbYvmZt4d9ca3nJ7B. */
  static final String PROTOCOL_ID = new Protocol("sync1", Protocol.SSL).id();

  static final String PUBLIC_KEY_HEX = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";
  static final String WRITER = "4n2bzjajzMrt1MeiQa3NCArVHvvpDQv86QXjBj7aDm6Y7dUj7F5RTNW1LmTY8V3ry2";
  static final String SIGNED_HEX = "9ab173796e636d6573682d77726974652d7631d92c414e424d367046384468794c6f4b773250456a387777673957626d786259766d5a743464396361336e4a374220c4016ba176cf018bcfe5687b0000d942346e32627a6a616a7a4d7274314d65695161334e4341725648767670445176383651586a426a3761446d36593764556a37463552544e57314c6d5459385633727932ce6553f10001cf018bcfe5687b0000";
  static final String SIGNATURE_HEX = "5aa04595fbb703aa71f2e366ffc871d32485c1e879452cecf4cef897f436b4afb381cd73e67b9e2d4d7d756ac80bd734e184db1e70e3866a7190e933ab10f40b";
  static final String BODY_HEX = "9b00d942346e32627a6a616a7a4d7274314d65695161334e4341725648767670445176383651586a426a3761446d36593764556a37463552544e57314c6d5459385633727932ce6553f10020c4016ba176cf018bcfe5687b000001cf018bcfe5687b0000c420d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511ac4405aa04595fbb703aa71f2e366ffc871d32485c1e879452cecf4cef897f436b4afb381cd73e67b9e2d4d7d756ac80bd734e184db1e70e3866a7190e933ab10f40b";

  @Test
  void aSignedStore_byTheTestKey_isByteForByteTheDocumentedOne() {
    NodeIdentity key = testKey();
    assertThat(HexFormat.of().formatHex(key.publicKey())).isEqualTo(PUBLIC_KEY_HEX);
    long hlc = Hlc.of(1_700_000_000_123L, 0);
    Version v = new Version(hlc, key.id());
    Resolution.Tenure tenure = new Resolution.Tenure(1, v);
    byte[] signed = SignedWrites.canonical(PROTOCOL_ID, Flags.SUB_SM_WRITE, Bytes.utf8("k"), "v", hlc, key.id(),
        1_700_000_000L, 1, hlc);
    SignedWrites.Signed s = new SignedWrites(key, PROTOCOL_ID, id -> false).sign(Bytes.utf8("k"), "v", v,
        1_700_000_000L, tenure);
    InternalMessage m = ExtMessages.signedWrite(key.id(), 1_700_000_000L, Flags.SUB_SM_WRITE, Bytes.utf8("k"), "v",
        hlc, 1, v, s);
    assertThat(key.id()).isEqualTo(WRITER);
    assertThat(HexFormat.of().formatHex(signed)).isEqualTo(SIGNED_HEX);
    assertThat(HexFormat.of().formatHex(s.signature().toByteArray())).isEqualTo(SIGNATURE_HEX);
    assertThat(NodeIdentity.verify(key.publicKey(), signed, s.signature().toByteArray())).isTrue();
    assertThat(HexFormat.of().formatHex(m.body().toByteArray())).isEqualTo(BODY_HEX);
    // and every node reads it back as the same state, with a signature that checks
    ExtMessages.SignedState read = ExtMessages.readSignedWrite(key.id(), 1_700_000_000L, m.payload());
    assertThat(new SignedWrites(NodeIdentity.generate(), PROTOCOL_ID, id -> false)
        .refusal(read.state().key(), read.state().entry(), read.signed())).isNull();
    assertThat(new SignedWrites(NodeIdentity.generate(), "another-protocol", id -> false)
        .refusal(read.state().key(), read.state().entry(), read.signed())).isEqualTo("its signature is not valid");
  }

  /** §8.6: a signed delta {"f": 1} to the absent key "m" (leasing on, so it claims it, epoch 1). */
  static final String DELTA_SIGNED_HEX = "9ab173796e636d6573682d77726974652d7631d92c414e424d367046384468794c6f4b773250456a387777673957626d786259766d5a743464396361336e4a374221c4016d81a16601cf018bcfe5687b0000d942346e32627a6a616a7a4d7274314d65695161334e4341725648767670445176383651586a426a3761446d36593764556a37463552544e57314c6d5459385633727932ce6553f10001cf018bcfe5687b0000";
  static final String DELTA_SIGNATURE_HEX = "bc058df1157a19bfa8015e61a9b50a5432ea29fa962354b0a460732852c0af3dc1187158d7160bde2709b48f3e853a9ed692134dd020b6af68de29fac492b30a";
  static final String DELTA_BODY_HEX = "9b00d942346e32627a6a616a7a4d7274314d65695161334e4341725648767670445176383651586a426a3761446d36593764556a37463552544e57314c6d5459385633727932ce6553f10021c4016d81a16601cf018bcfe5687b000001cf018bcfe5687b0000c420d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511ac440bc058df1157a19bfa8015e61a9b50a5432ea29fa962354b0a460732852c0af3dc1187158d7160bde2709b48f3e853a9ed692134dd020b6af68de29fac492b30a";
  static final String DELTA_ENTRY_HEX = "9cc4016d81a16601cf018bcfe5687b0000d942346e32627a6a616a7a4d7274314d65695161334e4341725648767670445176383651586a426a3761446d36593764556a37463552544e57314c6d5459385633727932ce6553f100c201cf018bcfe5687b000093a166cf018bcfe5687b0000d942346e32627a6a616a7a4d7274314d65695161334e4341725648767670445176383651586a426a3761446d36593764556a37463552544e57314c6d5459385633727932c0c091992181a16601cf018bcfe5687b0000d942346e32627a6a616a7a4d7274314d65695161334e4341725648767670445176383651586a426a3761446d36593764556a37463552544e57314c6d5459385633727932ce6553f10001cf018bcfe5687b0000c420d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511ac440bc058df1157a19bfa8015e61a9b50a5432ea29fa962354b0a460732852c0af3dc1187158d7160bde2709b48f3e853a9ed692134dd020b6af68de29fac492b30a";

  @Test
  void aSignedDelta_byTheTestKey_isByteForByteTheDocumentedOne_andItsEntryChecks() {
    NodeIdentity key = testKey();
    long hlc = Hlc.of(1_700_000_000_123L, 0);
    Version v = new Version(hlc, key.id());
    Resolution.Tenure tenure = new Resolution.Tenure(1, v);
    java.util.Map<Object, Object> delta = java.util.Map.of("f", 1L);
    byte[] signed = SignedWrites.canonical(PROTOCOL_ID, Flags.SUB_SM_DELTA, Bytes.utf8("m"), delta, hlc, key.id(),
        1_700_000_000L, 1, hlc);
    SignedWrites.Signed s = new SignedWrites(key, PROTOCOL_ID, id -> false).sign(Flags.SUB_SM_DELTA, Bytes.utf8("m"),
        delta, v, 1_700_000_000L, tenure);
    InternalMessage m = ExtMessages.signedWrite(key.id(), 1_700_000_000L, Flags.SUB_SM_DELTA, Bytes.utf8("m"), delta,
        hlc, 1, v, s);
    ExtMessages.SignedState read = ExtMessages.readSignedWrite(key.id(), 1_700_000_000L, m.payload());
    byte[] entry = org.syncmesh.wire.Packets.encode(ExtMessages.entry(read.state().key(), read.state().entry(),
        read.signed()));
    assertThat(HexFormat.of().formatHex(signed)).isEqualTo(DELTA_SIGNED_HEX);
    assertThat(HexFormat.of().formatHex(s.signature().toByteArray())).isEqualTo(DELTA_SIGNATURE_HEX);
    assertThat(NodeIdentity.verify(key.publicKey(), signed, s.signature().toByteArray())).isTrue();
    assertThat(HexFormat.of().formatHex(m.body().toByteArray())).isEqualTo(DELTA_BODY_HEX);
    assertThat(HexFormat.of().formatHex(entry)).isEqualTo(DELTA_ENTRY_HEX);
    SignedWrites checker = new SignedWrites(NodeIdentity.generate(), PROTOCOL_ID, id -> false, true);
    assertThat(read.signed()).isInstanceOf(SignedWrites.Writes.class);
    assertThat(checker.refusal(read.state().key(), read.state().entry(), read.signed())).isNull();
    // the entry read back as a secure network's entries message reads it, and it checks too
    ExtMessages.SignedEntries back = (ExtMessages.SignedEntries) ExtMessages.readSync(java.util.Arrays.asList(
        (long) Flags.SUB_SM_SYNC, (long) ExtMessages.ENTRIES, 0L,
        java.util.List.of(org.syncmesh.wire.Packets.decode(HexFormat.of().parseHex(DELTA_ENTRY_HEX)))), true);
    ExtMessages.SignedState e = back.entries().get(0);
    assertThat(e.state().entry()).isEqualTo(read.state().entry());
    assertThat(checker.refusal(e.state().key(), e.state().entry(), e.signed())).isNull();
    // a store's single signature does not prove a state made by a delta
    assertThat(checker.refusal(e.state().key(), e.state().entry(), s)).contains("made by deltas");
  }
}
