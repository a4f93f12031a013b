package org.syncmesh.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.syncmesh.testing.DataDirectories;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.syncmesh.testing.NetworkTestRule;

/**
 * Two nodes started on copies of one data directory share an id: their link is refused with an
 * error that says so, never merged, and not redialled; a node dialling itself is still told
 * apart and dropped quietly.
 */
final class CopiedDataDirectoryTest {

  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final String CONFLICT = "another node uses this node's id";

  @RegisterExtension final NetworkTestRule net = new NetworkTestRule();
  @TempDir Path dir;

  private static SyncSocket durable(Path data) {
    return new SyncSocket.Builder().leasing(true).dataDirectory(data).build();
  }

  private static long conflicts(SyncSocket s) {
    return s.statusErrors().stream().filter(e -> e.contains(CONFLICT)).count();
  }

  @Test
  void nodesOnCopiesOfOneDirectory_areRefusedALink_withAnErrorSayingSo_andNotRedialled() throws Exception {
    Path original = dir.resolve("a");
    SyncSocket first = durable(original);
    first.set("shared", "before the copy");
    first.close();
    Path copy = dir.resolve("copy");
    DataDirectories.copyTree(original, copy);

    SyncSocket a = net.track(durable(original));
    SyncSocket b = net.track(durable(copy));
    assertThat(b.id()).isEqualTo(a.id());
    a.set("onlyA", "1");
    b.set("onlyB", "2");

    assertThatThrownBy(() -> b.connect("127.0.0.1", a.port()).orTimeout(10, TimeUnit.SECONDS).join())
        .hasMessageContaining(CONFLICT);
    await().atMost(WAIT).until(() -> conflicts(b) >= 1);
    String error = b.statusErrors().stream().filter(e -> e.contains(CONFLICT)).findFirst().orElseThrow();
    assertThat(error).contains(a.id()).contains("copy");
    await().atMost(WAIT).until(() -> conflicts(a) >= 1); // the accepting side says so too

    // not redialled (the first redial would come after 100 ms, then 200, 400, …)
    await().during(Duration.ofSeconds(3)).atMost(WAIT).until(() -> conflicts(a) == 1 && conflicts(b) == 1);
    assertThat(a.routingTable()).isEmpty();
    assertThat(b.routingTable()).isEmpty();
    assertThat(a.get("onlyB")).isEmpty();
    assertThat(b.get("onlyA")).isEmpty();
  }

  @Test
  void copiesThatMeetOnlyThroughAThirdNode_areReportedThere() throws Exception {
    Path original = dir.resolve("a");
    durable(original).close();
    Path copy = dir.resolve("copy");
    DataDirectories.copyTree(original, copy);
    SyncSocket c = net.track(new SyncSocket.Builder().leasing(true).build());
    SyncSocket a = net.track(durable(original));
    SyncSocket b = net.track(durable(copy));
    a.connect("127.0.0.1", c.port()).join();
    b.connect("127.0.0.1", c.port()).exceptionally(e -> null).join(); // c may keep either link

    await().atMost(WAIT).until(() -> c.statusErrors().stream().anyMatch(e -> e.contains("two links claim node id "
        + a.id()) && e.contains(":" + a.port()) && e.contains(":" + b.port()) && e.contains("copies of one data directory")));
  }

  @Test
  void aNodeDiallingItself_isDroppedQuietly_notTakenForACopy() throws Exception {
    SyncSocket a = net.track(durable(dir.resolve("self")));
    assertThatThrownBy(() -> a.connect("127.0.0.1", a.port()).orTimeout(10, TimeUnit.SECONDS).join())
        .hasMessageContaining("connected to self");
    await().during(Duration.ofSeconds(1)).atMost(WAIT).until(() -> conflicts(a) == 0);
    assertThat(a.routingTable()).isEmpty();
  }
}
