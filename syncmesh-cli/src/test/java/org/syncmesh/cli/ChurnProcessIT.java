package org.syncmesh.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.syncmesh.testing.LineNode;
import org.syncmesh.testing.NetworkTestRule;

/**
 * Churn with real processes: while one {@code syncmesh node} writes 1,000 keys, the others are
 * killed with SIGKILL and started again, three times each, with only the writer's address as
 * their seed. Every node ends with all 1,000 keys, and the same version of each.
 */
final class ChurnProcessIT {

  private static final Duration WAIT = Duration.ofSeconds(60);

  @RegisterExtension final NetworkTestRule net = new NetworkTestRule();

  @Test
  void nodesKilledAndRestartedWhileOneWrites_allEndWithEveryKey() throws Exception {
    LineNode writer = net.track(LineNode.java());
    String seed = "127.0.0.1:" + writer.port();
    List<LineNode> others = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      others.add(net.track(LineNode.java("--connect", seed)));
    }
    int written = 0;
    for (int round = 0; round < 3; round++) {
      for (int i = 0; i < others.size(); i++) {
        for (int k = 0; k < 1000 / 9 && written < 1000; k++, written++) {
          writer.call("set k" + written + " " + written);
        }
        LineNode victim = others.get(i);
        victim.process().destroyForcibly().waitFor(10, TimeUnit.SECONDS); // SIGKILL
        others.set(i, net.track(LineNode.java("--connect", seed)));
      }
    }
    while (written < 1000) {
      writer.call("set k" + written + " " + written);
      written++;
    }
    for (LineNode n : others) {
      await(n.id() + " to hold all 1,000 keys").atMost(WAIT).until(() -> Long.valueOf(1000).equals(n.call("count")));
      assertThat(n.call("meta k999")).isEqualTo(writer.call("meta k999"));
      assertThat(n.call("meta k0")).isEqualTo(writer.call("meta k0"));
      assertThat(n.call("status")).isEqualTo("Nominal");
    }
  }
}
