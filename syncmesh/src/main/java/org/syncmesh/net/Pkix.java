package org.syncmesh.net;

/**
 * Whether BouncyCastle's PKIX jar (org.bouncycastle:bcpkix-jdk18on), an optional dependency of the library, is on the
 * class path: it makes certificates (the SSL transport's self-signed one, {@code NodeCertificates}). Nothing else
 * needs it: signatures and PEM keys use the provider jar, and a secure network's nodes load their certificates with
 * the JDK. Classes that use it directly are reached only after {@link #require}, so a missing jar gives this
 * message instead of a {@link NoClassDefFoundError}.
 *
 * <p>Stateless and thread-safe; looked up once.
 */
public final class Pkix {
  /** The Maven coordinates to add. */
  public static final String ARTIFACT = "org.bouncycastle:bcpkix-jdk18on";

  private static final boolean AVAILABLE = present("org.bouncycastle.cert.X509v3CertificateBuilder");

  private Pkix() {}

  /** Whether the PKIX jar is on the class path. */
  public static boolean available() {
    return AVAILABLE;
  }

  /**
   * Returns normally if the PKIX jar is there.
   *
   * @throws IllegalStateException naming {@code what} and the jar to add otherwise
   */
  public static void require(String what) {
    if (!AVAILABLE) {
      throw new IllegalStateException(what + " needs BouncyCastle's PKIX jar (" + ARTIFACT
          + ", an optional dependency of syncmesh) on the class path");
    }
  }

  private static boolean present(String name) {
    try {
      Class.forName(name, false, Pkix.class.getClassLoader());
      return true;
    } catch (ClassNotFoundException | LinkageError e) {
      return false;
    }
  }
}
