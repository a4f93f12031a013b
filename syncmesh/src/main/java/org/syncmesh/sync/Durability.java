package org.syncmesh.sync;

/**
 * What a write that has returned survives on a node with a data directory
 * ({@link SyncSocket.Builder#dataDirectory}).
 */
public enum Durability {
  /**
   * The process being killed at any moment ({@code kill -9}, a crash): the write is in the
   * operating system's hands before {@code set} returns. The default.
   */
  PROCESS_CRASH,
  /**
   * Power loss too: the write is on stable storage (synced) before {@code set} returns. Writers
   * waiting together share one sync (group commit).
   */
  SYNC
}
