package org.syncmesh.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.jline.terminal.Terminal;
import org.jline.terminal.impl.DumbTerminal;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.syncmesh.Bytes;
import org.syncmesh.sync.MetaTuple;
import org.syncmesh.testing.NetworkTestRule;

/** The REPL on a scripted dumb terminal, and its human formatting. */
final class ReplTest {

  @RegisterExtension final NetworkTestRule net = new NetworkTestRule();

  private static NodeOptions options(int port) {
    return new NodeOptions("127.0.0.1", port, List.of(), "sync", "Plaintext", true, false, false, true, 0);
  }

  private record Run(int status, String output) {}

  private Run run(NodeOptions options, String input) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    AtomicReference<NodeSession> session = new AtomicReference<>();
    int status;
    // A DumbTerminal writes straight to `out` and reads straight from the script, no pty pump.
    try (Terminal terminal = new DumbTerminal("test", Terminal.TYPE_DUMB,
        new ByteArrayInputStream(input.getBytes(StandardCharsets.UTF_8)), out, StandardCharsets.UTF_8)) {
      status = Repl.run(options, terminal, null, session::set);
    }
    if (session.get() != null) {
      assertThat(session.get().socket().isClosed()).as("the node is closed when the prompt ends").isTrue();
    }
    return new Run(status, out.toString(StandardCharsets.UTF_8).replace("\r\n", "\n"));
  }

  @Test
  void commands_renderForPeople() throws IOException {
    Run run = run(options(0), String.join("\n", "set a 1", "set \"b c\" {\"x\":[1,2]}", "get a", "get nothing",
        "items", "keys", "peers", "recv", "status", "meta nothing", "help", "bogus", "", "quit", "id", ""));
    assertThat(run.status()).isZero();
    assertThat(run.output())
        .contains("listening on 127.0.0.1:")
        .contains("KEY  VALUE\n---  -----------\na    1\nb c  {\"x\":[1,2]}")
        .contains("(absent)")
        .contains("(no peers)")
        .contains("(no messages)")
        .contains("Nominal")
        .contains("Commands (KEY:")
        .contains("error: unknown command: bogus");
  }

  @Test
  void connect_saysWhoItReached_orWhyNot() throws IOException {
    NodeSession other = net.track(NodeSession.start(options(0)));
    int closed;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closed = s.getLocalPort();
    }
    Run run = run(options(0), "connect 127.0.0.1 " + other.socket().port() + "\nconnect 127.0.0.1 " + closed
        + "\nquit\n");
    assertThat(run.output()).contains("connected to " + other.socket().id())
        .contains("error: connect 127.0.0.1:" + closed + " failed: refused: nothing listens on 127.0.0.1:" + closed);
  }

  @Test
  void outAddr_isShownInTheStartLine() throws IOException {
    NodeOptions told = new NodeOptions("127.0.0.1", 0, List.of(), "sync", "Plaintext", true, false, false, true, 0,
        org.syncmesh.wire.FrameCodec.DEFAULT_MAX_FRAME_BYTES, null, false, NodeOptions.Security.NONE,
        new NodeOptions.HostPort("node-a.lab", 4444), 4);
    assertThat(run(told, "quit\n").output()).containsPattern("listening on 127\\.0\\.0\\.1:[0-9]+, peers are told "
        + "node-a\\.lab:4444 \\(sync");
  }

  @Test
  void endOfInput_closesTheNode() throws IOException {
    Run run = run(options(0), "set a 1\n");
    assertThat(run.status()).isZero();
    assertThat(run.output()).contains("closing the node");
  }

  @Test
  void takenPort_isAnErrorAndStatusOne() throws IOException {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      Run run = run(options(taken.getLocalPort()), "");
      assertThat(run.status()).isEqualTo(1);
      assertThat(run.output()).contains("error: cannot bind 127.0.0.1:" + taken.getLocalPort());
    }
  }

  @Test
  void table_padsColumns() {
    assertThat(HumanFormat.table(List.of("ID", "PORT"), List.of(List.of("abc", "1"), List.of("d", "65535"))))
        .isEqualTo("ID   PORT\n---  -----\nabc  1\nd    65535");
  }

  @Test
  void liveLines() {
    assertThat(HumanFormat.updated("me", Bytes.utf8("k"), List.of(1L), new MetaTuple("me", 5)))
        .isEqualTo("* set k = [1]  (by this node)");
    assertThat(HumanFormat.updated("me", Bytes.utf8("k"), "x".repeat(100), new MetaTuple("other", 5)))
        .startsWith("* set k = \"xxx").endsWith("…  (by other)");
    assertThat(HumanFormat.deleted(Bytes.utf8("k"))).isEqualTo("* deleted k");
  }
}
