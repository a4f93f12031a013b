package org.syncmesh.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.syncmesh.Protocol;
import org.syncmesh.json.Json;
import org.syncmesh.mesh.PeerInfo;
import org.syncmesh.testing.NetworkTestRule;
import picocli.CommandLine;

/**
 * {@code syncmesh node --http}: a node started from the parsed options serves its metrics, its page's
 * files, its JSON API and its event stream (docs/http.md); with a token, nothing without it.
 */
final class WebServerTest {

  private static final Duration WAIT = Duration.ofSeconds(10);
  /** A sample line: {@code name{label="value",...} value}, the value a number as Prometheus writes it. */
  private static final Pattern SAMPLE = Pattern.compile(
      "[a-zA-Z_:][a-zA-Z0-9_:]*(\\{([a-zA-Z_][a-zA-Z0-9_]*=\"([^\"\\\\]|\\\\.)*\",?)*\\})? "
          + "(-?[0-9.]+([eE][-+]?[0-9]+)?|NaN|[+-]Inf)");
  private static final Pattern COMMENT = Pattern.compile("# (HELP|TYPE) [a-zA-Z_:][a-zA-Z0-9_:]* .*");

  @RegisterExtension final NetworkTestRule net = new NetworkTestRule();

  private final HttpClient client = HttpClient.newBuilder().connectTimeout(WAIT).build();

  private static NodeCommand parse(String... args) {
    NodeCommand command = new NodeCommand();
    new CommandLine(command).parseArgs(args);
    return command;
  }

  private NodeSession node(boolean leasing) {
    return net.track(NodeSession.start(new NodeOptions("127.0.0.1", 0, List.of(), "sync", Protocol.PLAINTEXT,
        leasing, false, false, false, 0)));
  }

  private WebServer served(NodeSession session, WebToken token) {
    WebServer server = net.track(WebServer.start("127.0.0.1", 0, token));
    server.serve(session, token != null);
    return server;
  }

  private static String base(WebServer server) {
    return "http://127.0.0.1:" + server.address().getPort();
  }

