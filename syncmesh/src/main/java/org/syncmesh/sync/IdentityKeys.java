package org.syncmesh.sync;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import org.jspecify.annotations.Nullable;
import org.syncmesh.NodeIdentity;
import org.syncmesh.net.CertificateNames;
import org.syncmesh.store.DataDirectory;
import org.syncmesh.store.StorageException;

/**
 * Identity key files of secure nodes (docs/security.md): PEM PKCS#8 Ed25519 keys, as
 * {@code openssl genpkey -algorithm ed25519} writes them, kept owner-only. A secure sync socket
 * with a data directory keeps its key in {@code <data>/identity.key}; {@code syncmesh certs} reads
 * and makes them too. Stateless; thread-safe.
 */
public final class IdentityKeys {

  private IdentityKeys() {}

  /**
   * The identity in {@code file}.
   *
   * @throws StorageException if the file cannot be read or holds no Ed25519 private key
   */
  public static NodeIdentity read(Path file) {
    String pem;
    try {
      pem = Files.readString(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new StorageException("no identity key " + file.toAbsolutePath() + ": no such file", e);
    } catch (IOException e) {
      throw new StorageException("cannot read the identity key " + file.toAbsolutePath() + ": " + e, e);
    }
    try {
      return NodeIdentity.fromPem(pem);
    } catch (IllegalArgumentException e) {
      throw new StorageException("the identity key " + file.toAbsolutePath() + " is unusable: " + e.getMessage(), e);
    }
  }

  /**
   * The identity in {@code file}, or a new one written there (owner-only, synced, replaced
   * atomically so a crash never leaves half a key) if there is none.
   *
   * @throws StorageException if the file cannot be read or written, or holds no Ed25519 key
   */
  public static NodeIdentity readOrCreate(Path file) {
    return Files.exists(file) ? read(file) : write(file, NodeIdentity.generate());
  }

  /** Writes {@code identity} to {@code file}: owner-only, synced, moved into place atomically. */
  private static NodeIdentity write(Path file, NodeIdentity identity) {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    try {
      CertificateNames.writeSecret(tmp, identity.toPem());
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
        ch.force(true);
      }
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new StorageException("cannot write the identity key " + file.toAbsolutePath() + ": " + e, e);
    }
    return identity;
  }

  /**
   * The identity of the secure node kept in data directory {@code dir}, made there (with the
   * directory) if it has none yet: so a node's certificate can be issued before it first starts.
   *
   * @throws StorageException if the directory belongs to a node of an open network, is in use
   *     and has no key yet, or its key is unusable
   */
  public static NodeIdentity ofDataDirectory(Path dir) {
    NodeIdentity[] found = new NodeIdentity[1];
    DataDirectory.identityKey(dir, file -> {
      found[0] = readOrCreate(file);
      return found[0].id();
    });
    return found[0];
  }

  /**
   * What a secure sync socket gives {@link DataDirectory#open}: reads the directory's key, or
   * writes {@code configured} (the builder's identity), or a new one, in a new directory; and
   * refuses a key that is not {@code configured}, if given.
   */
  static java.util.function.Function<Path, String> forDataDirectory(@Nullable NodeIdentity configured) {
    return file -> {
      NodeIdentity identity = Files.exists(file) ? read(file)
          : write(file, configured != null ? configured : NodeIdentity.generate());
      if (configured != null && !configured.equals(identity)) {
        throw new StorageException("the data directory " + file.getParent() + " belongs to node " + identity.id()
            + " (its " + DataDirectory.IDENTITY_KEY + "), not to " + configured.id()
            + ", the identity this node was given: give this node its own directory, or no identity");
      }
      return identity.id();
    };
  }
}
