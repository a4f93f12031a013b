package org.syncmesh.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.syncmesh.json.Json;
import org.syncmesh.testing.NetworkTestRule;

/** Every command of the node line protocol, and its errors, against real nodes in this JVM. */
final class LineProtocolTest {

  private static final Duration WAIT = Duration.ofSeconds(10);

  @RegisterExtension final NetworkTestRule net = new NetworkTestRule();

  private LineProtocol node(String... args) {
    NodeCommand command = new NodeCommand();
    new picocli.CommandLine(command).parseArgs(args);
    NodeOptions options = command.options();
    NodeOptions ephemeral = new NodeOptions(options.host(), 0, options.connect(), options.subnet(),
        options.transport(), options.leasing(), options.mesh(), true, false, 0, options.maxFrameBytes());
    return new LineProtocol(net.track(NodeSession.start(ephemeral)));
  }

  /** Runs a command that must succeed; returns its result as read back from the reply line. */
  private static Object call(LineProtocol node, String line) {
    Map<?, ?> reply = reply(node, line);
    assertThat(reply.get("ok")).as("reply to `%s`: %s", line, reply).isEqualTo(true);
    assertThat(List.copyOf(reply.keySet())).isEqualTo(List.of("ok", "result"));
    return reply.get("result");
  }

  /** Runs a command that must fail; returns its error message. */
  private static String error(LineProtocol node, String line) {
    Map<?, ?> reply = reply(node, line);
    assertThat(reply.get("ok")).as("reply to `%s`: %s", line, reply).isEqualTo(false);
    assertThat(List.copyOf(reply.keySet())).isEqualTo(List.of("ok", "error"));
    return (String) reply.get("error");
  }

  private static Map<?, ?> reply(LineProtocol node, String line) {
    String text = node.handle(line);
    assertThat(text).doesNotContain("\n");
    return (Map<?, ?>) Json.parse(text);
  }

  private void connect(LineProtocol from, LineProtocol to) {
    String toId = (String) call(to, "id");
    String fromId = (String) call(from, "id");
    int port = to.session().socket().port();
    assertThat(call(from, "connect 127.0.0.1 " + port)).as("connect answers once handshaken, with the peer's id")
        .isEqualTo(toId);
    await("both nodes to list each other").atMost(WAIT).until(() ->
        ids(call(from, "peers")).contains(toId) && ids(call(to, "peers")).contains(fromId));
  }

  private static List<Object> ids(Object peers) {
    return ((List<?>) peers).stream().map(p -> (Object) ((Map<?, ?>) p).get("id")).toList();
  }

  @Test
  void replyLines_haveTheContractsShape() {
    LineProtocol a = node();
    assertThat(a.handle("set k 1")).isEqualTo("{\"ok\":true,\"result\":null}");
    assertThat(a.handle("get k")).isEqualTo("{\"ok\":true,\"result\":1}");
    assertThat(a.handle("nope")).isEqualTo("{\"ok\":false,\"error\":\"unknown command: nope\"}");
  }

  @Test
  void setOnOneNode_isSeenByGetOnTheOther() {
    LineProtocol a = node();
    LineProtocol b = node();
    connect(b, a);
    String aId = (String) call(a, "id");

    call(a, "set greeting \"hello\"");
    call(a, "set \"two words 😀\" {\"n\":[1,2.5,null,true],\"b\":{\"$bin\":\"AAE=\"}}");
    await("b to get the greeting").atMost(WAIT).until(() -> "hello".equals(call(b, "get greeting")));
    await("b to get both keys").atMost(WAIT).until(() -> Long.valueOf(2).equals(call(b, "count")));

    assertThat(call(b, "get \"two words 😀\""))
        .isEqualTo(Json.parse("{\"n\":[1,2.5,null,true],\"b\":{\"$bin\":\"AAE=\"}}"));
    assertThat(call(b, "keys")).isEqualTo(List.of("greeting", "two words 😀"));
    assertThat(call(b, "items")).isEqualTo(Json.parse(
        "{\"greeting\":\"hello\",\"two words 😀\":{\"n\":[1,2.5,null,true],\"b\":{\"$bin\":\"AAE=\"}}}"));
    Map<?, ?> meta = (Map<?, ?>) call(b, "meta greeting");
    assertThat(meta.get("owner")).isEqualTo(aId);
    assertThat((Long) meta.get("timestamp")).isPositive();
    assertThat(call(b, "meta absent")).isNull();
    assertThat(call(b, "get absent")).isNull();
    assertThat(call(b, "status")).isEqualTo("Nominal");
    assertThat(call(a, "status")).isEqualTo("Nominal");
  }

