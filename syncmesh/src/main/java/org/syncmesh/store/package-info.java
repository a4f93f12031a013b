/**
 * Internal, not API. Where a durable node keeps its entries: the data directory (its lock, its
 * format and identity, the mark of a run that did not close) and the embedded key-value store
 * behind one small interface ({@link org.syncmesh.store.KeyValueStore}), RocksDB today.
 *
 * <p>This package knows bytes and files, never entries, peers or messages: the sync layer
 * encodes what it stores. Only {@link org.syncmesh.store.StorageException} reaches users.
 */
@NullMarked
package org.syncmesh.store;

import org.jspecify.annotations.NullMarked;
