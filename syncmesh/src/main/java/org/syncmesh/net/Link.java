package org.syncmesh.net;

import java.net.InetSocketAddress;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.syncmesh.Compression;

/**
 * One TCP (or TLS) connection to a peer, as the mesh layer sees it: frames go out, messages come
 * in through the {@link LinkListener} it was created with.
 *
 * <p>Thread-safe: every method may be called from any thread. Sends are queued on the link's
 * event loop and flushed once per batch, so a burst of sends costs one system call, not one each.
 */
public interface Link {

  /** True when this node opened the connection, false when it accepted it. */
  boolean outgoing();

  /** The remote end of the TCP connection (not the address the peer advertises). */
  InetSocketAddress remoteAddress();

  /**
   * The certificate the peer presented in the TLS handshake, once it completed: on a secure
   * network's links always (the handshake requires one both ways); empty on plaintext links and
   * on 0.7 SSL links whose peer sent none.
   */
  default java.util.Optional<java.security.cert.X509Certificate> peerCertificate() {
    return java.util.Optional.empty();
  }

  /**
   * The node id the peer's certificate names ({@link CertificateNames#nodeId}), if it presented
   * a certificate that names one: who the peer is on a secure network, whatever it claims.
   */
  default java.util.Optional<String> peerCertificateId() {
    return peerCertificate().flatMap(CertificateNames::nodeId);
  }

  /** Queues one frame for this peer. Dropped silently when the link is already closed. */
  void send(OutboundFrame frame);

  /**
   * Sets the method frames to this peer are compressed with ({@code null}: none), the smallest
   * payload worth compressing (smaller ones go out raw, which every receiver accepts, §11), and
   * the methods tried, in order, on frames from it. Takes effect for frames sent or decoded after
   * the call.
   */
  void setCompression(@Nullable Compression send, int minCompressBytes, List<Compression> decodeOrder);

  /** Closes the connection, logging {@code reason} once; idempotent. */
  void close(String reason);

  /** True until the connection is closed. */
  boolean isOpen();

  /** Bytes received from this peer since the link opened, frame headers included; any thread. */
  default long bytesIn() {
    return 0;
  }

  /** Frames received from this peer since the link opened; any thread. */
  default long framesIn() {
    return 0;
  }

  /** Bytes queued for this peer since the link opened (as framed, compressed or not, headers included); any thread. */
  default long bytesOut() {
    return 0;
  }

  /** Frames queued for this peer since the link opened; any thread. */
  default long framesOut() {
    return 0;
  }

  /** Bytes queued for this peer that the socket has not yet accepted. */
  long pendingOutboundBytes();

  /**
   * True while the link's queue is under its high-water mark (or has drained below the low one
   * since it was over). A sender of bulk data pauses when this turns false and resumes in
   * {@link #whenWritable}.
   */
  boolean isWritable();

  /**
   * Runs {@code task} on the link's event loop once what is queued now has been flushed and the
   * link is writable (its queue below the low-water mark): soon if it already is, else when the
   * peer has read enough. Never runs if the link closes first. A sender that produces much more
   * than a peer reads at once (an initial sync) sends a chunk, then continues here.
   */
  void whenWritable(Runnable task);

  /**
   * Stops ({@code false}) or resumes ({@code true}) reading from the peer. While paused, the
   * peer's data waits in its socket and TCP slows the peer down: the node reads less from a peer
   * while it is behind instead of queueing what it sent.
   */
  void setReading(boolean reading);
}
