package org.syncmesh.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * {@code syncmesh node --http}: a node started from the parsed options serves its metrics at
 * {@code /metrics} in the Prometheus text format, and nothing else.
 */
final class MetricsServerTest {

  private static final Duration WAIT = Duration.ofSeconds(10);
  /** A sample line: {@code name{label="value",...} value}, the value a number as Prometheus writes it. */
  private static final Pattern SAMPLE = Pattern.compile(
      "[a-zA-Z_:][a-zA-Z0-9_:]*(\\{([a-zA-Z_][a-zA-Z0-9_]*=\"([^\"\\\\]|\\\\.)*\",?)*\\})? "
          + "(-?[0-9.]+([eE][-+]?[0-9]+)?|NaN|[+-]Inf)");
  private static final Pattern COMMENT = Pattern.compile("# (HELP|TYPE) [a-zA-Z_:][a-zA-Z0-9_:]* .*");

  private static NodeCommand parse(String... args) {
    NodeCommand command = new NodeCommand();
    new CommandLine(command).parseArgs(args);
    return command;
  }

  @Test
  void aNodeWithHttpOnPort0_servesPrometheusText_withItsMetrics_and404Elsewhere() throws Exception {
    NodeCommand command = parse("--port", "0", "--http", "0", "--no-input");
    assertThat(command.http).isEqualTo(new NodeCommand.HttpAddr("127.0.0.1", 0));
    try (MetricsServer server = NodeCommand.startMetrics(command.http);
        NodeSession session = NodeSession.start(command.options())) {
      server.serve(session.sync());
      assertThat(server.address().getAddress().isLoopbackAddress()).isTrue();
      assertThat(server.address().getPort()).isPositive();
      session.sync().set("k", "v");
      HttpClient client = HttpClient.newBuilder().connectTimeout(WAIT).build();
      String base = "http://127.0.0.1:" + server.address().getPort();

      HttpResponse<String> metrics = client.send(HttpRequest.newBuilder(URI.create(base + "/metrics")).timeout(WAIT)
          .build(), HttpResponse.BodyHandlers.ofString());
      assertThat(metrics.statusCode()).isEqualTo(200);
      assertThat(metrics.headers().firstValue("content-type")).contains(MetricsServer.CONTENT_TYPE);
      List<String> lines = metrics.body().lines().toList();
      assertThat(lines).isNotEmpty().allSatisfy(line -> assertThat(
          SAMPLE.matcher(line).matches() || COMMENT.matcher(line).matches())
          .as("a sample or a HELP/TYPE line: %s", line).isTrue());
      String node = org.syncmesh.mesh.PeerInfo.shortId(session.socket().id());
      assertThat(lines).contains("# TYPE syncmesh_writes_total counter", "# TYPE syncmesh_keys gauge")
          .contains("syncmesh_writes_total{node=\"" + node + "\",origin=\"local\"} 1.0")
          .contains("syncmesh_keys{node=\"" + node + "\"} 1.0")
          .anyMatch(l -> l.startsWith("syncmesh_handshake_failures_total{"));
      assertThat(lines).filteredOn(l -> l.startsWith("# TYPE ")).allSatisfy(t -> {
        String name = t.split(" ")[2];
        assertThat(lines).as("samples of %s", name).anyMatch(l -> l.startsWith(name));
      });

      HttpResponse<String> other = client.send(HttpRequest.newBuilder(URI.create(base + "/")).timeout(WAIT).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(other.statusCode()).isEqualTo(404);
      HttpResponse<String> post = client.send(HttpRequest.newBuilder(URI.create(base + "/metrics")).timeout(WAIT)
          .POST(HttpRequest.BodyPublishers.ofString("x")).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(post.statusCode()).isEqualTo(405);
    }
  }

  @Test
  void anHttpAddressInUse_failsWithItsAddress_beforeTheNodeStarts() throws Exception {
    try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      NodeCommand command = parse("--port", "0", "--http", "127.0.0.1:" + taken.getLocalPort());
      assertThatThrownBy(() -> NodeCommand.startMetrics(command.http)).isInstanceOf(java.io.UncheckedIOException.class)
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
}