  @Test
  void peers_showWhatThePeerAdvertised() {
    LineProtocol a = node();
    LineProtocol b = node();
    connect(b, a);
    Map<?, ?> peer = (Map<?, ?>) ((List<?>) call(b, "peers")).get(0);
    assertThat(peer.get("id")).isEqualTo(call(a, "id"));
    assertThat(peer.get("host")).isEqualTo("127.0.0.1");
    assertThat(peer.get("port")).isEqualTo((long) a.session().socket().port());
    assertThat(peer.get("dialect")).as("what b judged a to be").isEqualTo("syncmesh");
    assertThat(peer.get("extension")).as("the extension version the link negotiated").isEqualTo(3L);
    await("the first anti-entropy round to find both in sync").atMost(WAIT).until(() -> {
      Map<?, ?> p = (Map<?, ?>) ((List<?>) call(b, "peers")).get(0);
      return Boolean.TRUE.equals(p.get("inSync")) && p.get("lastSync") instanceof String;
    });
  }

  @Test
  void meta_showsTheVersion_andADeletedKeyAsDeleted() {
    LineProtocol a = node();
    String aId = (String) call(a, "id");
    call(a, "set k 1");
    Map<?, ?> meta = (Map<?, ?>) call(a, "meta k");
    assertThat(meta.get("deleted")).isEqualTo(false);
    assertThat(((Map<?, ?>) meta.get("version")).get("writer")).isEqualTo(aId);
    long hlc = (Long) ((Map<?, ?>) meta.get("version")).get("hlc");
    call(a, "del k");
    Map<?, ?> deleted = (Map<?, ?>) call(a, "meta k");
    assertThat(deleted.get("deleted")).isEqualTo(true);
    assertThat((Long) ((Map<?, ?>) deleted.get("version")).get("hlc")).isGreaterThan(hlc);
    assertThat(call(a, "keys")).isEqualTo(List.of());
  }

  @Test
  void delPopAndSetNull() {
    LineProtocol a = node();
    call(a, "set k [1]");
    assertThat(call(a, "pop k")).isEqualTo(List.of(1L));
    assertThat(call(a, "pop k")).isNull();
    call(a, "set k 2");
    assertThat(call(a, "set k null")).isNull();
    assertThat(call(a, "get k")).isNull();
    call(a, "set k 3");
    assertThat(call(a, "del k")).isNull();
    assertThat(call(a, "del k")).as("an absent key is not an error").isNull();
    assertThat(call(a, "keys")).isEqualTo(List.of());
  }

  @Test
  void delta_mergesObjects() {
    LineProtocol a = node();
    call(a, "delta d {\"x\":1}");
    call(a, "delta d {\"y\":{\"$bin\":\"AQ==\"}}");
    assertThat(call(a, "get d")).isEqualTo(Json.parse("{\"x\":1,\"y\":{\"$bin\":\"AQ==\"}}"));
    assertThat(error(a, "delta d [1]")).isEqualTo("delta needs a JSON object");
    assertThat(error(a, "delta d {\"$bin\":\"AQ==\"}")).isEqualTo("delta needs a JSON object");
    call(a, "set n 1");
    assertThat(error(a, "delta n {\"x\":1}")).isNotBlank();
  }

