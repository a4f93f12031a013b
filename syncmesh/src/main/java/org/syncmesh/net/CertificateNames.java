package org.syncmesh.net;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * How a certificate names a node (docs/security.md), read with the JDK alone, and owner-only files for secrets.
 *
 * <p>Stateless and thread-safe.
 */
public final class CertificateNames {
  /** The scheme and prefix of the subject alternative name URI that names a node. */
  public static final String NODE_URI_PREFIX = "syncmesh:node:";

  /** GeneralName's tag of a URI (RFC 5280 §4.2.1.6), as {@link X509Certificate#getSubjectAlternativeNames} gives it. */
  static final int URI_NAME = 6;

  private CertificateNames() {}

  /** The node id a certificate names (its {@value #NODE_URI_PREFIX} URI), if it names one. */
  public static Optional<String> nodeId(X509Certificate certificate) {
    try {
      Collection<List<?>> names = certificate.getSubjectAlternativeNames();
      if (names == null) {
        return Optional.empty();
      }
      for (List<?> name : names) {
        if (name.size() >= 2 && Integer.valueOf(URI_NAME).equals(name.get(0))
            && name.get(1) instanceof String uri && uri.startsWith(NODE_URI_PREFIX)
            && uri.length() > NODE_URI_PREFIX.length()) {
          return Optional.of(uri.substring(NODE_URI_PREFIX.length()));
        }
      }
      return Optional.empty();
    } catch (CertificateParsingException e) {
      return Optional.empty();
    }
  }

  /** Writes secret text to a file only its owner may read, where the file system knows permissions. */
  public static void writeSecret(Path file, String text) throws IOException {
    Files.deleteIfExists(file);
    try {
      Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    } catch (UnsupportedOperationException e) {
      Files.createFile(file);
    }
    Files.writeString(file, text);
  }
}
