package org.syncmesh.sync;

import static org.syncmesh.sync.Js2pLinks.awaitJava;
import static org.syncmesh.sync.Js2pLinks.awaitJs;
import static org.syncmesh.sync.Js2pLinks.link;
import static org.syncmesh.sync.Js2pLinks.peerIds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.syncmesh.Bytes;
import org.syncmesh.mesh.Dialect;
import org.syncmesh.testing.LineNode;
import org.syncmesh.testing.NetworkTestRule;

/**
 * Two syncmesh nodes A and B whose only initial path runs through a js2p 0.7.870 node J
 * (A — J — B), in a child process: with peer exchange on, A and B find each other through J's
 * peers list and link directly, so the extension (versions, tombstones, anti-entropy) runs
 * between them; with it off (maxOutgoing 0, nothing dials), only what protocol 0.7 carries
 * crosses J (docs/extension-v1.md, "Mixed networks").
 */
final class MixedNetworkTest {

  private static final Duration WAIT = Duration.ofSeconds(20);

  @RegisterExtension final NetworkTestRule net = new NetworkTestRule();

  private SyncSocket node(int maxOutgoing) {
    return net.track(new SyncSocket.Builder().maxOutgoing(maxOutgoing).build());
  }





  private static void awaitIdentical(SyncSocket a, SyncSocket b) {
    await(a + " and " + b + " to hold identical states").atMost(WAIT).until(() -> a.snapshot().equals(b.snapshot()));
  }

  /** Waits until the wall clock is early in a second, so that two writes started now share it. */
  private static void earlyInASecond() {
    await("the start of a second").atMost(Duration.ofSeconds(2)).pollInterval(Duration.ofMillis(5))
        .until(() -> System.currentTimeMillis() % 1000 < 300);
  }

  /** Runs a write, returning false if a lease refused it. */
  private static boolean accepted(CompletableFuture<Void> write) {
    try {
      write.join();
      return true;
    } catch (CompletionException e) {
      assertThat(e.getCause()).isInstanceOf(LeaseException.class);
      return false;
    }
  }

  @Test
  void syncmeshNodesBehindJs2p_linkDirectlyAndConverge() {
    LineNode j = net.track(LineNode.js2p());
    SyncSocket a = node(4);
    SyncSocket b = node(4);
    link(a, j);
    a.set("early", "before b joined");
    awaitJs(j, "early", "before b joined");
    link(b, j); // B reaches A only through J, until peer exchange gives it A's address (or A B's)

    await("A and B to link directly").atMost(WAIT)
        .until(() -> a.routingTable().containsKey(b.id()) && b.routingTable().containsKey(a.id()));
    assertThat(a.routingTable().get(b.id()).extensionVersion()).isGreaterThanOrEqualTo(1);
    assertThat(a.routingTable().get(j.id()).dialect()).isEqualTo(Dialect.JS2P);

    a.set("fromA", "a's value");
    b.set("fromB", List.of(1, "two"));
    a.set("doomed", "deleted soon");
    awaitJava(b, "doomed", "deleted soon");
    assertThat(a.del("doomed")).isTrue();

    // The contested key: the node with the larger id writes first, the other in the same second.
    SyncSocket larger = a.id().compareTo(b.id()) > 0 ? a : b;
    SyncSocket smaller = larger == a ? b : a;
    earlyInASecond();
    CompletableFuture<Void> first = larger.setAsync("contested", "by " + larger.id());
    CompletableFuture<Void> second = smaller.setAsync("contested", "by " + smaller.id());
    boolean firstAccepted = accepted(first);
    boolean secondAccepted = accepted(second);
    assertThat(firstAccepted).isTrue();

    awaitIdentical(a, b);
    assertThat(a.get("early", null)).isEqualTo("before b joined");
    assertThat(b.get("fromA", null)).isEqualTo("a's value");
    assertThat(a.get("fromB", null)).isEqualTo(List.of(1L, "two"));
    assertThat(b.containsKey("doomed")).isFalse();
    assertThat(b.meta("doomed")).get().extracting(MetaTuple::deleted).isEqualTo(true);
    Object winner = a.get("contested", null);
    assertThat(winner).isIn("by " + larger.id(), "by " + smaller.id());
    MetaTuple contested = a.meta("contested").orElseThrow();
    assertThat(contested.version()).isNotNull();
    assertThat(winner).isEqualTo("by " + contested.owner());

    // J keeps working and holds the syncmesh writes in 0.7 form: value, owner and second.
    awaitJs(j, "fromA", "a's value");
    awaitJs(j, "fromB", List.of(1L, "two"));
    assertThat(j.call("meta fromA")).isEqualTo(Map.of("owner", a.id(), "timestamp",
        a.meta("fromA").orElseThrow().timestamp()));
    assertThat(j.call("meta fromB")).isEqualTo(Map.of("owner", b.id(), "timestamp",
        b.meta("fromB").orElseThrow().timestamp()));
    // ... but not the delete (js2p cannot delete: it keeps the old value) ...
    assertThat(j.call("get doomed")).isEqualTo("deleted soon");
    // ... and it settles the contested key by 0.7's rule: in one second the smaller id wins. The
    // syncmesh nodes settle it by the earlier claim instead, so the two may differ (reported).
    if (secondAccepted) {
      awaitJs(j, "contested", "by " + smaller.id());
    } else {
      awaitJs(j, "contested", "by " + larger.id());
    }
    System.out.printf("contested: second writer accepted locally %s; syncmesh nodes hold %s (%s id), js2p holds %s%n",
        secondAccepted, winner, winner.equals("by " + larger.id()) ? "larger" : "smaller", j.call("get contested"));
    // Each syncmesh node's status lists the remote writes its lease refused (the contest's loser).
    for (SyncSocket n : List.of(a, b)) {
      assertThat(n.statusErrors()).allSatisfy(e -> assertThat(e).startsWith("refused write of key \"contested\""));
    }
    assertThat(j.call("status")).isEqualTo("Nominal");
    assertThat(peerIds(j)).contains(a.id(), b.id());
  }