  @Test
  void leaseRefusal_saysLease() {
    LineProtocol first = node();
    LineProtocol second = node();
    connect(second, first);
    // The smaller id writes first: then the other one's write is refused even within the same
    // second, where the smaller owner would otherwise win the tie (docs/protocol-0.7.md §10.3 condition 5).
    boolean firstIsSmaller = ((String) call(first, "id")).compareTo((String) call(second, "id")) < 0;
    LineProtocol a = firstIsSmaller ? first : second;
    LineProtocol b = firstIsSmaller ? second : first;
    call(a, "set owned {\"a\":1}");
    await("b to get the key").atMost(WAIT).until(() -> call(b, "get owned") != null);
    assertThat(error(b, "set owned 2")).startsWith("lease refused: ").contains("lease");
    assertThat(error(b, "del owned")).contains("lease");
    assertThat(error(b, "set owned null")).contains("lease");
    assertThat(error(b, "pop owned")).contains("lease");
    assertThat(error(b, "delta owned {\"x\":1}")).contains("lease");
    assertThat(call(b, "get owned")).isEqualTo(Map.of("a", 1L));
  }

  @Test
  void noLeasing_newerWritesWin() {
    LineProtocol a = node("--no-leasing");
    LineProtocol b = node("--no-leasing");
    connect(b, a);
    call(a, "set k 1");
    await("b to get the key").atMost(WAIT).until(() -> Long.valueOf(1).equals(call(b, "get k")));
    // Same second: the tie-break may refuse; what matters is that the refusal says why.
    Map<?, ?> reply = reply(b, "set k 2");
    if (Boolean.FALSE.equals(reply.get("ok"))) {
      assertThat((String) reply.get("error")).contains("lease refused");
    }
  }

  @Test
  void sendAndRecv_betweenNodes() {
    LineProtocol a = node();
    LineProtocol b = node();
    connect(b, a);
    assertThat(call(a, "send [\"hi\", 1, {\"$bin\":\"AA==\"}, {\"m\":[]}]")).isNull();
    await("b to receive").atMost(WAIT).until(() -> reply(b, "recv"), r -> {
      List<?> messages = (List<?>) r.get("result");
      if (messages.isEmpty()) {
        return false;
      }
      assertThat(messages).hasSize(1);
      Map<?, ?> m = (Map<?, ?>) messages.get(0);
      assertThat(m.get("sender")).isEqualTo(call(a, "id"));
      assertThat(m.get("packets")).isEqualTo(Json.parse("[\"hi\",1,{\"$bin\":\"AA==\"},{\"m\":[]}]"));
      return true;
    });
    assertThat(call(b, "recv")).as("the queue is empty after recv").isEqualTo(List.of());
  }

  @Test
  void status_listsFailedConnects() throws IOException {
    LineProtocol a = node();
    int closed;
    try (ServerSocket s = new ServerSocket(0)) {
      closed = s.getLocalPort();
    }
    assertThat(error(a, "connect 127.0.0.1 " + closed)).startsWith("connect 127.0.0.1:" + closed + " failed: refused");
    await("the failed connect in status").atMost(WAIT).until(() -> call(a, "status"), s -> s instanceof List<?> list
        && list.size() == 1 && ((String) list.get(0)).startsWith("connect 127.0.0.1:" + closed + ": refused"));
  }

  @Test
  void connectSeedThatIsNotUpYet_isDialledUntilItAnswers_withOneStatusEntry() throws IOException {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    LineProtocol b = node("--connect", "127.0.0.1:" + port);
    await("the first attempt to fail").atMost(WAIT).until(() -> call(b, "status"), s -> s instanceof List<?>);

    NodeOptions up = new NodeOptions("127.0.0.1", port, List.of(), "sync", "Plaintext", true, false, true, false, 0);
    LineProtocol a = new LineProtocol(net.track(NodeSession.start(up)));
    String aId = (String) call(a, "id");

    await("b to reach the seed by itself").atMost(Duration.ofSeconds(40))
        .until(() -> call(b, "peers"), peers -> ((List<?>) peers).stream().anyMatch(p -> aId.equals(((Map<?, ?>) p).get("id"))));
    // Only the first attempt is the node's failure; the redials that failed after it are not.
    assertThat((List<?>) call(b, "status")).singleElement().asString().startsWith("connect 127.0.0.1:" + port + ": ");
  }

