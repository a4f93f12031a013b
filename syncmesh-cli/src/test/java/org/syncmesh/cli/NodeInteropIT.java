package org.syncmesh.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.syncmesh.json.Json;
import org.syncmesh.testing.LineNode;
import org.syncmesh.testing.NetworkTestRule;

/**
 * A packaged Java node and a js2p 0.7.870 driver, both child processes, driven by one helper
 * through the same line protocol. Needs {@code npm ci --prefix interop/js2p}.
 */
final class NodeInteropIT {

  private static final Duration WAIT = Duration.ofSeconds(20);

  @RegisterExtension final NetworkTestRule net = new NetworkTestRule();

  @Test
  void javaAndJs2p_seeEachOthersSets() {
    LineNode java = net.track(LineNode.java());
    LineNode js = net.track(LineNode.js2p("--connect", "127.0.0.1:" + java.port()));
    await("the nodes to peer").atMost(WAIT).until(() -> java.call("peers"), p -> ((List<?>) p).size() == 1);
    await("js2p to list java").atMost(WAIT).until(() -> js.call("peers"), p -> ((List<?>) p).size() == 1);

    java.call("set from_java {\"n\":[1,2.5,\"s\",{\"$bin\":\"AAE=\"}]}");
    js.call("set from_js2p \"hello\"");
    await("js2p to get the java key").atMost(WAIT).until(() -> js.call("get from_java") != null);
    await("java to get the js2p key").atMost(WAIT).until(() -> java.call("get from_js2p") != null);

    assertThat(js.raw("get from_java")).isEqualTo(java.raw("get from_java"));
    assertThat(java.call("get from_js2p")).isEqualTo("hello");
    assertThat(((Map<?, ?>) java.call("meta from_js2p")).get("owner")).isEqualTo(js.id());
    assertThat(((Map<?, ?>) js.call("meta from_java")).get("owner")).isEqualTo(java.id());
    assertThat(java.call("keys")).isEqualTo(List.of("from_java", "from_js2p"));
    assertThat(java.call("status")).isEqualTo("Nominal");
    assertThat(js.call("status")).isEqualTo("Nominal");
  }

  @Test
  void javaAndJs2p_broadcastBothWays() {
    LineNode js = net.track(LineNode.js2p());
    LineNode java = net.track(LineNode.java("--connect", "127.0.0.1:" + js.port()));
    await("java to list js2p").atMost(WAIT).until(() -> java.call("peers"), p -> ((List<?>) p).size() == 1);
    await("js2p to list java").atMost(WAIT).until(() -> js.call("peers"), p -> ((List<?>) p).size() == 1);

    java.call("send [\"to js2p\", 7, {\"$bin\":\"/w==\"}]");
    js.call("send [\"to java\", null, true]");
    await("js2p to receive").atMost(WAIT).until(() -> js.call("recv"), r -> received(r, java.id(),
        List.of("to js2p", 7L, Map.of("$bin", "/w=="))));
    await("java to receive").atMost(WAIT).until(() -> java.call("recv"), r -> received(r, js.id(),
        Arrays.asList("to java", null, true)));
  }

  @Test
  void sameCommands_sameRepliesOnBothNodes() {
    LineNode java = net.track(LineNode.java());
    LineNode js = net.track(LineNode.js2p());
    for (String line : List.of("", "nope", "get", "set k", "get k", "set k 1", "get k", "keys", "items",
        "meta nothing", "send {}", "recv", "count", "waitkeys 1 10", "events maybe", "events on", "quit now")) {
      Map<?, ?> j = (Map<?, ?>) Json.parse(java.raw(line));
      Map<?, ?> s = (Map<?, ?>) Json.parse(js.raw(line));
      assertThat(j.get("ok")).as("ok of `%s`", line).isEqualTo(s.get("ok"));
      if (line.startsWith("waitkeys")) {
        assertThat(((Map<?, ?>) j.get("result")).get("count")).isEqualTo(((Map<?, ?>) s.get("result")).get("count"));
      } else {
        assertThat(j.get("result")).as("result of `%s`", line).isEqualTo(s.get("result"));
      }
    }
  }

  private static boolean received(Object recv, String sender, List<?> packets) {
    List<?> messages = (List<?>) recv;
    if (messages.isEmpty()) {
      return false;
    }
    Map<?, ?> m = (Map<?, ?>) messages.get(0);
    assertThat(m.get("sender")).isEqualTo(sender);
    assertThat(m.get("packets")).isEqualTo(packets);
    return true;
  }
}
