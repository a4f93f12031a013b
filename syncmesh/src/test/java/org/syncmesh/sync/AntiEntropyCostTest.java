package org.syncmesh.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.syncmesh.testing.FaultProxy;
import org.syncmesh.testing.FaultProxy.Direction;
import org.syncmesh.testing.NetworkTestRule;

/**
 * What one anti-entropy round costs on the wire (docs/extension-v1.md §5): two nodes holding
 * the same {@value #KEYS} keys of about 100 bytes, linked through a {@link FaultProxy} that counts
 * the bytes, are partitioned, one key changes on one side (or none), the link comes back, and the
 * bytes forwarded both ways between the new dial and identical states are the round's cost,
 * handshake included. A round started by the timer on a standing link (the default interval, 2 s)
 * is measured alone: the bytes between the end of one round and the end of the next, with
 * nothing else written meanwhile.
 */
final class AntiEntropyCostTest {

  static final int KEYS = 100_000;
  private static final Duration WAIT = Duration.ofSeconds(30);

  @RegisterExtension final NetworkTestRule net = new NetworkTestRule();

  private SyncSocket node() {
    return net.track(new SyncSocket.Builder().maxOutgoing(0).build());
  }

  private static String key(int i) {
    return String.format("key%07d", i);
  }

  /** About 100 ASCII bytes, different per key and per {@code generation}. */
  private static String value(int i, int generation) {
    StringBuilder s = new StringBuilder(100);
    long x = i * 0x9e3779b97f4a7c15L + generation;
    while (s.length() < 100) {
      x = DigestTree.mix(x);
      s.append(Long.toString(x & Long.MAX_VALUE, 36));
    }
    return s.substring(0, 100);
  }

  /** Bytes through the proxy both ways so far. */
  private static long bytes(FaultProxy proxy) {
    return proxy.bytesForwarded(Direction.TO_TARGET) + proxy.bytesForwarded(Direction.TO_CLIENT);
  }

  private static void dial(SyncSocket dialler, SyncSocket target, FaultProxy proxy) {
    dialler.connect("127.0.0.1", proxy.port()).orTimeout(10, TimeUnit.SECONDS).join();
    await("the link").atMost(WAIT).until(() ->
        target.routingTable().containsKey(dialler.id()) && dialler.routingTable().containsKey(target.id()));
  }

  /** Cuts the link; both sides drop each other. */
  private static void partition(SyncSocket a, SyncSocket b, FaultProxy proxy) {
    proxy.partition();
    await("the partition").atMost(WAIT).until(() ->
        !a.routingTable().containsKey(b.id()) && !b.routingTable().containsKey(a.id()));
  }

  /**
   * Heals, dials again and returns the bytes exchanged until both states are identical and both
   * sides have finished the link-up round (its last message, done, is counted too).
   */
  private static long roundBytes(SyncSocket a, SyncSocket b, FaultProxy proxy) {
    return roundBytes(a, b, proxy, true);
  }

  /**
   * As {@link #roundBytes(SyncSocket, SyncSocket, FaultProxy)}; after a send-all round only the
   * side that received everything records the round ({@code bothFinish} false).
   */
  private static long roundBytes(SyncSocket a, SyncSocket b, FaultProxy proxy, boolean bothFinish) {
    proxy.heal();
    long before = bytes(proxy);
    dial(b, a, proxy);
    await("identical states").atMost(WAIT).pollInterval(Duration.ofMillis(50))
        .until(() -> a.snapshot().equals(b.snapshot()));
    await("the round to end").atMost(WAIT).until(() -> {
      boolean atA = a.peerSync().get(b.id()).lastRound() != null;
      boolean atB = b.peerSync().get(a.id()).lastRound() != null;
      return bothFinish ? atA && atB : atA || atB;
    });
    return bytes(proxy) - before;
  }

  /** When each side last finished a round with the other; null if never. */
  private static java.time.Instant[] lastRounds(SyncSocket a, SyncSocket b) {
    return new java.time.Instant[] {a.peerSync().get(b.id()).lastRound(), b.peerSync().get(a.id()).lastRound()};
  }

  /** Waits until both sides have finished a round after {@code since}. */
  private static void awaitRoundAfter(SyncSocket a, SyncSocket b, java.time.Instant[] since) {
    await("a timer round on both sides").atMost(WAIT).pollInterval(Duration.ofMillis(20)).until(() -> {
      java.time.Instant[] now = lastRounds(a, b);
      for (int i = 0; i < 2; i++) {
        if (now[i] == null || (since[i] != null && !now[i].isAfter(since[i]))) {
          return false;
        }
      }
      return true;
    });
  }

  @Test
  void oneRoundOver100kKeys_costsAFewKbForOneDifferenceAndUnder1KbForNone() {
    SyncSocket a = node();
    SyncSocket b = node();
    long buildStart = System.nanoTime();
    for (int from = 0; from < KEYS; from += 10_000) {
      Map<String, String> batch = new LinkedHashMap<>();
      for (int i = from; i < from + 10_000; i++) {
        batch.put(key(i), value(i, 0));
      }
      a.update(batch);
    }
    FaultProxy proxy = net.track(new FaultProxy(a.port()));
    long initial = roundBytes(a, b, proxy, false); // b holds nothing: the whole dictionary goes
    long buildMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - buildStart);
    assertThat(b.size()).isEqualTo(KEYS);

    // A timer round on the standing link, alone: from the end of one round to the end of the next.
    awaitRoundAfter(a, b, new java.time.Instant[2]);
    java.time.Instant[] ended = lastRounds(a, b);
    long idleBefore = bytes(proxy);
    awaitRoundAfter(a, b, ended);
    long timerRound = bytes(proxy) - idleBefore;
    assertThat(a.peerSync().get(b.id()).inSync()).isTrue();

    partition(a, b, proxy);
    long none = roundBytes(a, b, proxy);
    assertThat(a.peerSync().get(b.id()).inSync()).isTrue();

    partition(a, b, proxy);
    a.set(key(4242), value(4242, 1)); // newer on a's side, while b cannot hear it
    assertThat(b.get(key(4242), null)).isEqualTo(value(4242, 0));
    long one = roundBytes(a, b, proxy);
    assertThat(b.get(key(4242), null)).isEqualTo(value(4242, 1));
    assertThat(b.meta(key(4242))).isEqualTo(a.meta(key(4242)));

    System.out.printf("anti-entropy cost, n=%,d: build + initial sync %,d ms (%,d B); timer round with d=0: %,d B;"
        + " link-up with d=0: %,d B; link-up with d=1: %,d B (so the handshake is about %,d B and the d=1 round"
        + " about %,d B)%n", KEYS, buildMillis, initial, timerRound, none, one, none - timerRound,
        one - (none - timerRound));
    assertThat(timerRound).as("bytes of a round with nothing different").isLessThan(1024);
    assertThat(none).as("bytes of a link-up (handshake and round) with nothing different").isLessThan(2 * 1024);
    assertThat(one).as("bytes of a link-up (handshake and round) with one key different").isLessThan(8 * 1024);
    assertThat(a.status()).isEqualTo("Nominal");
    assertThat(b.status()).isEqualTo("Nominal");
  }
}
