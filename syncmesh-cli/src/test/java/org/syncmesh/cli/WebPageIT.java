package org.syncmesh.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.syncmesh.Protocol;
import org.syncmesh.mesh.PeerInfo;
import org.syncmesh.testing.NetworkTestRule;

/**
 * The node's live page in a real browser: Debian's Chromium, headless, driven by
 * {@code interop/browser/driver.js} (playwright-core). Two nodes run here, each with its HTTP
 * server; node A's page, opened with a token as a secure node's would be, must follow what node B
 * writes, deletes and does on the network, without a reload. The screenshot is kept as
 * {@code syncmesh-cli/target/browser/node-page.png}.
 *
 * <p>Needs {@code /usr/bin/chromium} and {@code npm ci --prefix interop/browser}: skipped without
 * them, except under CI ({@code CI} set), where it fails.
 */
final class WebPageIT {

  private static final Path TARGET = Path.of(System.getProperty("user.dir")).toAbsolutePath().resolve("target");
  static final Path SCREENSHOT = TARGET.resolve("browser/node-page.png");

  @RegisterExtension final NetworkTestRule net = new NetworkTestRule();

  @BeforeEach
  void browserIsThere() {
    String missing = BrowserDriver.missing();
    if (missing != null && System.getenv("CI") != null) {
      throw new AssertionError("CI must run the browser test, but this is missing: " + missing);
    }
    Assumptions.assumeTrue(missing == null, () -> "skipped: the browser test needs " + missing);
  }

  private NodeSession node() {
    return net.track(NodeSession.start(new NodeOptions("127.0.0.1", 0, List.of(), "sync", Protocol.PLAINTEXT, true,
        false, false, false, 0)));
  }

  @Test
  void nodeAsPage_followsNodeBsWritesDeletesAndLeaving_withoutAReload() {
    NodeSession a = node();
    NodeSession b = node();
    WebToken token = WebToken.random();
    WebServer webA = net.track(WebServer.start("127.0.0.1", 0, token));
    webA.serve(a, true);
    WebServer webB = net.track(WebServer.start("127.0.0.1", 0, null));
    webB.serve(b, false);
    String shortB = PeerInfo.shortId(b.socket().id());

    try (BrowserDriver browser = net.track(new BrowserDriver(TARGET.resolve("browser/driver.log")))) {
      browser.call("open", "url", "http://127.0.0.1:" + webA.address().getPort() + "/?token=" + token.text());
      browser.waitFor("#stream-state", "connected");
      browser.waitFor("#node-id", a.socket().id());
      assertThat(String.valueOf(browser.call("url"))).as("the token leaves the address bar").doesNotContain("token");
      assertThat(browser.texts("#node-network").get(0)).startsWith("secure, subnet sync").contains("leasing");
      assertThat(browser.texts("#keys-body tr")).isEmpty();

      b.connect("127.0.0.1", a.socket().port());
      browser.waitFor("#peers-body tr", shortB);
      browser.waitFor("#events-list li[data-kind=peer]", "joined " + shortB);

      b.sync().set("fruit/apple", "red");
      b.sync().set("fruit/<b>pear</b>", Map.of("html", "<script>alert(1)</script>"));
      b.sync().set("veg/kale", 1L);
      b.sync().del("fruit/apple");
      browser.waitFor("#events-list li[data-kind=delete]", "fruit/apple");
      browser.call("waitCount", "selector", "#keys-body tr", "count", 2);
      assertThat(browser.texts("#keys-body tr td:first-child")).containsExactly("fruit/<b>pear</b>", "veg/kale");
      assertThat(browser.texts("#keys-body tr td:nth-child(2)")).containsExactly(
          "{\"html\":\"<script>alert(1)</script>\"}", "1");
      assertThat(browser.texts("#keys-body tr td:nth-child(3)")).containsOnly(shortB);
      assertThat(browser.texts("#keys-body b, #keys-body script, #events-list b")).as("user data is text, not markup")
          .isEmpty();
      assertThat(browser.texts("#events-list li[data-kind=update]")).hasSize(3)
          .anySatisfy(e -> assertThat(e).contains("veg/kale = 1"));
      browser.call("waitCount", "selector", "#chart-writes[data-samples='3'], #chart-bytes[data-samples='3']", "count",
          2); // three seconds of rates drawn
      assertThat(browser.texts("#writes-now").get(0)).matches("[0-9]+ / s · [0-9]+ / s");
      browser.waitFor("#node-keys", "2");
      browser.call("screenshot", "path", SCREENSHOT.toString());

      browser.call("fill", "selector", "#prefix", "value", "veg/");
      browser.call("click", "selector", "#filter button");
      browser.call("waitCount", "selector", "#keys-body tr", "count", 1);
      assertThat(browser.texts("#keys-body tr td:first-child")).containsExactly("veg/kale");

      // paging: 60 keys are two pages of the filter, and the table follows new keys on the page shown
      Map<String, Object> many = new java.util.HashMap<>();
      for (int i = 0; i < 60; i++) {
        many.put(String.format("n/%02d", i), (long) i);
      }
      b.sync().update(many);
      browser.call("fill", "selector", "#prefix", "value", "n/");
      browser.call("click", "selector", "#filter button");
      browser.waitFor("#keys-info", "(60 matching)");
      assertThat(browser.texts("#keys-body tr td:first-child")).hasSize(50).startsWith("n/00").endsWith("n/49");
      browser.call("click", "selector", "#next");
      browser.call("waitCount", "selector", "#keys-body tr", "count", 10);
      assertThat(browser.texts("#keys-body tr td:first-child")).startsWith("n/50").endsWith("n/59");
      assertThat(browser.texts("#page-number")).containsExactly("page 2");
      b.sync().set("n/60", 60L);
      browser.call("waitCount", "selector", "#keys-body tr", "count", 11);
      browser.call("click", "selector", "#prev");
      browser.waitFor("#page-number", "page 1");
      browser.call("waitCount", "selector", "#keys-body tr", "count", 50);

      // unfiltered and full, the page skips reloads for keys after its last row, and still follows its own rows
      browser.call("fill", "selector", "#prefix", "value", "");
      browser.call("click", "selector", "#filter button");
      browser.waitFor("#keys-info", "(63)");
      assertThat(browser.texts("#keys-body tr td:first-child")).hasSize(50).startsWith("fruit/<b>pear</b>", "n/00")
          .endsWith("n/48");
      b.sync().set("zz/after", 1L);
      browser.waitFor("#keys-info", "(64)"); // the count from the stream's tick
      b.sync().set("n/05", 500L);
      b.sync().del("n/07");
      browser.waitFor("#keys-body tr[data-key='n/05'] td:nth-child(2)", "500");
      browser.call("waitCount", "selector", "#keys-body tr[data-key='n/07']", "count", 0);
      assertThat(browser.texts("#keys-body tr td:first-child")).hasSize(50).endsWith("n/49");

      webB.close();
      b.close();
      browser.waitFor("#events-list li[data-kind=peer]", "left " + shortB);
      browser.call("waitCount", "selector", "#peers-body tr", "count", 0);

      assertThat(browser.call("navigations")).as("the page never reloaded").isEqualTo(1L);
      assertThat((List<?>) browser.call("problems")).as("console errors, page errors, dialogs").isEmpty();
    }
  }
}
