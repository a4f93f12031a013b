package org.syncmesh.wire;

import org.syncmesh.NodeIdentity;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

final class NodeIdentityTest {

  private static final byte[] MESSAGE = "key, value, version".getBytes(StandardCharsets.UTF_8);

  @Test
  void anIdentity_signs_andOnlyItsKeyVerifies_andItsIdComesFromItsKey() {
    NodeIdentity a = NodeIdentity.generate();
    NodeIdentity b = NodeIdentity.generate();
    byte[] sig = a.sign(MESSAGE);
    assertThat(sig).hasSize(NodeIdentity.SIGNATURE_BYTES);
    assertThat(NodeIdentity.verify(a.publicKey(), MESSAGE, sig)).isTrue();
    assertThat(NodeIdentity.verify(b.publicKey(), MESSAGE, sig)).isFalse();
    byte[] tampered = MESSAGE.clone();
    tampered[0] ^= 1;
    assertThat(NodeIdentity.verify(a.publicKey(), tampered, sig)).isFalse();
    assertThat(NodeIdentity.verify(a.publicKey(), MESSAGE, new byte[3])).isFalse();
    assertThat(NodeIdentity.verify(new byte[5], MESSAGE, sig)).isFalse();

    assertThat(a.id()).isEqualTo(NodeId.fromPublicKey(a.publicKey())).isNotEqualTo(b.id());
    assertThat(Base58.isBase58(a.id())).isTrue();
    assertThat(a.id().length()).isBetween(60, 66);
  }

  @Test
  void pem_roundTrips_andRefusesWhatIsNotAnEd25519Key() {
    NodeIdentity a = NodeIdentity.generate();
    String pem = a.toPem();
    assertThat(pem).startsWith("-----BEGIN PRIVATE KEY-----");
    NodeIdentity back = NodeIdentity.fromPem(pem);
    assertThat(back).isEqualTo(a);
    assertThat(back.id()).isEqualTo(a.id());
    assertThat(NodeIdentity.verify(a.publicKey(), MESSAGE, back.sign(MESSAGE))).isTrue();
    assertThat(a.toString()).doesNotContain("PRIVATE");

    assertThatThrownBy(() -> NodeIdentity.fromPem("not pem")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aKeyMadeByOpenssl_isRead() {
    // openssl genpkey -algorithm ed25519 (RFC 8410's example private key)
    String pem = "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEINTuctv5E1hK1bbY8fdp+K06/nwoy/HU++CXqI9EdVhC\n-----END PRIVATE KEY-----\n";
    NodeIdentity id = NodeIdentity.fromPem(pem);
    assertThat(BytesInternals.hex(id.publicKey(), 0, 32))
        .isEqualTo("19bf44096984cdfe8541bac167dc3b96c85086aa30b6b6cb0c5c38ad703166e1");
  }

  @Test
  void pemThatIsNotAnEd25519Pkcs8Key_isRefusedWithItsKind() {
    // read with bcprov's PEM reader (no bcpkix): other PEM types, a broken body and other key types are named
    assertThatThrownBy(() -> NodeIdentity.fromPem("-----BEGIN CERTIFICATE-----\nMAA=\n-----END CERTIFICATE-----\n"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a PEM PRIVATE KEY")
        .hasMessageContaining("CERTIFICATE");
    assertThatThrownBy(() -> NodeIdentity.fromPem("-----BEGIN PRIVATE KEY-----\nMAA=\n-----END PRIVATE KEY-----\n"))
        .isInstanceOf(IllegalArgumentException.class);
    // RFC 8410 §10.3's X25519 private key: PKCS#8, but not a signing key
    assertThatThrownBy(() -> NodeIdentity.fromPem("-----BEGIN PRIVATE KEY-----\n"
        + "MC4CAQAwBQYDK2VuBCIEINTuctv5E1hK1bbY8fdp+K06/nwoy/HU++CXqI9EdVhC\n-----END PRIVATE KEY-----\n"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aDecodedPublicKey_verifiesAsTheStaticCheckDoes_andNamesItsNode() {
    NodeIdentity a = NodeIdentity.generate();
    NodeIdentity.PublicKey key = NodeIdentity.PublicKey.of(a.publicKey());
    assertThat(key.id()).isEqualTo(a.id());
    byte[] sig = a.sign(MESSAGE);
    assertThat(key.verify(MESSAGE, sig)).isTrue();
    byte[] tampered = sig.clone();
    tampered[5] ^= 1;
    assertThat(key.verify(MESSAGE, tampered)).isFalse();
    assertThat(key.verify(MESSAGE, new byte[10])).isFalse();
    assertThatThrownBy(() -> NodeIdentity.PublicKey.of(new byte[31])).isInstanceOf(IllegalArgumentException.class);
  }
}