  @Test
  void waitkeys_andCount() {
    LineProtocol a = node();
    LineProtocol b = node();
    connect(b, a);
    for (int i = 0; i < 20; i++) {
      call(a, "set k" + i + " " + i);
    }
    Map<?, ?> done = (Map<?, ?>) call(b, "waitkeys 20 10000");
    assertThat(done.get("count")).isEqualTo(20L);
    assertThat((Double) done.get("elapsed_ms")).isBetween(0.0, 10000.0);
    assertThat(call(b, "count")).isEqualTo(20L);
    assertThat(error(b, "waitkeys 21 50")).isEqualTo("timeout after 50 ms: 20 of 21 keys");
  }

  @Test
  void eventsAndArrivals_recordRemoteUpdates() {
    LineProtocol a = node();
    LineProtocol b = node();
    connect(b, a);
    call(b, "events on");
    long t0 = System.nanoTime();
    call(a, "set x 1");
    await("the arrival of x").atMost(WAIT).until(() -> (List<?>) call(b, "arrivals"), list -> {
      if (list.isEmpty()) {
        return false;
      }
      Map<?, ?> arrival = (Map<?, ?>) list.get(0);
      assertThat(arrival.get("key")).isEqualTo("x");
      assertThat((Long) arrival.get("t_ns")).isGreaterThanOrEqualTo(t0);
      return true;
    });
    assertThat(call(b, "arrivals")).isEqualTo(List.of());
    call(b, "events off");
    call(a, "set y 1");
    await().atMost(WAIT).until(() -> Long.valueOf(1).equals(call(b, "get y")));
    assertThat(call(b, "arrivals")).isEqualTo(List.of());
  }

  @Test
  void writeLine_isToLinesBytesAndALineBreak_rowsWrittenAsTheyAreMade() {
    List<Map<String, Object>> rows = new ArrayList<>();
    for (int i = 0; i < 5_000; i++) {
      rows.add(Map.of("key", "k\u007f\"é😀" + i, "t_ns", 1_000_000_007L * i));
    }
    int[] made = new int[1];
    LineProtocol.RowList<Map<String, Object>> view = new LineProtocol.RowList<>() {
      @Override
      public Map<String, Object> get(int i) {
        made[0]++;
        return rows.get(i);
      }

      @Override
      public int size() {
        return rows.size();
      }
    };
    for (LineProtocol.Reply reply : List.of(LineProtocol.Reply.success(view), LineProtocol.Reply.success(List.copyOf(rows)),
        LineProtocol.Reply.success(null), LineProtocol.Reply.failure("no \"such\" key"))) {
      String expected = reply.toLine() + "\n";
      made[0] = 0;
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      reply.writeLine(new PrintStream(bytes, false, StandardCharsets.UTF_8));
      assertThat(bytes.toString(StandardCharsets.UTF_8)).isEqualTo(expected);
      if (reply.result() == view) {
        assertThat(made[0]).as("each row made once, as it is written").isEqualTo(rows.size());
      }
    }
  }

  @Test
  void unicodeKeys_asJsonStringsOrBareTokens() {
    LineProtocol a = node();
    call(a, "set \"ключ 😀\" \"значение\"");
    call(a, "set ключ 1");
    call(a, "set \"\\u00e9\\ud83d\\ude00\" 2");
    assertThat(call(a, "get \"\\u043a\\u043b\\u044e\\u0447 😀\"")).isEqualTo("значение");
    assertThat(call(a, "get ключ")).isEqualTo(1L);
    assertThat(call(a, "get é😀")).isEqualTo(2L);
    assertThat(call(a, "keys")).isEqualTo(List.of("é😀", "ключ", "ключ 😀"));
  }

  @Test
  void quit_isRecognisedOnlyWhenItSucceeds() {
    LineProtocol a = node();
    assertThat(LineProtocol.isQuit("quit", a.execute("quit"))).isTrue();
    assertThat(LineProtocol.isQuit("  quit  ", a.execute("  quit  "))).isTrue();
    assertThat(LineProtocol.isQuit("quit now", a.execute("quit now"))).isFalse();
    assertThat(call(a, "id")).as("the protocol object still answers").isInstanceOf(String.class);
  }

