package org.syncmesh.sync;

import static org.syncmesh.sync.Js2pLinks.awaitJava;
import static org.syncmesh.sync.Js2pLinks.awaitJs;
import static org.syncmesh.sync.Js2pLinks.link;
import static org.syncmesh.sync.Js2pLinks.peerIds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.syncmesh.Bytes;
import org.syncmesh.mesh.Dialect;
import org.syncmesh.testing.Json;
import org.syncmesh.testing.LineNode;
import org.syncmesh.testing.NetworkTestRule;

/** The sync socket against the real js2p 0.7.870 sync socket, in child processes, both directions. */
final class SyncInteropTest {

  private static final Duration WAIT = Duration.ofSeconds(15);

  @RegisterExtension final NetworkTestRule net = new NetworkTestRule();

  private SyncSocket javaNode() {
    return net.track(new SyncSocket.Builder().build());
  }

  private LineNode js2p(String... options) {
    return net.track(LineNode.js2p(options));
  }



  /** Waits (at most 2 s) until the wall clock has left the second in which {@code key} was written. */
  private static void nextSecond(SyncSocket java, String key) {
    long written = java.meta(key).orElseThrow().timestamp();
    await("the second after " + written).atMost(Duration.ofSeconds(2)).pollInterval(Duration.ofMillis(20))
        .until(() -> System.currentTimeMillis() / 1000 > written);
  }



  @Test
  void setUpdateAndDelta_flowBothWays() {
    SyncSocket java = javaNode();
    LineNode js = js2p();
    js.call("connect 127.0.0.1 " + java.port()); // js2p dials java
    await("java to register js2p").atMost(WAIT).until(() -> java.routingTable().containsKey(js.id()));

    js.call("set fromjs \"成功\"");
    js.call("set num 42");
    awaitJava(java, "fromjs", "成功");
    awaitJava(java, "num", 42L);
    assertThat(java.meta("fromjs")).get().extracting(MetaTuple::owner).isEqualTo(js.id());

    java.set("fromjava", List.of(1, "two", Map.of("three", 3)));
    java.update(Map.of("u1", "one", "u2", 2));
    awaitJs(js, "fromjava", List.of(1L, "two", Map.of("three", 3L)));
    awaitJs(js, "u1", "one");
    awaitJs(js, "u2", 2L);
    assertThat(js.call("meta u1")).isEqualTo(Map.of("owner", java.id(), "timestamp",
        java.meta("u1").orElseThrow().timestamp()));

    java.applyDelta("jm", Map.of("a", 1));
    awaitJs(js, "jm", Map.of("a", 1L));
    nextSecond(java, "jm");
    assertThat(js.error("delta jm {\"b\": 2}")).contains("lease"); // java holds jm's lease
    js.call("delta sm {\"x\": true}");
    awaitJava(java, "sm", Map.of("x", true));
    nextSecond(java, "sm");
    assertThatThrownBy(() -> java.applyDelta("sm", Map.of("y", 1))).isInstanceOf(LeaseException.class);
    assertThat(js.call("status")).isEqualTo("Nominal");
    assertThat(java.status()).isEqualTo("Nominal");
  }

  @Test
  void lateJoiners_receiveTheDictionaryBothWays() {
    LineNode js = js2p();
    js.call("set a \"from js\"");
    js.call("set zero 0");
    SyncSocket java = javaNode();
    java.set("b", "from java");
    java.set(new byte[] {1, 2, 3}, Bytes.utf8("bin value"));

    link(java, js); // each side dumps its dictionary to the other
    awaitJava(java, "a", "from js");
    awaitJava(java, "zero", 0L);
    Map<?, ?> jsMeta = (Map<?, ?>) js.call("meta a");
    assertThat(java.meta("a").map(SyncInteropTest::ownerAndTime))
        .contains(new MetaTuple((String) jsMeta.get("owner"), (Long) jsMeta.get("timestamp")));
    awaitJs(js, "b", "from java");
    assertThat(js.call("meta b")).isEqualTo(Map.of("owner", java.id(), "timestamp",
        java.meta("b").orElseThrow().timestamp()));

    SyncSocket late = javaNode();
    late.connect("127.0.0.1", js.port()).orTimeout(15, TimeUnit.SECONDS).join();
    await("the late java node to get all 4 keys from js2p").atMost(WAIT).until(() -> late.size() == 4);
    assertThat(late.items()).isEqualTo(java.items());
    assertThat(late.meta("b").map(SyncInteropTest::ownerAndTime)).isEqualTo(java.meta("b").map(SyncInteropTest::ownerAndTime));
    // late holds java's write by 0.7 only, with the version derived from its second; once the two
    // syncmesh nodes meet (js2p's peers list gives late java's address), anti-entropy leaves one
    // version: java's own, which is above the derived one.
    await("late and java to agree on b's version").atMost(WAIT)
        .until(() -> late.meta("b").equals(java.meta("b")));
    assertThat(late.snapshot()).isEqualTo(java.snapshot());
    assertThat(js.call("status")).isEqualTo("Nominal");
  }