  private HttpResponse<String> get(WebServer server, String path, String... headers) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base(server) + path)).timeout(WAIT);
    if (headers.length > 0) {
      request.headers(headers);
    }
    return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private Map<?, ?> json(WebServer server, String path) throws Exception {
    HttpResponse<String> response = get(server, path);
    assertThat(response.statusCode()).as("%s: %s", path, response.body()).isEqualTo(200);
    assertThat(response.headers().firstValue("content-type")).contains(WebRouter.JSON);
    return (Map<?, ?>) Json.parse(response.body());
  }

  @Test
  void aNodeWithHttpOnPort0_servesPrometheusText_withItsMetrics_and404Elsewhere() throws Exception {
    NodeCommand command = parse("--port", "0", "--http", "0", "--no-input");
    assertThat(command.http).isEqualTo(new NodeCommand.HttpAddr("127.0.0.1", 0));
    WebServer server = net.track(NodeCommand.startWeb(command.http));
    NodeSession session = net.track(NodeSession.start(command.options()));
    server.serve(session, false);
    assertThat(server.address().getAddress().isLoopbackAddress()).isTrue();
    assertThat(server.address().getPort()).isPositive();
    session.sync().set("k", "v");

    HttpResponse<String> metrics = get(server, "/metrics");
    assertThat(metrics.statusCode()).isEqualTo(200);
    assertThat(metrics.headers().firstValue("content-type")).contains(WebServer.CONTENT_TYPE);
    List<String> lines = metrics.body().lines().toList();
    assertThat(lines).isNotEmpty().allSatisfy(line -> assertThat(
        SAMPLE.matcher(line).matches() || COMMENT.matcher(line).matches())
        .as("a sample or a HELP/TYPE line: %s", line).isTrue());
    String node = PeerInfo.shortId(session.socket().id());
    assertThat(lines).contains("# TYPE syncmesh_writes_total counter", "# TYPE syncmesh_keys gauge")
        .contains("syncmesh_writes_total{node=\"" + node + "\",origin=\"local\"} 1.0")
        .contains("syncmesh_keys{node=\"" + node + "\"} 1.0")
        .anyMatch(l -> l.startsWith("syncmesh_handshake_failures_total{"));
    assertThat(lines).filteredOn(l -> l.startsWith("# TYPE ")).allSatisfy(t -> {
      String name = t.split(" ")[2];
      assertThat(lines).as("samples of %s", name).anyMatch(l -> l.startsWith(name));
    });

    assertThat(get(server, "/nope").statusCode()).isEqualTo(404);
    HttpResponse<String> api404 = get(server, "/api/nope");
    assertThat(api404.statusCode()).isEqualTo(404);
    assertThat(((Map<?, ?>) Json.parse(api404.body())).get("error")).asString().contains("/api/nope");
    HttpResponse<String> post = client.send(HttpRequest.newBuilder(URI.create(base(server) + "/metrics"))
        .timeout(WAIT).POST(HttpRequest.BodyPublishers.ofString("x")).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(post.statusCode()).isEqualTo(405);
    assertThat(post.headers().firstValue("allow")).contains("GET, HEAD");
  }

  @Test
  void thePagesFiles_areServedFromTheJar_withTheirContentTypes_andRevalidated() throws Exception {
    WebServer server = served(node(true), null);
    Map<String, String> types = Map.of("/", "text/html; charset=utf-8", "/index.html", "text/html; charset=utf-8",
        "/app.js", "text/javascript; charset=utf-8", "/style.css", "text/css; charset=utf-8",
        "/favicon.svg", "image/svg+xml");
    for (Map.Entry<String, String> e : types.entrySet()) {
      HttpResponse<String> r = get(server, e.getKey());
      assertThat(r.statusCode()).as(e.getKey()).isEqualTo(200);
      assertThat(r.headers().firstValue("content-type")).as(e.getKey()).contains(e.getValue());
      assertThat(r.headers().firstValue("cache-control")).as(e.getKey()).contains("no-cache");
      assertThat(r.headers().firstValue("x-content-type-options")).contains("nosniff");
      String etag = r.headers().firstValue("etag").orElseThrow();
      assertThat(get(server, e.getKey(), "If-None-Match", etag).statusCode()).as(e.getKey()).isEqualTo(304);
      assertThat(get(server, e.getKey(), "If-None-Match", "\"other\"").statusCode()).isEqualTo(200);
    }
    HttpResponse<String> page = get(server, "/");
    assertThat(page.body()).contains("<script src=\"app.js\" defer></script>").doesNotContain("http://", "https://");
    assertThat(page.headers().firstValue("content-security-policy")).contains(WebRouter.PAGE_POLICY);
    assertThat(page.headers().firstValue("set-cookie")).as("no token, no cookie").isEmpty();
    assertThat(get(server, "/app.js").body()).doesNotContain("innerHTML", "insertAdjacentHTML", "eval(");
    HttpResponse<String> head = client.send(HttpRequest.newBuilder(URI.create(base(server) + "/app.js")).timeout(WAIT)
        .method("HEAD", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(head.statusCode()).isEqualTo(200);
    assertThat(head.body()).isEmpty();
  }

  @Test
  void apiKeys_pagesByCursor_inKeyOrder_andFiltersByPrefixAndOwner() throws Exception {
    NodeSession a = node(false);
    NodeSession b = node(false);
    b.connectAndWait("127.0.0.1", a.socket().port());
    Map<String, Object> written = new HashMap<>();
    for (int i = 0; i < 120; i++) {
      written.put(String.format("a/%03d", i), (long) i);
    }
    a.sync().update(written);
    Map<String, Object> fromB = Map.of("b/1", "x", "b/2", "y", "c", "z");
    b.sync().update(fromB);
    await("a to hold b's keys").atMost(WAIT).until(() -> a.sync().size() == 123);
    WebServer server = served(a, null);

    Map<?, ?> first = json(server, "/api/keys");
    assertThat((List<?>) first.get("keys")).hasSize(WebApi.DEFAULT_LIMIT);
    assertThat(first.get("matched")).isEqualTo(123L);
    List<String> all = new ArrayList<>();
    String after = null;
    int pages = 0;
    do {
      Map<?, ?> page = json(server, "/api/keys?limit=50" + (after == null ? "" : "&after=" + encode(after)));
      for (Object row : (List<?>) page.get("keys")) {
        all.add((String) ((Map<?, ?>) row).get("key"));
      }
      after = (String) page.get("next");
      pages++;
    } while (after != null);
    assertThat(pages).isEqualTo(3);
    List<String> expected = new ArrayList<>(written.keySet());
    expected.addAll(fromB.keySet());
    expected.sort(null);
    assertThat(all).isEqualTo(expected);

    Map<?, ?> prefix = json(server, "/api/keys?prefix=b%2F&limit=1");
    assertThat(prefix.get("matched")).isEqualTo(2L);
    assertThat(keysOf(prefix)).containsExactly("b/1");
    assertThat(prefix.get("next")).isEqualTo("b/1");
    assertThat(keysOf(json(server, "/api/keys?prefix=b%2F&after=b%2F1"))).containsExactly("b/2");

    Map<?, ?> owned = json(server, "/api/keys?owner=" + PeerInfo.shortId(b.socket().id()));
    assertThat(keysOf(owned)).containsExactly("b/1", "b/2", "c");
    Map<?, ?> row = (Map<?, ?>) ((List<?>) owned.get("keys")).get(0);
    assertThat(row.get("owner")).isEqualTo(b.socket().id());
    assertThat(row.get("value")).isEqualTo("\"x\"");
    assertThat(row.containsKey("leaseExpires")).isFalse(); // leasing is off
    assertThat(keysOf(json(server, "/api/keys?owner=" + PeerInfo.shortId(a.socket().id()) + "&prefix=a%2F11")))
        .containsExactly("a/110", "a/111", "a/112", "a/113", "a/114", "a/115", "a/116", "a/117", "a/118", "a/119");

    for (String bad : List.of("limit=0", "limit=501", "limit=x", "limit=-1", "prefix=a&prefix=b")) {
      HttpResponse<String> r = get(server, "/api/keys?" + bad);
      assertThat(r.statusCode()).as(bad).isEqualTo(400);
      assertThat(((Map<?, ?>) Json.parse(r.body())).get("error")).as(bad).asString()
          .containsAnyOf("limit", "prefix");
    }
    assertThat((List<?>) json(server, "/api/keys?limit=500").get("keys")).hasSize(123);
  }

  @Test
  void apiKeys_showsUserData_asJsonText_cutToItsBound_withLeaseExpiry() throws Exception {
    NodeSession a = node(true);
    WebServer server = served(a, null);
    String markup = "<img src=x onerror=alert(1)>\"'&";
    String longValue = "v".repeat(WebApi.MAX_VALUE_CHARS - 2) + "😀😀"; // the cut falls inside an emoji's pair
    a.sync().set(markup, longValue);
    a.sync().set("bin", new byte[] {0, 1});

    Map<?, ?> page = json(server, "/api/keys");
    List<?> rows = (List<?>) page.get("keys");
    Map<?, ?> bin = (Map<?, ?>) rows.get(1);
    assertThat(bin.get("value")).isEqualTo("{\"$bin\":\"AAE=\"}");
    Map<?, ?> row = (Map<?, ?>) rows.get(0);
    assertThat(row.get("key")).isEqualTo(markup);
    String shown = (String) row.get("value");
    assertThat(row.get("valueTruncated")).isEqualTo(true);
    assertThat(shown).hasSizeLessThanOrEqualTo(WebApi.MAX_VALUE_CHARS).startsWith("\"vvv")
        .isEqualTo(Json.write(longValue).substring(0, WebApi.MAX_VALUE_CHARS - 1));
    assertThat(Character.isHighSurrogate(shown.charAt(shown.length() - 1))).isFalse();
    long timestamp = (Long) row.get("timestamp");
    assertThat(row.get("leaseExpires")).isEqualTo(timestamp + 3600);
    assertThat(row.get("owner")).isEqualTo(a.socket().id());

    String longKey = "~" + "é".repeat(5000); // sorts last; its cursor is a 30 KB request line
    a.sync().set(longKey, 1L);
    Map<?, ?> last = json(server, "/api/keys?after=bin&limit=1");
    Map<?, ?> longRow = (Map<?, ?>) ((List<?>) last.get("keys")).get(0);
    assertThat(longRow.get("key")).isEqualTo(longKey.substring(0, WebApi.MAX_KEY_CHARS));
    assertThat(longRow.get("keyTruncated")).isEqualTo(true);
    assertThat(last.get("next")).isNull();
    Map<?, ?> beyond = json(server, "/api/keys?after=" + encode(longKey));
    assertThat((List<?>) beyond.get("keys")).isEmpty();
    assertThat(beyond.get("matched")).isEqualTo(3L);
    a.sync().del(longKey);

    Map<?, ?> nodeInfo = json(server, "/api/node");
    assertThat(nodeInfo.get("id")).isEqualTo(a.socket().id());
    assertThat(nodeInfo.get("shortId")).isEqualTo(PeerInfo.shortId(a.socket().id()));
    assertThat(nodeInfo.get("address")).isEqualTo("127.0.0.1:" + a.socket().port());
    assertThat(nodeInfo.get("leasing")).isEqualTo(true);
    assertThat(nodeInfo.get("secure")).isEqualTo(false);
    assertThat(nodeInfo.get("keys")).isEqualTo(2L);
    assertThat(nodeInfo.get("status")).isEqualTo("Nominal");
    assertThat(nodeInfo.get("statusLines")).isEqualTo(List.of());
  }

  @Test
  void apiPeers_listsEachPeer_withDialectLinkStateAndTraffic() throws Exception {
    NodeSession a = node(true);
    NodeSession b = node(true);
    WebServer server = served(a, null);
    assertThat((List<?>) json(server, "/api/peers").get("peers")).isEmpty();
    b.connectAndWait("127.0.0.1", a.socket().port());
    b.sync().set("k", "v");
    await("a to get b's key").atMost(WAIT).until(() -> a.sync().containsKey("k"));
    await("a's page to list b with traffic").atMost(WAIT).until(() -> json(server, "/api/peers").get("peers"),
        p -> ((List<?>) p).size() == 1 && (Long) ((Map<?, ?>) ((List<?>) p).get(0)).get("bytesIn") > 0);
    Map<?, ?> peer = (Map<?, ?>) ((List<?>) json(server, "/api/peers").get("peers")).get(0);
    assertThat(peer.get("id")).isEqualTo(b.socket().id());
    assertThat(peer.get("shortId")).isEqualTo(PeerInfo.shortId(b.socket().id()));
    assertThat(peer.get("dialect")).isEqualTo("syncmesh");
    assertThat(peer.get("outgoing")).isEqualTo(false);
    assertThat(peer.get("link")).isIn("in sync", "syncing");
    assertThat((Long) peer.get("bytesOut")).isPositive();
    assertThat((Long) peer.get("framesIn")).isPositive();
    assertThat((Long) peer.get("queuedBytes")).isNotNegative();
  }

  @Test
  void theEventStream_deliversUpdatesDeletesPeersAndTicks_andUnsubscribesWhenTheLastClientLeaves() throws Exception {
    NodeSession a = node(false);
    WebServer server = served(a, null);
    NodeSession b = node(false);
    try (SseClient events = new SseClient(client, URI.create(base(server) + "/api/events"))) {
      assertThat(events.status()).isEqualTo(200);
      await("the stream's first tick").atMost(WAIT).until(() -> !events.named("tick").isEmpty());
      assertThat(server.eventClients()).isEqualTo(1);

      b.connectAndWait("127.0.0.1", a.socket().port());
      a.sync().set("<b>local</b>", List.of(1, "x"));
      b.sync().set("remote", "y".repeat(1000));
      await("a to get b's key").atMost(WAIT).until(() -> a.sync().containsKey("remote"));
      a.sync().del("<b>local</b>");
      // the byte totals sample the links each tick: wait for one while b is linked
      await("a tick that counts the writes").atMost(WAIT).until(() -> events.named("tick"),
          ticks -> ticks.stream().anyMatch(t -> (Long) t.get("writesLocal") == 2 && (Long) t.get("writesRemote") == 1
              && (Long) t.get("bytesIn") > 0 && (Long) t.get("bytesOut") > 0));
      b.close();

      await("update, delete and peer events").atMost(WAIT).untilAsserted(() -> {
        assertThat(events.named("update")).extracting(e -> (Object) e.get("key")).contains("<b>local</b>", "remote");
        assertThat(events.named("delete")).extracting(e -> (Object) e.get("key")).containsExactly("<b>local</b>");
        assertThat(events.named("peer")).extracting(e -> (Object) e.get("event")).containsExactly("joined", "left");
      });
      Map<?, ?> local = events.named("update").stream().filter(e -> e.get("key").equals("<b>local</b>"))
          .findFirst().orElseThrow();
      assertThat(local.get("value")).isEqualTo("[1,\"x\"]");
      assertThat(local.get("owner")).isEqualTo(a.socket().id());
      Map<?, ?> remote = events.named("update").stream().filter(e -> e.get("key").equals("remote"))
          .findFirst().orElseThrow();
      assertThat(remote.get("valueTruncated")).isEqualTo(true);
      assertThat((String) remote.get("value")).hasSize(WebApi.MAX_VALUE_CHARS);
      assertThat(events.named("peer").get(0).get("id")).isEqualTo(b.socket().id());
      assertThat(events.named("peer").get(0).get("dialect")).isEqualTo("syncmesh");

      Map<?, ?> tick = events.named("tick").get(events.named("tick").size() - 1);
      assertThat(new ArrayList<Object>(tick.keySet())).containsExactly("time", "writesLocal", "writesRemote", "refused", "bytesIn",
          "bytesOut", "keys", "tombstones", "peers");
    }
    await("the server to see the client leave").atMost(WAIT).until(server::eventClients, n -> n == 0);
  }

  @Test
  void aNewStatusLine_isSentAsARefusedEvent_once() throws Exception {
    NodeSession a = node(false);
    a.connect("127.0.0.1", 1); // a line from before the stream: not sent
    await("the first failed connect's line").atMost(WAIT).until(() -> a.status().size() == 1);
    WebServer server = served(a, null);
    try (SseClient events = new SseClient(client, URI.create(base(server) + "/api/events"))) {
      await("the stream's first tick").atMost(WAIT).until(() -> !events.named("tick").isEmpty());
      int closedPort;
      try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
        closedPort = s.getLocalPort();
      }
      a.connect("127.0.0.1", closedPort);
      await("a refused event").atMost(WAIT).until(() -> events.named("refused"), r -> !r.isEmpty());
      int ticks = events.named("tick").size();
      await("two more ticks").atMost(WAIT).until(() -> events.named("tick").size() >= ticks + 2);
      assertThat(events.named("refused")).singleElement().satisfies(r ->
          assertThat((String) r.get("line")).startsWith("connect 127.0.0.1:" + closedPort));
    }
  }

  @Test
  void aNodeWritingFasterThanTheStreamFlushes_sendsADroppedMarker_andLosesNothingSilently() throws Exception {
    NodeSession a = node(false);
    WebServer server = served(a, null);
    int writes = 3 * WebEvents.MAX_PER_BATCH;
    try (SseClient events = new SseClient(client, URI.create(base(server) + "/api/events"))) {
      await("the stream's first tick").atMost(WAIT).until(() -> !events.named("tick").isEmpty());
      Map<String, Object> batch = new HashMap<>();
      for (int i = 0; i < writes; i++) {
        batch.put("k" + i, (long) i);
      }
      a.sync().update(batch); // one step: every update event is queued at once, faster than one flush shows
      await("every write shown or counted").atMost(WAIT).until(() -> events.named("update").size()
          + events.named("dropped").stream().mapToLong(d -> (Long) d.get("count")).sum() == writes);
      assertThat(events.named("dropped")).as("a batch holds at most %d events", WebEvents.MAX_PER_BATCH).isNotEmpty();
      assertThat(events.named("update").size()).isLessThan(writes);
    }
  }

  @Test
  void aClientThatStopsReading_blocksNothing_andIsDisconnected() throws Exception {
    NodeSession a = node(false);
    WebServer server = served(a, null);
    try (java.net.Socket stalled = new java.net.Socket();
        SseClient healthy = new SseClient(client, URI.create(base(server) + "/api/events"))) {
      stalled.setReceiveBufferSize(2048); // a small window: the server's side fills up soon
      stalled.connect(server.address(), (int) WAIT.toMillis());
      stalled.getOutputStream().write("GET /api/events HTTP/1.1\r\nHost: x\r\n\r\n"
          .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      stalled.getOutputStream().flush();
      await("both streams open").atMost(WAIT).until(server::eventClients, n -> n == 2);

      String value = "v".repeat(1000);
      String key = "k".repeat(WebApi.MAX_KEY_CHARS - 8); // events as large as they come: ~1.4 KB each
      long deadline = System.nanoTime() + Duration.ofSeconds(40).toNanos();
      int round = 0;
      // the node keeps writing, 2000 updates a round, until the stalled client is dropped
      while (server.eventClients() == 2) {
        assertThat(System.nanoTime()).as("the stalled client dropped within 40 s").isLessThan(deadline);
        Map<String, Object> batch = new HashMap<>();
        for (int i = 0; i < 2000; i++) {
          batch.put(key + (round * 2000 + i) % 6000, value + round);
        }
        a.sync().update(batch);
        round++;
        int ticks = healthy.named("tick").size();
        await("the healthy client to get its next tick").atMost(WAIT).until(() -> healthy.named("tick").size() > ticks);
      }
      assertThat(server.eventClients()).isEqualTo(1);
      assertThat(healthy.named("update")).isNotEmpty();
      assertThat(healthy.named("dropped")).as("the healthy client was told what it was not shown").isNotEmpty();
      assertThat(json(server, "/api/node").get("keys")).isEqualTo(6000L);
    }
  }

  @Test
  void withAToken_everyRequestWithoutIt_gets401AndNothingElse() throws Exception {
    NodeSession a = node(true);
    a.sync().set("secret", "s");
    WebToken token = WebToken.of("t0ken-of-the-node");
    WebServer server = served(a, token);
    for (String path : List.of("/", "/app.js", "/metrics", "/api/node", "/api/peers", "/api/keys", "/api/events",
        "/nope")) {
      for (String[] headers : List.of(new String[0], new String[] {"Authorization", "Bearer wrong"},
          new String[] {"Cookie", WebToken.COOKIE + "=t0ken-of-the-nod"}, new String[] {"Authorization", "t0ken-of-the-node"})) {
        HttpResponse<String> r = get(server, path, headers);
        assertThat(r.statusCode()).as("%s %s", path, List.of(headers)).isEqualTo(401);
        assertThat(r.body()).isEqualTo("unauthorized\n");
        assertThat(r.headers().firstValue("www-authenticate")).contains("Bearer");
      }
    }
    assertThat(get(server, "/api/keys?token=t0ken-of-the-node").statusCode()).as("the URL's token: the page only")
        .isEqualTo(401);

    HttpResponse<String> page = get(server, "/?token=t0ken-of-the-node");
    assertThat(page.statusCode()).isEqualTo(200);
    String cookie = page.headers().firstValue("set-cookie").orElseThrow();
    assertThat(cookie).startsWith(WebToken.COOKIE + "=t0ken-of-the-node;").containsIgnoringCase("; HttpOnly")
        .contains("; SameSite=Strict", "; Path=/");
    assertThat(get(server, "/api/node", "Cookie", WebToken.COOKIE + "=t0ken-of-the-node").statusCode()).isEqualTo(200);
    assertThat(get(server, "/metrics", "Authorization", "Bearer t0ken-of-the-node").statusCode()).isEqualTo(200);
    Map<?, ?> keys = (Map<?, ?>) Json.parse(get(server, "/api/keys", "Authorization", "Bearer t0ken-of-the-node")
        .body());
    assertThat(keysOf(keys)).containsExactly("secret");
    try (SseClient events = new SseClient(client, URI.create(base(server) + "/api/events"), "Cookie",
        WebToken.COOKIE + "=t0ken-of-the-node")) {
      assertThat(events.status()).isEqualTo(200);
      await("a tick").atMost(WAIT).until(() -> !events.named("tick").isEmpty());
    }
  }

  @Test
  void theToken_isTheFilesOrRandomInASecureNetwork_andNoneInAnOpenOne(@TempDir Path dir) throws Exception {
    assertThat(parse("--http", "0").httpToken(false)).isNull();
    WebToken random = parse("--http", "0").httpToken(true);
    assertThat(random.text()).matches("[A-Za-z0-9_-]{43}");
    assertThat(parse("--http", "0").httpToken(true).text()).isNotEqualTo(random.text());

    Path file = Files.writeString(dir.resolve("token"), "  s3cret/token=\n");
    assertThat(parse("--http", "0", "--http-token-file", file.toString()).httpToken(false).text())
        .isEqualTo("s3cret/token=");
    Path empty = Files.writeString(dir.resolve("empty"), " \n");
    assertThatThrownBy(() -> parse("--http", "0", "--http-token-file", empty.toString()).httpToken(true))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(empty.toString()).hasMessageContaining("empty");
    Path bad = Files.writeString(dir.resolve("bad"), "a b;c");
    assertThatThrownBy(() -> parse("--http", "0", "--http-token-file", bad.toString()).httpToken(true))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(bad.toString());
    assertThatThrownBy(() -> parse("--http", "0", "--http-token-file", dir.resolve("missing").toString())
        .httpToken(true)).isInstanceOf(java.io.UncheckedIOException.class).hasMessageContaining("missing");
    assertThatThrownBy(() -> parse("--http-token-file", file.toString()).options())
        .isInstanceOf(CommandLine.ParameterException.class).hasMessageContaining("--http");
    assertThat(random.toString()).doesNotContain(random.text());
  }

  @Test
  void statusLines_newSinceTheLastLook_areThoseAfterWhatWasSeen() {
    assertThat(WebEvents.newLines(List.of(), List.of("a"))).containsExactly("a");
    assertThat(WebEvents.newLines(List.of("a", "b"), List.of("a", "b", "c"))).containsExactly("c");
    assertThat(WebEvents.newLines(List.of("a", "b"), List.of("b", "c", "d"))).containsExactly("c", "d");
    assertThat(WebEvents.newLines(List.of("a", "b"), List.of("x"))).containsExactly("x");
    assertThat(WebEvents.newLines(List.of("a", "b"), List.of("a", "b"))).isEmpty();
  }

  @Test
  void anHttpAddressInUse_failsWithItsAddress_beforeTheNodeStarts() throws Exception {
    try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      NodeCommand command = parse("--port", "0", "--http", "127.0.0.1:" + taken.getLocalPort());
      assertThatThrownBy(() -> NodeCommand.startWeb(command.http)).isInstanceOf(java.io.UncheckedIOException.class)
          .hasMessageContaining("--http 127.0.0.1:" + taken.getLocalPort());
    }
  }

  @Test
  void httpValues_areChecked_andNotWithMesh() {
    assertThat(parse("--http", "[::1]:9100").http).isEqualTo(new NodeCommand.HttpAddr("::1", 9100));
    assertThat(parse("--http", "0.0.0.0:9100").http).isEqualTo(new NodeCommand.HttpAddr("0.0.0.0", 9100));
    for (String bad : List.of("", "x", ":9100", "1:65536", "host:-1")) {
      assertThatThrownBy(() -> parse("--http", bad)).as(bad).isInstanceOf(CommandLine.ParameterException.class)
          .hasMessageContaining("--http");
    }
    assertThatThrownBy(() -> parse("--mesh", "--http", "0").options())
        .isInstanceOf(CommandLine.ParameterException.class).hasMessageContaining("--mesh");
  }

  private static List<String> keysOf(Map<?, ?> page) {
    return ((List<?>) page.get("keys")).stream().map(r -> (String) ((Map<?, ?>) r).get("key")).toList();
  }

  private static String encode(String s) {
    return java.net.URLEncoder.encode(s, java.nio.charset.StandardCharsets.UTF_8);
  }
}
