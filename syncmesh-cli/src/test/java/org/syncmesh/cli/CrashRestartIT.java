package org.syncmesh.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.syncmesh.testing.Json;
import org.syncmesh.testing.LineNode;
import org.syncmesh.testing.NetworkTestRule;
import org.syncmesh.testing.Seeded;

/**
 * kill -9 of a durable {@code syncmesh node --data DIR --json} (leasing on, durability
 * PROCESS_CRASH) while the test pipelines {@code set} commands into it: 20 times, at a moment drawn
 * from a seeded Random, the child gets SIGKILL with writes in flight and is started again on the
 * same directory. After each restart every key whose {@code set} the child had acknowledged holds
 * its value (or a later, unacknowledged one of the same key), the node id is the same, and a sample
 * of acknowledged keys whose {@code meta} the test read before the kill has the same version.
 * {@code -Dsyncmesh.seed=N} replays a run.
 */
final class CrashRestartIT {

  private static final int KILLS = 20;

  @RegisterExtension final NetworkTestRule net = new NetworkTestRule();

  /** A command sent and not yet answered: a set of {@code key} to {@code value}, or a meta read of {@code key}. */
  private record Pending(boolean meta, String key, long value) {}

  @Test
  void killedWithWritesInFlight_restartsWithEveryAcknowledgedWrite(@TempDir Path dir) throws Exception {
    long seed = Seeded.seed();
    Random random = new Random(seed);
    String data = dir.resolve("node").toString();
    Map<String, Long> acked = new HashMap<>(); // key -> last acknowledged value
    Map<String, Set<Long>> unacked = new HashMap<>(); // key -> values sent after its last ack, never acknowledged
    Map<String, Object> versions = new LinkedHashMap<>(); // sampled key -> version read before a kill
    Set<String> sampled = new HashSet<>(); // keys never overwritten once their meta is asked for
    long nextValue = 1;
    String id = null;
    int written = 0;
    try {
      LineNode node = net.track(LineNode.java("--data", data));
      id = node.id();
      for (int kill = 0; kill < KILLS; kill++) {
        int inFlight = 1 + random.nextInt(16);
        int repliesBeforeKill = random.nextInt(400);
        ArrayDeque<Pending> pending = new ArrayDeque<>();
        int replies = 0;
        List<String> keysThisRound = new ArrayList<>();
        while (true) {
          while (pending.size() < inFlight) {
            Pending p;
            if (!keysThisRound.isEmpty() && random.nextInt(10) == 0) {
              String key = keysThisRound.get(random.nextInt(keysThisRound.size()));
              sampled.add(key);
              p = new Pending(true, key, 0);
              node.send("meta " + key);
            } else {
              String key;
              List<String> overwritable = keysThisRound.stream().filter(k -> !sampled.contains(k)).toList();
              if (!overwritable.isEmpty() && random.nextInt(5) == 0) {
                key = overwritable.get(random.nextInt(overwritable.size()));
              } else {
                key = "k" + kill + "_" + written++;
                keysThisRound.add(key);
              }
              p = new Pending(false, key, nextValue++);
              unacked.computeIfAbsent(key, k -> new HashSet<>()).add(p.value());
              node.send("set " + key + " " + p.value());
            }
            pending.add(p);
          }
          if (replies == repliesBeforeKill) {
            break;
          }
          Pending p = pending.remove();
          Map<?, ?> reply = (Map<?, ?>) Json.parseWithJavaNulls(node.readLine());
          replies++;
          assertThat(reply.get("ok")).as("reply to %s (seed %d): %s", p, seed, reply).isEqualTo(true);
          if (p.meta()) {
            versions.put(p.key(), ((Map<?, ?>) reply.get("result")).get("version"));
          } else {
            acked.put(p.key(), p.value());
            unacked.get(p.key()).removeIf(v -> v <= p.value());
          }
        }
        // SIGKILL with `inFlight` commands sent and unanswered.
        assertThat(node.process().destroyForcibly().waitFor(10, TimeUnit.SECONDS)).isTrue();

        node = net.track(LineNode.java("--data", data));
        assertThat(node.id()).as("node id after kill %d (seed %d)", kill, seed).isEqualTo(id);
        check(node, acked, unacked, versions, seed, kill);
        // Values sent but never acknowledged are settled by the check: what the node holds now is the last word.
        Map<?, ?> items = (Map<?, ?>) node.call("items");
        for (Map.Entry<String, Set<Long>> e : unacked.entrySet()) {
          Object held = items.get(e.getKey());
          if (held instanceof Long v && e.getValue().contains(v)) {
            acked.put(e.getKey(), v);
          }
          e.getValue().clear();
        }
      }
    } catch (AssertionError | RuntimeException e) {
      throw new AssertionError("failed with seed " + seed + " (replay with -D" + Seeded.SEED_PROPERTY + "=" + seed
          + "), " + acked.size() + " keys acknowledged: " + e.getMessage(), e);
    }
    assertThat(acked).hasSizeGreaterThan(KILLS);
  }

  private static void check(LineNode node, Map<String, Long> acked, Map<String, Set<Long>> unacked,
      Map<String, Object> versions, long seed, int kill) {
    Map<?, ?> items = (Map<?, ?>) node.call("items");
    for (Map.Entry<String, Long> e : acked.entrySet()) {
      Object held = items.get(e.getKey());
      Set<Long> later = unacked.getOrDefault(e.getKey(), Set.of());
      assertThat(held).as("acknowledged key %s after kill %d (seed %d)", e.getKey(), kill, seed)
          .isNotNull()
          .satisfiesAnyOf(v -> assertThat(v).isEqualTo(e.getValue()), v -> assertThat(later).contains((Long) v));
    }
    // Pipelined meta reads of the sample, then their replies in order.
    List<String> sample = new ArrayList<>(versions.keySet());
    for (String key : sample) {
      node.send("meta " + key);
    }
    for (String key : sample) {
      Map<?, ?> meta = (Map<?, ?>) Json.parseWithJavaNulls(node.readLine());
      assertThat(meta.get("ok")).isEqualTo(true);
      assertThat(((Map<?, ?>) meta.get("result")).get("version"))
          .as("version of %s after kill %d (seed %d)", key, kill, seed).isEqualTo(versions.get(key));
    }
    assertThat(node.call("status")).isEqualTo("Nominal");
  }
}
