package org.syncmesh.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.syncmesh.testing.LineNode;
import org.syncmesh.testing.NetworkTestRule;

/**
 * The class-data-sharing archive the build makes beside the jar ({@link CdsTraining}): a node that
 * starts with it loads the classes of its first link and initial sync from the archive, not the jar.
 */
final class CdsArchiveIT {

  @RegisterExtension final NetworkTestRule net = new NetworkTestRule();

  @TempDir Path dir;

  @Test
  void aNodesFirstLinkAndInitialSync_loadTheirClassesFromTheArchive() throws Exception {
    Path archive = LineNode.jar().resolveSibling("syncmesh.jsa");
    assumeTrue(Files.isRegularFile(archive),
        "this JVM made no archive at package time (syncmesh-cli/target/cds-training.log says why)");
    LineNode seed = net.track(LineNode.java());
    assertThat(seed.call("set k 1")).isNull();

    Path classLog = dir.resolve("class-load.log");
    // -Xshare:on: a JVM that cannot map the archive fails to start instead of running without it.
    LineNode node = net.track(LineNode.javaWithJvmOptions(
        List.of("-Xshare:on", "-XX:SharedArchiveFile=" + archive, "-Xlog:class+load=info:file=" + classLog),
        "--connect", "127.0.0.1:" + seed.port()));
    assertThat(((Map<?, ?>) node.call("waitkeys 1 15000")).get("count")).isEqualTo(1L);
    node.closeInput();
    assertThat(node.awaitExit(10)).isZero();

    String loaded = Files.readString(classLog);
    for (String linkClass : List.of("org.syncmesh.sync.AntiEntropy$PeerSession", "org.syncmesh.sync.ExtMessages$Entries",
        "org.syncmesh.mesh.HandshakeHandler")) {
      assertThat(loaded).as("where %s came from", linkClass).contains(linkClass + " source: shared objects file");
    }
  }
}
