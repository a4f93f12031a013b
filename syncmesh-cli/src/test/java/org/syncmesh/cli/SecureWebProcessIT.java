package org.syncmesh.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.syncmesh.json.Json;
import org.syncmesh.testing.LineNode;
import org.syncmesh.testing.NetworkTestRule;

/**
 * The packaged node of a secure network with {@code --http}: it makes a token, prints the page's
 * URL with it once, and answers nothing without it (docs/http.md, "Token").
 */
final class SecureWebProcessIT {

  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final Pattern PAGE = Pattern.compile("page: (http://127\\.0\\.0\\.1:([0-9]+)/)\\?token=([A-Za-z0-9_-]+)");

  @RegisterExtension final NetworkTestRule net = new NetworkTestRule();

  private final HttpClient client = HttpClient.newBuilder().connectTimeout(WAIT).build();

  private HttpResponse<String> get(String url, String... headers) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(WAIT);
    if (headers.length > 0) {
      request.headers(headers);
    }
    return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void aSecureNode_printsItsPagesUrlWithARandomToken_andAnswers401WithoutIt(@TempDir Path dir) throws Exception {
    Path ca = dir.resolve("ca");
    Path certs = dir.resolve("a");
    Path data = dir.resolve("data");
    assertThat(Main.newCommandLine().execute("certs", "ca", "--out", ca.toString())).isZero();
    assertThat(Main.newCommandLine().execute("certs", "node", "--ca", ca.toString(), "--data", data.toString(),
        "--out", certs.toString())).isZero();
    Path log = dir.resolve("node.log");
    LineNode node = net.track(LineNode.javaLoggingTo(log, "--data", data.toString(),
        "--tls-cert", certs.resolve("node.pem").toString(), "--tls-key", certs.resolve("node.key").toString(),
        "--tls-ca", ca.resolve("ca.pem").toString(), "--http", "0"));
    assertThat(node.call("set greeting \"hello\"")).isNull();

    String printed = await("the page's URL on standard error").atMost(WAIT).until(() -> Files.readString(log),
        text -> PAGE.matcher(text).find());
    Matcher page = PAGE.matcher(printed);
    assertThat(page.find()).isTrue();
    String base = page.group(1);
    String token = page.group(3);
    assertThat(token).hasSize(43); // 256 random bits, base64url
    assertThat(printed.lines().filter(l -> l.contains(token))).as("the token is printed once").hasSize(1);

    for (String path : List.of("", "api/node", "api/keys", "api/events", "metrics", "app.js")) {
      HttpResponse<String> denied = get(base + path);
      assertThat(denied.statusCode()).as(path).isEqualTo(401);
      assertThat(denied.body()).as(path).isEqualTo("unauthorized\n");
      assertThat(get(base + path, "Authorization", "Bearer " + token.substring(1)).statusCode()).as(path)
          .isEqualTo(401);
    }
    Map<?, ?> info = (Map<?, ?>) Json.parse(get(base + "api/node", "Authorization", "Bearer " + token).body());
    assertThat(info.get("id")).isEqualTo(node.id());
    assertThat(info.get("secure")).isEqualTo(true);
    Map<?, ?> keys = (Map<?, ?>) Json.parse(get(base + "api/keys", "Authorization", "Bearer " + token).body());
    assertThat(((Map<?, ?>) ((List<?>) keys.get("keys")).get(0)).get("value")).isEqualTo("\"hello\"");
    assertThat(get(base + "metrics", "Authorization", "Bearer " + token).body()).contains("syncmesh_keys{");
    HttpResponse<String> withUrl = get(base + "?token=" + token);
    assertThat(withUrl.statusCode()).isEqualTo(200);
    assertThat(withUrl.headers().firstValue("set-cookie")).hasValueSatisfying(c -> assertThat(c)
        .startsWith(WebToken.COOKIE + "=" + token + ";").containsIgnoringCase("httponly").contains("SameSite=Strict"));
  }
}