  private static MetaTuple ownerAndTime(MetaTuple m) {
    return new MetaTuple(m.owner(), m.timestamp());
  }

  @Test
  void leases_areHonouredAcrossImplementations() {
    SyncSocket java = javaNode();
    LineNode js = js2p();
    link(java, js);
    js.call("set theirs 1");
    awaitJava(java, "theirs", 1L);
    nextSecond(java, "theirs"); // in the same second the smaller id would win (§10.3 condition 5)
    assertThatThrownBy(() -> java.set("theirs", 2)).isInstanceOf(LeaseException.class)
        .hasMessageContaining(js.id());

    java.set("ours", 1);
    awaitJs(js, "ours", 1L);
    nextSecond(java, "ours");
    assertThat(js.error("set ours 2")).contains("lease");
    assertThat(js.call("get ours")).isEqualTo(1L);
  }

  @Test
  void relayThroughMixedLines() {
    // js2p — java — js2p
    LineNode left = js2p();
    SyncSocket middle = javaNode();
    LineNode right = js2p();
    link(middle, left);
    link(middle, right);
    left.call("set l \"from left\"");
    right.call("set r \"from right\"");
    awaitJs(right, "l", "from left");
    awaitJs(left, "r", "from right");

    // java — js2p — java
    SyncSocket a = javaNode();
    SyncSocket c = javaNode();
    link(a, right);
    link(c, right);
    a.set("a", "from a");
    awaitJava(c, "a", "from a");
    awaitJs(left, "a", "from a");
    assertThat(c.items()).containsKeys(Bytes.utf8("l"), Bytes.utf8("r")); // c's initial sync from js2p
  }

  @Test
  void deletesAndPrototypeKeys_neverBreakAJs2pLink() {
    SyncSocket a = javaNode();
    SyncSocket b = javaNode();
    LineNode js = js2p();
    a.connect("127.0.0.1", b.port()).orTimeout(15, TimeUnit.SECONDS).join();
    link(b, js); // a — b — js2p
    a.set("gone", "soon");
    awaitJs(js, "gone", "soon");

    assertThat(a.del("gone")).isTrue();
    a.set("constructor", "would crash js2p");
    a.set("map", Map.of("toString", 1));
    a.set("after", "still linked");
    await("b to apply the delete").atMost(WAIT).until(() -> !b.containsKey("gone"));
    awaitJs(js, "after", "still linked");

    // js2p never heard of the delete: it keeps the old value, owner and timestamp ...
    assertThat(js.call("get gone")).isEqualTo("soon");
    assertThat(js.call("get constructor")).isNull();
    assertThat(js.call("status")).isEqualTo("Nominal");
    assertThat(b.routingTable()).containsKey(js.id());
    assertThat(peerIds(js)).contains(b.id());
    assertThat(b.get("constructor", null)).isEqualTo("would crash js2p");

    // ... and gives it back to the next node that joins through it (docs/protocol-0.7.md §13.9).
    // A syncmesh joiner also meets a and b (js2p's peers list names them), and their tombstone,
    // newer than js2p's copy, wins there: the key stays deleted among syncmesh nodes.
    SyncSocket late = javaNode();
    late.connect("127.0.0.1", js.port()).orTimeout(15, TimeUnit.SECONDS).join();
    awaitJava(late, "after", "still linked");
    await("late to hold a's tombstone").atMost(WAIT)
        .until(() -> late.meta("gone").map(MetaTuple::deleted).orElse(false));
    assertThat(late.containsKey("gone")).isFalse();
    assertThat(late.meta("gone")).isEqualTo(a.meta("gone"));
    assertThat(js.call("get gone")).isEqualTo("soon");
  }
}
