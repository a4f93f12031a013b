package org.syncmesh.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.syncmesh.Bytes;
import org.syncmesh.mesh.BroadcastStats;
import org.syncmesh.mesh.Dialect;
import org.syncmesh.testing.LineNode;
import org.syncmesh.testing.NetworkTestRule;
import org.syncmesh.testing.ScriptedPeer;
import org.syncmesh.testing.ScriptedPeer.Frame;
import org.syncmesh.testing.ScriptedPeer.Style;
import org.syncmesh.wire.ExtensionOffer;
import org.syncmesh.wire.Flags;

/**
 * The flood fallback in a mixed network (docs/extension-v2.md §4): three syncmesh nodes of this
 * build (A, B, C, tree links between them), one with broadcast trees off (D, a version-1 node to
 * everyone) and a scripted js2p peer J behind D. Everyone writes at once; every syncmesh node ends
 * with every write, J receives every syncmesh write's 0.7 form exactly once and its own write
 * reaches everyone, and only the links to D and J flood; and the same with the real js2p.
 */
final class BroadcastTreeFallbackTest {

  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final int WRITES_EACH = 30;
  /** The version of a link between two nodes of this build with trees on. */
  private static final int TREES = ExtensionOffer.THIS_BUILD.max();

  @RegisterExtension final NetworkTestRule net = new NetworkTestRule();

  private SyncSocket node(boolean trees) {
    return net.track(new SyncSocket.Builder().leasing(false).maxOutgoing(0).broadcastTrees(trees).build());
  }

  private static void link(SyncSocket dialler, SyncSocket target, int expectedVersion) {
    assertThat(dialler.connect("127.0.0.1", target.port()).orTimeout(10, TimeUnit.SECONDS).join().extensionVersion())
        .isEqualTo(expectedVersion);
    await("both ends registered").atMost(WAIT).until(() -> target.routingTable().containsKey(dialler.id()));
  }

  @Test
  void version1AndJs2pPeersGetTheFlood_andEveryoneGetsEverything() {
    SyncSocket a = node(true);
    SyncSocket b = node(true);
    SyncSocket c = node(true);
    SyncSocket d = node(false);
    link(b, a, TREES);
    link(c, b, TREES);
    link(c, a, TREES);
    link(d, c, 1);
    link(a, d, 1);
    ScriptedPeer j = net.track(ScriptedPeer.connect(d.port(), Style.JS2P));
    j.sendHandshake(d.protocol().id());
    j.readMatching(f -> f.subFlag() == Flags.SUB_PEERS);
    await("d to register j").atMost(WAIT).until(() -> d.routingTable().containsKey(j.id()));
    assertThat(d.routingTable().get(j.id()).dialect()).isEqualTo(Dialect.JS2P);

    List<SyncSocket> all = List.of(a, b, c, d);
    List<CompletableFuture<Void>> writes = new ArrayList<>();
    List<String> keys = new ArrayList<>();
    for (int i = 0; i < WRITES_EACH; i++) {
      for (SyncSocket n : all) {
        String key = "k" + all.indexOf(n) + "-" + i;
        keys.add(key);
        writes.add(n.setAsync(key, "v" + i));
      }
    }
    j.send(Flags.MAIN_BROADCAST, (long) Flags.SUB_STORE, "fromJ", "j's value");
    CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)).orTimeout(20, TimeUnit.SECONDS).join();

    for (SyncSocket n : all) {
      await(n + " to hold every write").atMost(WAIT)
          .until(() -> keys.stream().allMatch(n::containsKey) && "j's value".equals(n.get("fromJ", null)));
    }
    Cluster.awaitIdentical(all, WAIT, "mixed network");

    a.set("last", "marker");
    Map<String, Integer> atJ = new HashMap<>();
    while (!atJ.containsKey("last")) {
      Frame f = j.readMatching(x -> x.flag() == Flags.MAIN_BROADCAST);
      assertThat(f.subFlag()).as("js2p gets 0.7 stores only, never the extension's").isEqualTo(Flags.SUB_STORE);
      Object key = f.packets().get(1);
      atJ.merge(key instanceof Bytes bytes ? bytes.utf8() : (String) key, 1, Integer::sum);
    }
    assertThat(atJ.keySet()).containsAll(keys);
    assertThat(atJ.entrySet()).as("0.7 forms J received more than once").allMatch(e -> e.getValue() == 1);

    BroadcastStats ds = d.mesh().broadcastStats();
    assertThat(ds.eagerPushes() + ds.announcementFrames() + ds.graftsSent() + ds.prunesSent())
        .as("a node with trees off sends no tree traffic").isZero();
    assertThat(ds.floodSends()).isPositive();
    BroadcastStats as = a.mesh().broadcastStats();
    assertThat(as.eagerPushes()).as("a's tree links").isPositive();
    assertThat(as.floodSends()).as("a's link to d floods").isPositive();

    io.micrometer.core.instrument.MeterRegistry registry = new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
    new SyncMetrics(a).bindTo(registry);
    assertMeterFollows(registry, "eager", () -> a.mesh().broadcastStats().eagerPushes());
    assertMeterFollows(registry, "flood", () -> a.mesh().broadcastStats().floodSends());
    assertMeterFollows(registry, "announcement", () -> a.mesh().broadcastStats().announcementFrames());
  }

  /**
   * The same mix with the real js2p 0.7.870 (interop/js2p, installed by the README's test command)
   * dialled by a tree node and by the version-1 node: every write reaches every node, js2p's too.
   */
  @Test
  void aRealJs2pNodeInTheMix_getsEveryWrite_andItsWriteReachesEveryone() {
    SyncSocket a = node(true);
    SyncSocket b = node(true);
    SyncSocket c = node(true);
    SyncSocket d = node(false);
    link(b, a, TREES);
    link(c, b, TREES);
    link(d, c, 1);
    LineNode j = net.track(LineNode.js2p("--no-leasing"));
    Js2pLinks.link(a, j);
    Js2pLinks.link(d, j);

    List<SyncSocket> all = List.of(a, b, c, d);
    List<CompletableFuture<Void>> writes = new ArrayList<>();
    List<String> keys = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      for (SyncSocket n : all) {
        String key = "r" + all.indexOf(n) + "x" + i;
        keys.add(key);
        writes.add(n.setAsync(key, "v" + i));
      }
    }
    j.call("set fromjs 7");
    CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)).orTimeout(20, TimeUnit.SECONDS).join();
    for (SyncSocket n : all) {
      Js2pLinks.awaitJava(n, "fromjs", 7L);
      await(n + " to hold every write").atMost(WAIT).until(() -> keys.stream().allMatch(n::containsKey));
    }
    for (String key : keys) {
      Js2pLinks.awaitJs(j, key, "v" + key.substring(key.indexOf('x') + 1));
    }
    assertThat(a.routingTable().get(j.id()).extensionVersion()).isZero();
    assertThat(a.mesh().broadcastStats().floodSends()).as("a floods to js2p").isPositive();
    assertThat(a.mesh().broadcastStats().eagerPushes()).as("and pushes on its tree link").isPositive();
  }

  /** The meter reads the counter: between its values just before and just after (announcements may still flush). */
  private static void assertMeterFollows(io.micrometer.core.instrument.MeterRegistry registry, String kind,
      java.util.function.LongSupplier counter) {
    long before = counter.getAsLong();
    double counted = registry.get("syncmesh.broadcast.frames").tag("kind", kind).functionCounter().count();
    long after = counter.getAsLong();
    assertThat(counted).as("syncmesh.broadcast.frames{kind=%s}", kind).isBetween((double) before, (double) after);
  }
}
