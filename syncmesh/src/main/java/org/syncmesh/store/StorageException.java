package org.syncmesh.store;

import java.io.Serial;

/**
 * A node's data directory cannot be used, or a write cannot be saved: in use by another process,
 * written by a newer syncmesh, another node's, corrupt, or the disk refuses writes (full,
 * read-only). The message names the directory or file and what to do.
 */
public class StorageException extends RuntimeException {
  @Serial
  private static final long serialVersionUID = 1L;

  public StorageException(String message) {
    super(message);
  }

  public StorageException(String message, Throwable cause) {
    super(message, cause);
  }
}
