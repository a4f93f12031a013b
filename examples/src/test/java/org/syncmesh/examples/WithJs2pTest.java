package org.syncmesh.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.syncmesh.testing.NetworkTestRule;

/**
 * {@link WithJs2p} with the real js2p 0.7.870 in a child process. Skipped, saying why, where Node.js
 * or js2p is missing (CI installs both; locally: npm ci --prefix interop/js2p).
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
final class WithJs2pTest {

  /** Fails a test that leaves a syncmesh thread running or a thread with an uncaught exception. */
  @RegisterExtension final NetworkTestRule net = new NetworkTestRule();

  /** Surefire runs in examples/, peer.js's folder's parent. */
  private static final Path PEER = Path.of("js2p/peer.js");

  @Test
  void javaAndJs2p_endHoldingBothKeys() throws Exception {
    assumeTrue(nodeRuns(), "node is not on the PATH: WithJs2p needs Node.js 20 or later");
    Path js2p = Path.of("../interop/js2p/node_modules/js2p");
    assumeTrue(Files.isDirectory(js2p), "js2p is not installed at " + js2p.toAbsolutePath().normalize()
        + ": run npm ci --prefix interop/js2p");

    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    int status;
    try (PrintStream out = new PrintStream(printed, true, StandardCharsets.UTF_8)) {
      status = WithJs2p.run(new String[] {PEER.toString()}, out);
    }
    List<String> lines = printed.toString(StandardCharsets.UTF_8).lines().toList();

    assertThat(status).as("exit status; printed %s", lines).isEqualTo(0);
    assertThat(lines.get(0)).matches("java node on 127\\.0\\.0\\.1:\\d+ set from-java");
    assertThat(lines).contains(
        "java received from-js2p = hello from js2p",
        "js2p received from-java = hello from Java",
        "js2p holds from-java and from-js2p");
    assertThat(lines).last().isEqualTo("java holds from-java and from-js2p");
  }

  @Test
  void aMissingPeerScript_isReported() throws Exception {
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    int status;
    try (PrintStream out = new PrintStream(printed, true, StandardCharsets.UTF_8)) {
      status = WithJs2p.run(new String[] {"no/such/peer.js"}, out);
    }
    assertThat(status).isEqualTo(2);
    assertThat(printed.toString(StandardCharsets.UTF_8))
        .startsWith("error: no peer script at " + Path.of("no/such/peer.js").toAbsolutePath());
  }

  private static boolean nodeRuns() throws InterruptedException {
    try {
      Process p = new ProcessBuilder("node", "--version").redirectErrorStream(true).start();
      p.getInputStream().transferTo(java.io.OutputStream.nullOutputStream());
      return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (IOException e) {
      return false;
    }
  }
}
