package org.syncmesh.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ServerSocket;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.syncmesh.testing.NetworkTestRule;

/** Two {@link Chat}s in one JVM, typed into and read as a user would. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
final class ChatTest {

  /** Fails a test that leaves a syncmesh thread running or a thread with an uncaught exception. */
  @RegisterExtension final NetworkTestRule net = new NetworkTestRule();

  @Test
  void twoChats_printEachOthersLines_asNameColonText() throws Exception {
    try (RunningProgram alice = RunningProgram.start("alice", Chat::run, "--port", "0", "--name", "alice")) {
      String port = alice.awaitLine("listening on 127\\.0\\.0\\.1:(\\d+) as alice").group(1);
      try (RunningProgram bob = RunningProgram.start("bob", Chat::run,
          "--port", "0", "--connect", "127.0.0.1:" + port, "--name", "bob")) {
        bob.awaitLine("connected to \\S+ at 127\\.0\\.0\\.1:" + port);
        alice.awaitLine("\\* \\S+ joined");   // alice has bob in her routing table: her lines reach him
        bob.awaitLine("\\* \\S+ joined");

        bob.type("hi alice");
        alice.awaitLine("bob: hi alice");
        alice.type("hello bob, and: colons");
        bob.awaitLine("alice: hello bob, and: colons");

        assertThat(bob.endInput()).isEqualTo(0);
        alice.awaitLine("\\* \\S+ left");
      }
      assertThat(alice.endInput()).isEqualTo(0);
      // Nobody sees their own lines echoed, and each line arrives once.
      assertThat(alice.lines()).filteredOn(line -> line.contains(": ")).containsExactly("bob: hi alice");
    }
  }

  @Test
  void aThirdChat_reachesBothThroughOne() throws Exception {
    try (RunningProgram a = RunningProgram.start("a", Chat::run, "--port", "0", "--name", "a")) {
      String port = a.awaitLine("listening on 127\\.0\\.0\\.1:(\\d+) as a").group(1);
      try (RunningProgram b = RunningProgram.start("b", Chat::run, "--port", "0", "--connect", "127.0.0.1:" + port, "--name", "b")) {
        String bPort = b.awaitLine("listening on 127\\.0\\.0\\.1:(\\d+) as b").group(1);
        b.awaitLine("connected to .*");
        try (RunningProgram c = RunningProgram.start("c", Chat::run, "--port", "0", "--connect", "127.0.0.1:" + bPort, "--name", "c")) {
          c.awaitLine("connected to .*");
          b.type("to everyone");
          c.awaitLine("b: to everyone");
          a.awaitLine("b: to everyone");
          c.type("from the end of the line");  // c dialled only b; a gets it relayed or, once b's peers list
                                               // has introduced them, directly: either way once
          a.awaitLine("c: from the end of the line");
          b.awaitLine("c: from the end of the line");
          assertThat(c.endInput()).isEqualTo(0);
        }
        assertThat(b.endInput()).isEqualTo(0);
      }
      assertThat(a.endInput()).isEqualTo(0);
      assertThat(a.lines()).filteredOn(line -> line.startsWith("c: ")).containsExactly("c: from the end of the line");
    }
  }

  @Test
  void unreachablePeer_exitsWithStatus1() throws Exception {
    int closedPort;
    try (ServerSocket probe = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      closedPort = probe.getLocalPort();
    }
    try (RunningProgram chat = RunningProgram.start("chat", Chat::run,
        "--port", "0", "--connect", "127.0.0.1:" + closedPort, "--name", "x")) {
      assertThat(chat.exitStatus()).isEqualTo(1);
      assertThat(chat.lines()).last().asString().startsWith("error: cannot connect to 127.0.0.1:" + closedPort + ": ");
    }
  }

  @Test
  void badArguments_printTheErrorAndUsage_andExitWithStatus2() throws Exception {
    assertUsage("error: --name is missing", "--port", "0");
    assertUsage("error: --port is missing (0 picks a free port)", "--name", "x");
    assertUsage("error: --connect wants HOST:PORT, got localhost", "--port", "0", "--name", "x", "--connect", "localhost");
    assertUsage("error: --connect's port wants a number from 1 to 65535, got 0", "--port", "0", "--name", "x",
        "--connect", "127.0.0.1:0");
    assertUsage("error: --port wants a number from 0 to 65535, got 70000", "--port", "70000", "--name", "x");
    assertUsage("error: unknown option --nick", "--port", "0", "--nick", "x");
    assertUsage("error: unknown option --verbose", "--port", "0", "--name", "x", "--verbose");
    assertUsage("error: --name needs a value", "--port", "0", "--name");
  }

  private static void assertUsage(String error, String... args) throws Exception {
    try (RunningProgram chat = RunningProgram.start("chat", Chat::run, args)) {
      assertThat(chat.exitStatus()).isEqualTo(2);
      assertThat(chat.lines()).containsExactly(error, "usage: Chat --port PORT [--connect HOST:PORT] --name NAME");
    }
  }
}
