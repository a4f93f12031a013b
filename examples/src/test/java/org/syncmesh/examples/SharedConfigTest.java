package org.syncmesh.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.syncmesh.testing.NetworkTestRule;

/** Two {@link SharedConfig} nodes in one JVM, read as a user would. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
final class SharedConfigTest {

  /** Fails a test that leaves a syncmesh thread running or a thread with an uncaught exception. */
  @RegisterExtension final NetworkTestRule net = new NetworkTestRule();

  @Test
  void joiner_listsTheWholeConfig_andTheFirstNodePrintsItsChanges() throws Exception {
    try (RunningProgram first = RunningProgram.start("first", SharedConfig::run, "--port", "0", "size=3", "color=red")) {
      String port = first.awaitLine("listening on 127\\.0\\.0\\.1:(\\d+)").group(1);
      first.awaitLine("  size = 3");
      assertThat(first.lines()).endsWith("config:", "  color = red", "  size = 3");  // sorted by key

      try (RunningProgram joiner = RunningProgram.start("joiner", SharedConfig::run,
          "--port", "0", "--connect", "127.0.0.1:" + port, "size=4", "mode=dark")) {
        // The listing comes after the initial sync: the first node's entries, with the joiner's on top.
        joiner.awaitLine("  size = 4");
        assertThat(joiner.lines()).endsWith("config:", "  color = red", "  mode = dark", "  size = 4");

        first.awaitLine("changed size: 3 -> 4");
        first.awaitLine("changed mode: \\(none\\) -> dark");
        assertThat(first.lines()).filteredOn(line -> line.startsWith("changed ")).hasSize(2);
        // The joiner printed no change: its own entries and the synced ones are in its listing.
        assertThat(joiner.lines()).noneMatch(line -> line.startsWith("changed "));
        assertThat(joiner.endInput()).isEqualTo(0);
      }
      assertThat(first.endInput()).isEqualTo(0);
    }
  }

  @Test
  void aNodeWithoutEntries_listsNothing_thenPrintsWhatArrives() throws Exception {
    try (RunningProgram empty = RunningProgram.start("empty", SharedConfig::run, "--port", "0")) {
      String port = empty.awaitLine("listening on 127\\.0\\.0\\.1:(\\d+)").group(1);
      empty.awaitLine("config:");
      try (RunningProgram writer = RunningProgram.start("writer", SharedConfig::run,
          "--port", "0", "--connect", "127.0.0.1:" + port, "url=http://example.org/?a=b")) {
        writer.awaitLine("  url = http://example.org/\\?a=b");    // only the first '=' separates
        empty.awaitLine("changed url: \\(none\\) -> http://example.org/\\?a=b");
        assertThat(writer.endInput()).isEqualTo(0);
      }
      assertThat(empty.endInput()).isEqualTo(0);
    }
  }

  @Test
  void badArguments_printTheErrorAndUsage_andExitWithStatus2() throws Exception {
    assertUsage("error: an entry is KEY=VALUE with a non-empty KEY, got =red", "--port", "0", "=red");
    assertUsage("error: an entry is KEY=VALUE with a non-empty KEY, got color", "--port", "0", "color");
    assertUsage("error: --port is missing (0 picks a free port)", "color=red");
    assertUsage("error: unknown option --leasing", "--port", "0", "--leasing");
    assertUsage("error: --connect needs a value", "--port", "0", "--connect");
  }

  private static void assertUsage(String error, String... args) throws Exception {
    try (RunningProgram node = RunningProgram.start("node", SharedConfig::run, args)) {
      assertThat(node.exitStatus()).isEqualTo(2);
      assertThat(node.lines()).containsExactly(error, "usage: SharedConfig --port PORT [--connect HOST:PORT] [KEY=VALUE]...");
    }
  }
}
