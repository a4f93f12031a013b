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
}
