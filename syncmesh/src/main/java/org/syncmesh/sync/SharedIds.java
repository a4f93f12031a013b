package org.syncmesh.sync;

import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;
import org.syncmesh.Version;

/**
 * One String per writer id and one {@link Version} per recent lease claim, for everything a node
 * decodes and stores. Each decoded write brings a new id of 64–66 characters and a new claim, while
 * a bulk load's 100,000 keys come from a handful of writers and claim within a few seconds: shared
 * while a write is decoded, its entry is stored as it was built, and {@link Version} skips checking
 * an id it has already checked. The store keeps the shared objects, about 24 bytes less per key.
 *
 * <p>Thread-safe: a node's I/O thread decodes, its single writer stores. {@link #NONE} shares
 * nothing (tests, and decoders with no store).
 */
final class SharedIds {

  /** Shares nothing: every id and claim is kept as it came. */
  static final SharedIds NONE = new SharedIds(0);

  /** Enough for any network this library is meant for; past it, new writers' ids are kept as they came. */
  static final int MAX_WRITERS = 10_000;
  private static final int CLAIM_SLOTS = 16;

  private final int maxWriters;
  private final ConcurrentHashMap<String, String> writers = new ConcurrentHashMap<>();
  /**
   * Claims met lately, by a hash of the claim. A claim is a writer's second, so the keys claimed
   * within one second share one; a few slots serve an initial sync, whose keys come in hash order
   * and so from several seconds. Plain array slots: a race only replaces a claim with an equal
   * one, and a Version, being immutable, is safely published through a race.
   */
  private final @Nullable Version[] claims = new Version[CLAIM_SLOTS];

  SharedIds() {
    this(MAX_WRITERS);
  }

  private SharedIds(int maxWriters) {
    this.maxWriters = maxWriters;
  }

  /**
   * The shared String equal to {@code id}; {@code id} itself if it names no version (a decoder then
   * refuses it): a peer cannot fill the table with what no entry would keep.
   */
  String writer(String id) {
    String shared = writers.get(id);
    if (shared != null) {
      return shared;
    }
    int bytes = Version.utf8Length(id);
    if (bytes < 1 || bytes > Version.MAX_WRITER_BYTES || writers.size() >= maxWriters) {
      return id;
    }
    shared = writers.putIfAbsent(id, id);
    return shared == null ? id : shared;
  }

  /** The claim of clock value {@code hlc} by {@code writer}, shared; null for 0, no claim. */
  @Nullable Version claim(long hlc, String writer) {
    return hlc == 0 ? null : share(hlc, writer(writer), null);
  }

  /** {@code claim}, or an equal one already shared. */
  @Nullable Version claim(@Nullable Version claim) {
    return claim == null ? null : share(claim.hlc(), writer(claim.writer()), claim);
  }

  private Version share(long hlc, String sharedWriter, @Nullable Version candidate) {
    int slot = slot(hlc, sharedWriter);
    Version last = claims[slot];
    if (last != null && last.hlc() == hlc && last.writer().equals(sharedWriter)) {
      return last;
    }
    Version kept = candidate != null && candidate.writer() == sharedWriter ? candidate : new Version(hlc, sharedWriter);
    if (maxWriters > 0) {
      claims[slot] = kept;
    }
    return kept;
  }

  private static int slot(long hlc, String writer) {
    long hash = hlc * 0x9E3779B97F4A7C15L + writer.hashCode();
    return (int) (hash >>> 60);
  }
}
