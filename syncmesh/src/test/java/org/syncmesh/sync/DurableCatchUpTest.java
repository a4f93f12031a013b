package org.syncmesh.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.syncmesh.testing.NetworkTestRule;

/**
 * A durable node closed while the network moves on: A, B (with a data directory) and C are linked
 * directly and agree; B closes; A and C write new keys, overwrite keys and delete keys B holds; B
 * starts again from its directory on a new port, still holds what it had (read while A and C
 * refuse it through their deny lists, so that nothing has reached it yet) and, with no connect
 * from the test, redials the peers it saved, catches up, and ends with the same state as A and C,
 * no deleted key back on any node. With leasing each node changes only its own keys; without, they change each other's.
 */
final class DurableCatchUpTest {

  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final int KEYS = 20;

  @RegisterExtension final NetworkTestRule net = new NetworkTestRule();
  @TempDir Path dir;

  private SyncSocket durableB(boolean leasing) {
    return net.track(Cluster.fast(leasing).dataDirectory(dir.resolve("b")).build());
  }

  @ParameterizedTest(name = "leasing {0}")
  @ValueSource(booleans = {true, false})
  void closedNode_restartsFromItsDirectory_redialsByItself_andCatchesUp(boolean leasing) throws IOException {
    // A and C refuse B while the test reads B's restored copy: B redials them by itself as soon as it is built.
    Path denyA = Files.createFile(dir.resolve("deny-a"));
    Path denyC = Files.createFile(dir.resolve("deny-c"));
    SyncSocket a = Cluster.node(net, leasing, o -> o.denyList(denyA));
    SyncSocket c = Cluster.node(net, leasing, o -> o.denyList(denyC));
    SyncSocket b = durableB(leasing);
    String bId = b.id();
    b.connect("127.0.0.1", a.port()).join();
    c.connect("127.0.0.1", a.port()).join();
    c.connect("127.0.0.1", b.port()).join();
    await("B linked to A and C").atMost(WAIT)
        .until(() -> b.routingTable().containsKey(a.id()) && b.routingTable().containsKey(c.id()));
    for (int i = 0; i < KEYS; i++) {
      a.set("a/" + i, "a" + i);
      b.set("b/" + i, "b" + i);
      c.set("c/" + i, List.of("c", (long) i));
    }
    Cluster.awaitIdentical(List.of(a, b, c), WAIT, "before B closes");
    b.close();
    await("A and C to see B gone").atMost(WAIT)
        .until(() -> !a.routingTable().containsKey(bId) && !c.routingTable().containsKey(bId));

    // While B is away.
    List<String> deleted = new ArrayList<>();
    for (int i = 0; i < KEYS; i++) {
      a.set("a/new/" + i, "new a" + i);
      c.set("c/new/" + i, "new c" + i);
    }
    for (int i = 0; i < KEYS / 4; i++) {
      a.set("a/" + i, "a overwritten " + i);
      c.set("c/" + i, "c overwritten " + i);
      assertThat(a.del("a/" + (KEYS / 2 + i))).isTrue();
      assertThat(c.del("c/" + (KEYS / 2 + i))).isTrue();
      deleted.add("a/" + (KEYS / 2 + i));
      deleted.add("c/" + (KEYS / 2 + i));
      if (!leasing) { // without leases anyone changes anyone's keys, B's included
        a.set("b/" + i, "b overwritten by a " + i);
        assertThat(c.del("b/" + (KEYS / 2 + i))).isTrue();
        deleted.add("b/" + (KEYS / 2 + i));
        c.set("a/new/" + i, "a/new overwritten by c " + i);
      }
    }
    Cluster.awaitIdentical(List.of(a, c), WAIT, "A and C while B is away");

    // B again, from its directory, on a new port: nobody dials it, it must dial A and C itself.
    Files.writeString(denyA, bId + "\n");
    Files.writeString(denyC, bId + "\n");
    SyncSocket again = durableB(leasing);
    assertThat(again.id()).isEqualTo(bId);
    assertThat(again.get("a/" + (KEYS / 2))).as("B's copy from before the delete").isPresent();
    Files.writeString(denyA, "");
    Files.writeString(denyC, "");
    await("B to redial A and C by itself").atMost(WAIT)
        .until(() -> again.routingTable().containsKey(a.id()) && again.routingTable().containsKey(c.id()));
    Cluster.awaitIdentical(List.of(a, again, c), WAIT, "after B restarted");

    for (SyncSocket n : List.of(a, again, c)) {
      for (String key : deleted) {
        assertThat(n.get(key)).as("deleted %s on %s", key, n.id()).isEmpty();
        assertThat(n.meta(key)).as("tombstone of %s on %s", key, n.id()).hasValueSatisfying(m -> assertThat(m.deleted()).isTrue());
      }
      assertThat(n.get("a/new/0")).isPresent();
      assertThat(n.get("a/0")).contains("a overwritten 0");
    }
    assertThat(again.keys()).hasSize(3 * KEYS + 2 * KEYS - deleted.size());
  }
}
