package org.syncmesh.mesh;

/**
 * What one node's broadcasts cost since it started, in frames (docs/extension-v2.md,
 * docs/extension-v3.md, docs/metrics.md):
 * the flood over links without broadcast trees (js2p, py2p, syncmesh peers of extension version 1)
 * and the tree's traffic over the others. Every count is of frames this node sent or received;
 * {@link #transmissions()} adds up what it sent for broadcasts. A snapshot: counters only grow.
 *
 * <p>Immutable and thread-safe.
 *
 * @param floodSends broadcasts sent on links without trees (flooded, as protocol 0.7 does)
 * @param eagerPushes broadcasts pushed on eager tree links
 * @param announcementFrames announcement frames sent on lazy tree links
 * @param announcedIds message ids those frames carried
 * @param graftsSent grafts sent (asking an announcer for broadcasts this node missed)
 * @param graftsReceived grafts received
 * @param graftAnswers broadcasts resent from the cache in answer to grafts
 * @param prunesSent prunes sent (a copy arrived on an eager link)
 * @param prunesReceived prunes received
 * @param refused tree messages or ids refused: malformed, from a link without trees (or an orphan
 *     notice from a link below version 3), a graft for something not in the cache or asked twice, an
 *     announcement beyond the bound of missing ids
 * @param orphanNoticesSent orphan notices sent (docs/extension-v3.md: this node's path to some
 *     origins broke, told to its neighbours)
 * @param orphanNoticesReceived orphan notices received
 */
public record BroadcastStats(long floodSends, long eagerPushes, long announcementFrames, long announcedIds,
    long graftsSent, long graftsReceived, long graftAnswers, long prunesSent, long prunesReceived, long refused,
    long orphanNoticesSent, long orphanNoticesReceived) {

  /**
   * Every frame this node sent because of broadcasts: flood, pushes, announcements, grafts, answers,
   * prunes, orphan notices.
   */
  public long transmissions() {
    return floodSends + eagerPushes + announcementFrames + graftsSent + graftAnswers + prunesSent + orphanNoticesSent;
  }
}