  @ParameterizedTest(name = "`{0}` -> {1}")
  @CsvSource(delimiterString = "=>", value = {
      "=>empty command",
      "'   '=>empty command",
      "nope=>unknown command: nope",
      "GET k=>unknown command: GET",
      "id extra=>unexpected text after id: extra",
      "get=>missing KEY",
      "get a b=>unexpected text after KEY: b",
      "get \"unterminated=>unterminated JSON string KEY",
      "get \"\\x\"=>KEY is not a valid JSON string: Unrecognized character escape 'x' (code 120) at offset 2",
      "get \"\\ud800\"=>KEY is not a valid JSON string: unpaired surrogate \\ud800 at offset 0",
      "set k=>missing VALUE",
      "set k {=>VALUE is not valid JSON: unexpected end of input at offset 1",
      "set k [1,]=>VALUE is not valid JSON: Unexpected character (']' (code 93)): expected a valid value (JSON String, Number, Array, Object or token 'null', 'true' or 'false') at offset 3",
      "set k x=>VALUE is not valid JSON: Unrecognized token 'x': was expecting (JSON String, Number, Array, Object or token 'null', 'true' or 'false') at offset 0",
      "set k 1e999=>VALUE is not valid JSON: number 1e999 is too large for a float64 at offset 0",
      "set k 18446744073709551616=>VALUE is not valid JSON: integer 18446744073709551616 is outside msgpack's range [-2^63, 2^64-1] at offset 0",
      "set k {\"$bin\":\"@@\"}=>$bin: not valid base64: Illegal base64 character 40",
      "delta k=>missing VALUE",
      "connect=>usage: connect HOST PORT (PORT 1-65535)",
      "connect 127.0.0.1=>usage: connect HOST PORT (PORT 1-65535)",
      "connect 127.0.0.1 x=>usage: connect HOST PORT (PORT 1-65535)",
      "connect 127.0.0.1 70000=>usage: connect HOST PORT (PORT 1-65535)",
      "connect a b c=>usage: connect HOST PORT (PORT 1-65535)",
      "send=>missing VALUE",
      "send {}=>send needs a JSON array of packets",
      "send 1=>send needs a JSON array of packets",
      "recv x=>unexpected text after recv: x",
      "peers x=>unexpected text after peers: x",
      "status x=>unexpected text after status: x",
      "keys x=>unexpected text after keys: x",
      "items x=>unexpected text after items: x",
      "count x=>unexpected text after count: x",
      "waitkeys=>usage: waitkeys N TIMEOUT_MS",
      "waitkeys 1=>usage: waitkeys N TIMEOUT_MS",
      "waitkeys a 1=>usage: waitkeys N TIMEOUT_MS",
      "waitkeys -1 1=>usage: waitkeys N TIMEOUT_MS",
      "events=>usage: events on|off",
      "events maybe=>usage: events on|off",
      "arrivals x=>unexpected text after arrivals: x",
      "quit now=>unexpected text after quit: now",
  })
  void malformedLines_failAndTheNodeStaysUp(String line, String expected) {
    LineProtocol a = node();
    assertThat(error(a, line == null ? "" : line)).isEqualTo(expected);
    assertThat(call(a, "status")).isEqualTo("Nominal");
    assertThat(call(a, "set alive true")).isNull();
  }

  @Test
  void meshNode_hasNoDictionary_butSendsAndReceives() {
    LineProtocol a = node("--mesh");
    LineProtocol b = node("--mesh");
    connect(b, a);
    for (String line : List.of("set k 1", "get k", "del k", "delta k {}", "pop k", "keys", "items", "meta k", "count",
        "waitkeys 1 1", "get", "set")) {
      assertThat(error(a, line)).as(line).isEqualTo("not a sync node (started with --mesh)");
    }
    call(a, "events on");
    call(a, "send [\"alert\"]");
    await("b to receive").atMost(WAIT).until(() -> ((List<?>) call(b, "recv")).size() == 1);
    assertThat(call(b, "arrivals")).isEqualTo(List.of());
    assertThat(call(b, "status")).isEqualTo("Nominal");
  }

