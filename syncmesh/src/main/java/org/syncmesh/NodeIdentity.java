package org.syncmesh;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.security.SecureRandom;
import java.util.Arrays;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.crypto.params.AsymmetricKeyParameter;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.params.Ed25519PublicKeyParameters;
import org.bouncycastle.crypto.signers.Ed25519Signer;
import org.bouncycastle.crypto.util.PrivateKeyFactory;
import org.bouncycastle.crypto.util.PrivateKeyInfoFactory;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.util.io.pem.PemReader;
import org.bouncycastle.util.io.pem.PemWriter;

/**
 * A node's identity in a secure network (docs/security.md): an Ed25519 key pair whose public key
 * names the node, so that no other member can claim its id. The id is
 * {@code org.syncmesh.wire.NodeId.fromPublicKey}: base58 of the SHA-384 of the 32-byte public key, the same form as
 * a 0.7 id. Certificates bind a TLS key to this id and rotate freely; a new identity key is a new
 * node.
 *
 * <p>Immutable and thread-safe ({@link #sign} makes a signer per call).
 */
public final class NodeIdentity {

  /** Bytes of an Ed25519 public key. */
  public static final int PUBLIC_KEY_BYTES = Ed25519PublicKeyParameters.KEY_SIZE;
  /** Bytes of an Ed25519 signature. */
  public static final int SIGNATURE_BYTES = Ed25519PrivateKeyParameters.SIGNATURE_SIZE;

  private final Ed25519PrivateKeyParameters privateKey;
  private final byte[] publicKey;
  private final String id;

  private NodeIdentity(Ed25519PrivateKeyParameters privateKey) {
    this.privateKey = privateKey;
    this.publicKey = privateKey.generatePublicKey().getEncoded();
    this.id = idOf(publicKey);
  }

  /** A new random identity. */
  public static NodeIdentity generate() {
    return new NodeIdentity(new Ed25519PrivateKeyParameters(new SecureRandom()));
  }

  /**
   * The identity in a PEM "PRIVATE KEY" (PKCS#8), as {@link #toPem} and {@code openssl genpkey
   * -algorithm ed25519} write it.
   *
   * @throws IllegalArgumentException if the text holds no Ed25519 private key
   */
  public static NodeIdentity fromPem(String pem) {
    Checks.notNull(pem, "pem");
    // bcprov's PEM reader, not bcpkix's PEMParser: the signature path needs the provider jar only
    try (PemReader reader = new PemReader(new StringReader(pem))) {
      PemObject o = reader.readPemObject();
      if (o == null || !o.getType().equals("PRIVATE KEY")) {
        throw new IllegalArgumentException("not a PEM PRIVATE KEY (PKCS#8): " + (o == null ? "nothing" : o.getType()));
      }
      PrivateKeyInfo info;
      try {
        info = PrivateKeyInfo.getInstance(o.getContent());
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("not a PEM PRIVATE KEY (PKCS#8): " + e.getMessage(), e);
      }
      AsymmetricKeyParameter key = PrivateKeyFactory.createKey(info);
      if (!(key instanceof Ed25519PrivateKeyParameters ed)) {
        throw new IllegalArgumentException("not an Ed25519 key but " + key.getClass().getSimpleName()
            + ": a node identity is an Ed25519 key (openssl genpkey -algorithm ed25519)");
      }
      return new NodeIdentity(ed);
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read the identity key: " + e.getMessage(), e);
    }
  }

  /** The private key as PEM "PRIVATE KEY" (PKCS#8): keep it secret. */
  public String toPem() {
    try {
      StringWriter out = new StringWriter();
      try (PemWriter w = new PemWriter(out)) {
        w.writeObject(new PemObject("PRIVATE KEY", PrivateKeyInfoFactory.createPrivateKeyInfo(privateKey).getEncoded()));
      }
      return out.toString();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The node id this identity names. */
  public String id() {
    return id;
  }

  /** The 32-byte public key; a copy. */
  public byte[] publicKey() {
    return publicKey.clone();
  }

  /** The Ed25519 signature (64 bytes) of {@code message}. */
  public byte[] sign(byte[] message) {
    Ed25519Signer signer = new Ed25519Signer();
    signer.init(true, privateKey);
    signer.update(message, 0, message.length);
    return signer.generateSignature();
  }

  /**
   * Whether {@code signature} is {@code publicKey}'s Ed25519 signature of {@code message}; false
   * for malformed keys and signatures too.
   */
  public static boolean verify(byte[] publicKey, byte[] message, byte[] signature) {
    if (publicKey.length != PUBLIC_KEY_BYTES || signature.length != SIGNATURE_BYTES) {
      return false;
    }
    Ed25519Signer verifier = new Ed25519Signer();
    try {
      verifier.init(false, new Ed25519PublicKeyParameters(publicKey, 0));
    } catch (IllegalArgumentException e) {
      return false;
    }
    verifier.update(message, 0, message.length);
    return verifier.verifySignature(signature);
  }

  /**
   * A public key decoded once, with the id it names: for a node that checks many signatures of one
   * writer (decoding a key and hashing it to its id cost about an eighth of a check). Immutable
   * and thread-safe.
   */
  public static final class PublicKey {
    private final Ed25519PublicKeyParameters key;
    private final String id;

    private PublicKey(Ed25519PublicKeyParameters key, String id) {
      this.key = key;
      this.id = id;
    }

    /**
     * The key in {@code bytes}.
     *
     * @throws IllegalArgumentException if they are not a valid 32-byte Ed25519 public key
     */
    public static PublicKey of(byte[] bytes) {
      Checks.argument(bytes.length == PUBLIC_KEY_BYTES, "publicKey", bytes.length + " bytes", PUBLIC_KEY_BYTES + " bytes");
      return new PublicKey(new Ed25519PublicKeyParameters(bytes, 0), idOf(bytes));
    }

    /** The node id this key names. */
    public String id() {
      return id;
    }

    /** Whether {@code signature} is this key's signature of {@code message}; false if malformed. */
    public boolean verify(byte[] message, byte[] signature) {
      if (signature.length != SIGNATURE_BYTES) {
        return false;
      }
      Ed25519Signer verifier = new Ed25519Signer();
      verifier.init(false, key);
      verifier.update(message, 0, message.length);
      return verifier.verifySignature(signature);
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof NodeIdentity other && Arrays.equals(publicKey, other.publicKey);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(publicKey);
  }

  /** The id only: never the key. */
  @Override
  public String toString() {
    return "NodeIdentity{" + id + "}";
  }

  /** base58 of the SHA-384 of the 32-byte public key, read as an unsigned integer (docs/security.md). */
  private static String idOf(byte[] publicKey) {
    return Ids.base58Digest("SHA-384", publicKey);
  }
}
