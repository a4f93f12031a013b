package org.syncmesh.sync;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Base64;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.syncmesh.Bytes;
import org.syncmesh.Hlc;
import org.syncmesh.NodeIdentity;
import org.syncmesh.Protocol;
import org.syncmesh.Version;
import org.syncmesh.wire.Flags;
import org.syncmesh.wire.InternalMessage;

/**
 * The golden vectors of docs/extension-v1.md §8: a signed store, a signed delta and a batch of
 * three stores made with a fixed key (RFC 8032's first test key), byte for byte: the signed
 * arrays, the batch signatures, the whole message bodies. The same bytes were checked with an
 * independent verifier (Python's hashlib and `cryptography` Ed25519) when they were made.
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
  static final String SIGNATURE_HEX = "461c144a24d7039ae9b4d6be706dd7fa1bf83f066c060cd132dbfd7b46c3b6ebdb7ecb2a1dfd0de91de5ec4a4388f042c02959950f7e98e3d5745a0c5d68570000010000";
  static final String BODY_HEX = "9b00d942346e32627a6a616a7a4d7274314d65695161334e4341725648767670445176383651586a426a3761446d36593764556a37463552544e57314c6d5459385633727932ce6553f10020c4016ba176cf018bcfe5687b000001cf018bcfe5687b0000c420d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511ac444461c144a24d7039ae9b4d6be706dd7fa1bf83f066c060cd132dbfd7b46c3b6ebdb7ecb2a1dfd0de91de5ec4a4388f042c02959950f7e98e3d5745a0c5d68570000010000";

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
    assertThat(batchSignatureChecks(key, signed, s.signature())).isTrue();
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
  static final String DELTA_SIGNATURE_HEX = "c2458d0cfebaadd2d23b21135c0a56cc88aff6717060923bdfe0a4446292278ab63048615d9ccd96f6bb43d2ca374fbc58bc4d16ed66e763b07c918e1393120600010000";
  static final String DELTA_BODY_HEX = "9b00d942346e32627a6a616a7a4d7274314d65695161334e4341725648767670445176383651586a426a3761446d36593764556a37463552544e57314c6d5459385633727932ce6553f10021c4016d81a16601cf018bcfe5687b000001cf018bcfe5687b0000c420d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511ac444c2458d0cfebaadd2d23b21135c0a56cc88aff6717060923bdfe0a4446292278ab63048615d9ccd96f6bb43d2ca374fbc58bc4d16ed66e763b07c918e1393120600010000";
  static final String DELTA_ENTRY_HEX = "9cc4016d81a16601cf018bcfe5687b0000d942346e32627a6a616a7a4d7274314d65695161334e4341725648767670445176383651586a426a3761446d36593764556a37463552544e57314c6d5459385633727932ce6553f100c201cf018bcfe5687b000093a166cf018bcfe5687b0000d942346e32627a6a616a7a4d7274314d65695161334e4341725648767670445176383651586a426a3761446d36593764556a37463552544e57314c6d5459385633727932c0c091992181a16601cf018bcfe5687b0000d942346e32627a6a616a7a4d7274314d65695161334e4341725648767670445176383651586a426a3761446d36593764556a37463552544e57314c6d5459385633727932ce6553f10001cf018bcfe5687b0000c420d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511ac444c2458d0cfebaadd2d23b21135c0a56cc88aff6717060923bdfe0a4446292278ab63048615d9ccd96f6bb43d2ca374fbc58bc4d16ed66e763b07c918e1393120600010000";

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
    assertThat(batchSignatureChecks(key, signed, s.signature())).isTrue();
    assertThat(HexFormat.of().formatHex(m.body().toByteArray())).isEqualTo(DELTA_BODY_HEX);
    assertThat(HexFormat.of().formatHex(entry)).isEqualTo(DELTA_ENTRY_HEX);
    SignedWrites checker = new SignedWrites(NodeIdentity.generate(), PROTOCOL_ID, id -> false, true);
    assertThat(read.signed()).isInstanceOf(SignedWrites.Writes.class);
    assertThat(checker.refusal(read.state().key(), read.state().entry(), read.signed())).isNull();
    // the entry read back as a secure network's entries message reads it, and it checks too
    ExtMessages.SignedEntries back = (ExtMessages.SignedEntries) ExtMessages.readSync(java.util.Arrays.asList(
        (long) Flags.SUB_SM_SYNC, (long) ExtMessages.ENTRIES, 0L,
        java.util.List.of(org.syncmesh.wire.Packets.decode(HexFormat.of().parseHex(DELTA_ENTRY_HEX)))), true, SharedIds.NONE);
    ExtMessages.SignedState e = back.entries().get(0);
    assertThat(e.state().entry()).isEqualTo(read.state().entry());
    assertThat(checker.refusal(e.state().key(), e.state().entry(), e.signed())).isNull();
    // a store's single signature does not prove a state made by a delta
    assertThat(checker.refusal(e.state().key(), e.state().entry(), s)).contains("made by deltas");
  }

  /** §8.7: three stores a=1, b=2, c=3 at counters 0, 1, 2 (no lease), signed as one batch. */
  static final String[] BATCH_SIGNED_HEX = {
      "9ab173796e636d6573682d77726974652d7631d92c414e424d367046384468794c6f4b773250456a387777673957626d786259766d5a743464396361336e4a374220c4016101cf018bcfe5687b0000d942346e32627a6a616a7a4d7274314d65695161334e4341725648767670445176383651586a426a3761446d36593764556a37463552544e57314c6d5459385633727932ce6553f1000000",
      "9ab173796e636d6573682d77726974652d7631d92c414e424d367046384468794c6f4b773250456a387777673957626d786259766d5a743464396361336e4a374220c4016202cf018bcfe5687b0001d942346e32627a6a616a7a4d7274314d65695161334e4341725648767670445176383651586a426a3761446d36593764556a37463552544e57314c6d5459385633727932ce6553f1000000",
      "9ab173796e636d6573682d77726974652d7631d92c414e424d367046384468794c6f4b773250456a387777673957626d786259766d5a743464396361336e4a374220c4016303cf018bcfe5687b0002d942346e32627a6a616a7a4d7274314d65695161334e4341725648767670445176383651586a426a3761446d36593764556a37463552544e57314c6d5459385633727932ce6553f1000000"};
  static final String[] BATCH_BLOB_HEX = {
      "f5e414c652d22c59146f6c6a0cb051dae328c1c3824f7b05d33b2de4ed505d0956a4d67cb32a5d17392080874e854252b06bc1766884f7850b7f494ccb70f00400030000baa658ac03b1310fd06e5f75b9c5a312213c0c8720296c86384eb4b45a72f74bf9964e289e5714610b0318dc4a016e036d2600c6e954686ac66be446f9ea8b04",
      "f5e414c652d22c59146f6c6a0cb051dae328c1c3824f7b05d33b2de4ed505d0956a4d67cb32a5d17392080874e854252b06bc1766884f7850b7f494ccb70f00400030001a12dd8bcdf7839cd719c811d950c1d62e43767b5a2ce44a9d99ff5a14eacaf77f9964e289e5714610b0318dc4a016e036d2600c6e954686ac66be446f9ea8b04",
      "f5e414c652d22c59146f6c6a0cb051dae328c1c3824f7b05d33b2de4ed505d0956a4d67cb32a5d17392080874e854252b06bc1766884f7850b7f494ccb70f0040003000238a76ab5d07ce5bf3d2d9171344313ae11af6a00247e69f9511539549c57e155"};

  @Test
  void aBatchOfThree_byTheTestKey_isByteForByteTheDocumentedOne_andEachWriteChecksAlone() {
    NodeIdentity key = testKey();
    SignedWrites signer = new SignedWrites(key, PROTOCOL_ID, id -> false);
    java.util.List<SignedWrites.KeyedWrite> batch = new java.util.ArrayList<>();
    for (int i = 0; i < 3; i++) {
      Version v = new Version(Hlc.of(1_700_000_000_123L, i), key.id());
      Bytes k = Bytes.utf8(String.valueOf((char) ('a' + i)));
      batch.add(new SignedWrites.KeyedWrite(k,
          signer.pending(Flags.SUB_SM_WRITE, (long) (i + 1), v, 1_700_000_000L, Resolution.Tenure.NONE)));
      assertThat(HexFormat.of().formatHex(SignedWrites.canonical(PROTOCOL_ID, Flags.SUB_SM_WRITE, k, (long) (i + 1),
          v.hlc(), key.id(), 1_700_000_000L, 0, 0L))).isEqualTo(BATCH_SIGNED_HEX[i]);
    }
    java.util.List<Bytes> blobs = signer.signAll(batch);
    SignedWrites checker = new SignedWrites(NodeIdentity.generate(), PROTOCOL_ID, id -> false);
    for (int i = 0; i < 3; i++) {
      assertThat(HexFormat.of().formatHex(blobs.get(i).toByteArray())).as("blob %d", i).isEqualTo(BATCH_BLOB_HEX[i]);
      SignedWrites.Write w = batch.get(i).write().withSignature(blobs.get(i));
      assertThat(checker.refusal(batch.get(i).key(), w.entry(), new SignedWrites.Signed(w.version(), w.publicKey(),
          w.signature()))).as("write %d checks alone", i).isNull();
    }
    // the first write's path does not prove the second's value
    SignedWrites.Write second = batch.get(1).write().withSignature(blobs.get(0));
    assertThat(checker.refusal(batch.get(1).key(), second.entry(), new SignedWrites.Signed(second.version(),
        second.publicKey(), second.signature()))).isEqualTo("its signature is not valid");
  }

  /** Whether {@code blob} is a batch signature by {@code key} covering {@code signed} (§8.1). */
  static boolean batchSignatureChecks(NodeIdentity key, byte[] signed, Bytes blob) {
    BatchSignatures.Opened o = BatchSignatures.open(signed, blob.toByteArray());
    return o != null && NodeIdentity.verify(key.publicKey(), BatchSignatures.signedMessage(PROTOCOL_ID, o.n(), o.root()),
        o.signature());
  }
}