  @Test
  void syncNode_isAlsoAnAlertNetwork() {
    LineProtocol a = node();
    LineProtocol b = node();
    connect(b, a);
    call(b, "send [\"from b\", null]");
    await("a to receive").atMost(WAIT).until(() -> call(a, "recv"), r -> !((List<?>) r).isEmpty());
  }

  @Test
  void anUnknownTenMegabyteLine_isQuotedShort_andTheNodeStaysUp() {
    LineProtocol a = node();
    String huge = "q".repeat(10_000_000);
    String reply = a.handle(huge);
    assertThat(reply).hasSizeLessThan(300)
        .isEqualTo("{\"ok\":false,\"error\":\"unknown command: " + "q".repeat(200) + "… (10000000 characters)\"}");
    assertThat(error(a, "id " + huge)).isEqualTo("unexpected text after id: " + "q".repeat(200)
        + "… (10000000 characters)");
    assertThat(error(a, "get k " + huge)).hasSizeLessThan(300).endsWith("(10000000 characters)");
    assertThat(call(a, "status")).isEqualTo("Nominal");
  }

  @Test
  void connect_toAPlaintextNodeOverTls_isATlsRefusal() {
    LineProtocol plain = node();
    LineProtocol tls = node("--transport", "SSL");
    int port = plain.session().socket().port();
    assertThat(error(tls, "connect 127.0.0.1 " + port))
        .startsWith("connect 127.0.0.1:" + port + " failed: TLS refused: ");
  }

  @Test
  void connect_toSelf_isAHandshakeRefusal() {
    LineProtocol a = node();
    int port = a.session().socket().port();
    assertThat(error(a, "connect 127.0.0.1 " + port)).startsWith("connect 127.0.0.1:" + port
        + " failed: handshake refused: 127.0.0.1:" + port + " is this node itself");
  }

  @Test
  void differentSubnets_neverPair() {
    LineProtocol a = node("--subnet", "one");
    LineProtocol b = node("--subnet", "two");
    assertThat(error(b, "connect 127.0.0.1 " + a.session().socket().port()))
        .contains("failed: handshake refused: protocol mismatch");
    await("the mismatch in b's status").atMost(WAIT).until(() -> call(b, "status") instanceof List);
    assertThat(call(b, "peers")).isEqualTo(List.of());
  }

  @Test
  void aValueOverTheFrameCap_isRefusedNamingTheLimitAndTheOption_andNothingIsStoredOrSent() {
    LineProtocol a = node("--max-frame-bytes", "65536");
    LineProtocol b = node("--max-frame-bytes", "65536");
    connect(b, a);
    String big = "q".repeat(70_000);
    String message = error(a, "set big \"" + big + "\"");
    assertThat(message).contains("value of key \"big\"").contains("over the frame cap of 65536 bytes")
        .contains("--max-frame-bytes").doesNotContain("qqqqqqqq");
    assertThat(error(a, "delta m {\"f\": \"" + big + "\"}")).contains("--max-frame-bytes");
    assertThat(call(a, "get big")).isNull();
    assertThat(call(a, "count")).isEqualTo(0L);
    call(a, "set marker 1");
    await("b to hold the marker").atMost(WAIT).until(() -> Long.valueOf(1).equals(call(b, "get marker")));
    assertThat(call(b, "keys")).isEqualTo(List.of("marker"));
  }

  @Test
  void replyLine_ofAResultTooDeepToWrite_isAnErrorLine() {
    Object result = 1L;
    for (int i = 1; i < Json.MAX_DEPTH; i++) { // the reply's object is one more level
      result = List.of(result);
    }
    String line = LineProtocol.Reply.success(result).toLine();
    assertThat(line).isEqualTo(
        "{\"ok\":true,\"result\":" + "[".repeat(Json.MAX_DEPTH - 1) + "1" + "]".repeat(Json.MAX_DEPTH - 1) + "}");
    assertThat(LineProtocol.Reply.success(List.of(result)).toLine())
        .isEqualTo("{\"ok\":false,\"error\":\"cannot write the result as JSON: nested deeper than 512 levels\"}");
  }
}
