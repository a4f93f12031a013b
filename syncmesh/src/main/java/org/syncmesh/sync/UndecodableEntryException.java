package org.syncmesh.sync;

import org.syncmesh.Bytes;

/**
 * A {@link SyncMap}'s codec cannot decode an entry the socket holds, say one another program
 * wrote: thrown by {@link SyncMap#get} and by the writes that need the current value, and given to
 * {@link SyncMap#onDecodeError} listeners when iteration or an event skips the entry. Nothing is
 * changed when it is thrown. Unchecked; immutable.
 */
public final class UndecodableEntryException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final transient Bytes key;
  private final String codec;
  private final boolean inKey;

  UndecodableEntryException(Bytes key, String codec, boolean inKey, RuntimeException cause) {
    super("cannot decode the " + (inKey ? "key " : "value of key ") + Keys.render(key) + " with codec " + codec
        + ": " + cause.getMessage(), cause);
    this.key = key;
    this.codec = codec;
    this.inKey = inKey;
  }

  /** The key of the entry, as the socket holds it. */
  public Bytes key() {
    return key;
  }

  /** The name of the codec that refused it ({@link Codec#name()}). */
  public String codec() {
    return codec;
  }

  /** True if the key codec refused the key, false if the value codec refused the value. */
  public boolean inKey() {
    return inKey;
  }
}
