package org.syncmesh.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.syncmesh.mesh.Dialect;
import org.syncmesh.testing.LineNode;

/** Linking syncmesh nodes with real js2p nodes, and waiting on either, for the interop tests. */
final class Js2pLinks {

  static final Duration WAIT = Duration.ofSeconds(15);

  private Js2pLinks() {}

  /** {@code java} dials {@code js}; both list each other. */
  static void link(SyncSocket java, LineNode js) {
    assertThat(java.connect("127.0.0.1", js.port()).orTimeout(15, TimeUnit.SECONDS).join().dialect())
        .isEqualTo(Dialect.JS2P);
    await("js2p to list " + java.id()).atMost(WAIT).until(() -> peerIds(js).contains(java.id()));
  }

  static List<Object> peerIds(LineNode js) {
    return ((List<?>) js.call("peers")).stream().map(p -> ((Map<?, ?>) p).get("id")).map(Object.class::cast).toList();
  }

  static void awaitJs(LineNode js, String key, Object expected) {
    await("js2p to hold " + key + " = " + expected).atMost(WAIT)
        .until(() -> Objects.equals(js.call("get " + key), expected));
  }

  static void awaitJava(SyncSocket java, Object key, Object expected) {
    await(java + " to hold " + key + " = " + expected).atMost(WAIT)
        .until(() -> expected.equals(java.get(key, null)));
  }
}
