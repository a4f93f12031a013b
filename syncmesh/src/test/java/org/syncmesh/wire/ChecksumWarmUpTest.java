package org.syncmesh.wire;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HexFormat;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * A node warms SHA-256 once it listens ({@link FrameCodec#warmUpChecksums}), so that its first initial sync
 * hashes at compiled speed: once per process, on a thread that ends, leaving every thread's digest as it was.
 */
final class ChecksumWarmUpTest {

  private static final byte[] ABC = "abc".getBytes(StandardCharsets.US_ASCII);
  /** SHA-256("abc"), FIPS 180-2's first example. */
  private static final String ABC_SHA256 = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

  @Test
  void warmingChecksums_startsOneShortLivedThreadPerProcess() {
    // Whether this first call starts the thread depends on whether a test's node started first in this JVM.
    FrameCodec.warmUpChecksums();
    assertThat(FrameCodec.warmUpChecksums()).as("a second call").isFalse();
    Awaitility.await("the warming thread ends").atMost(Duration.ofSeconds(30)).until(() -> Thread.getAllStackTraces()
        .keySet().stream().noneMatch(t -> t.getName().equals("syncmesh-warm-sha256")));
  }

  @Test
  void warmingUp_leavesThisThreadsDigestsReady() {
    Digests.warmUp();

    assertThat(HexFormat.of().formatHex(Digests.sha256(ABC))).isEqualTo(ABC_SHA256);
    assertThat(HexFormat.of().formatHex(Digests.sha256(ByteBuffer.wrap(ABC)))).isEqualTo(ABC_SHA256);
  }
}