  @Test
  void withoutADirectLink_only07Crosses() {
    LineNode j = net.track(LineNode.js2p());
    SyncSocket a = node(0);
    SyncSocket b = node(0);
    link(a, j);
    link(b, j);

    a.set("plain", "from a");
    b.set("other", "from b");
    a.set("doomed", "deleted soon");
    // Values of plain sets reach everyone, by 0.7 through J.
    awaitJava(b, "plain", "from a");
    awaitJava(a, "other", "from b");
    awaitJava(b, "doomed", "deleted soon");
    awaitJs(j, "plain", "from a");

    // Versions differ: B holds A's write with the version derived from its 0.7 form (second and
    // owner), below the one A gave it; owner and second agree.
    MetaTuple atA = a.meta("plain").orElseThrow();
    MetaTuple atB = b.meta("plain").orElseThrow();
    assertThat(atB.owner()).isEqualTo(atA.owner()).isEqualTo(a.id());
    assertThat(atB.timestamp()).isEqualTo(atA.timestamp());
    assertThat(atB.version()).isEqualTo(Store.derived(atA.timestamp(), a.id(), Bytes.utf8("plain"), "from a"))
        .isNotEqualTo(atA.version());
    assertThat(atB.version().compareTo(atA.version())).isNegative();

    // Deletes do not cross J: js2p never gets them, so B keeps the key.
    assertThat(a.del("doomed")).isTrue();
    a.set("after", "the delete"); // sent after the delete, on the same link to J
    awaitJava(b, "after", "the delete");
    assertThat(b.get("doomed", null)).isEqualTo("deleted soon");
    assertThat(j.call("get doomed")).isEqualTo("deleted soon");
    assertThat(a.meta("doomed")).get().extracting(MetaTuple::deleted).isEqualTo(true);

    // So the two states are not identical, and no anti-entropy can mend that: A and B never link.
    assertThat(a.snapshot()).isNotEqualTo(b.snapshot());
    assertThat(a.routingTable()).doesNotContainKey(b.id());
    assertThat(b.routingTable()).doesNotContainKey(a.id());
    assertThat(a.peerSync()).allSatisfy((id, s) -> assertThat(s.extensionVersion()).isZero());
    assertThat(a.items()).containsEntry(Bytes.utf8("other"), "from b");
    assertThat(j.call("status")).isEqualTo("Nominal");
  }

  @Test
  void aDeletedKeyThatJs2pGivesBack_staysDeleted() {
    LineNode j = net.track(LineNode.js2p());
    SyncSocket a = node(0);
    SyncSocket b = node(0);
    a.connect("127.0.0.1", b.port()).orTimeout(15, TimeUnit.SECONDS).join();
    link(b, j); // A — B — J
    a.set("doomed", "deleted soon");
    awaitJs(j, "doomed", "deleted soon");
    assertThat(a.del("doomed")).isTrue();
    await("B to hold the tombstone").atMost(WAIT).until(() -> b.meta("doomed").map(MetaTuple::deleted).orElse(false));
    assertThat(j.call("get doomed")).isEqualTo("deleted soon"); // js2p cannot delete

    // A links to J: J's initial sync gives A the old value, with its old owner and second. It is
    // older than A's delete, so A keeps the tombstone; the marker write after it shows the dump
    // has been applied (J sends its dump before anything it hears later).
    link(a, j);
    j.call("set marker 1");
    awaitJava(a, "marker", 1L);
    awaitJava(b, "marker", 1L);
    awaitIdentical(a, b);
    assertThat(a.containsKey("doomed")).isFalse();
    assertThat(b.containsKey("doomed")).isFalse();
    assertThat(a.meta("doomed")).get().extracting(MetaTuple::deleted).isEqualTo(true);
  }
}
