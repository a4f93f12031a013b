package org.syncmesh.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.syncmesh.json.Json;
import org.syncmesh.testing.LineNode;
import org.syncmesh.testing.NetworkTestRule;

/**
 * The packaged {@code syncmesh node --json} as child processes (runs in {@code mvn verify},
 * after the jar is built): two nodes, start failures, end of input, one reply per line.
 */
final class NodeProcessIT {

  private static final Duration WAIT = Duration.ofSeconds(15);

  @RegisterExtension final NetworkTestRule net = new NetworkTestRule();

  @Test
  void setOnOneNode_isSeenByGetOnTheOther() {
    LineNode a = net.track(LineNode.java());
    LineNode b = net.track(LineNode.java("--connect", "127.0.0.1:" + a.port()));
    await("the nodes to peer").atMost(WAIT).until(() -> b.call("peers"), p -> ((List<?>) p).size() == 1);
    Map<?, ?> peer = (Map<?, ?>) ((List<?>) b.call("peers")).get(0);
    assertThat(peer.get("id")).isEqualTo(a.id());
    assertThat(peer.get("port")).isEqualTo((long) a.port());

    // The writer's lease holds against the other node whatever their ids (docs/extension-v1.md).
    LineNode writer = a.id().compareTo(b.id()) < 0 ? a : b;
    LineNode reader = writer == a ? b : a;
    assertThat(writer.call("set \"the key\" {\"v\":[1,{\"$bin\":\"AAE=\"}]}")).isNull();
    await("the other node to see the key").atMost(WAIT).until(() -> reader.call("get \"the key\"") != null);
    assertThat(reader.raw("get \"the key\"")).isEqualTo("{\"ok\":true,\"result\":{\"v\":[1,{\"$bin\":\"AAE=\"}]}}");
    assertThat(((Map<?, ?>) reader.call("meta \"the key\"")).get("owner")).isEqualTo(writer.id());
    assertThat(reader.error("set \"the key\" 2")).contains("lease");
    assertThat(a.call("status")).isEqualTo("Nominal");
    assertThat(b.call("status")).isEqualTo("Nominal");
  }

  @Test
  void everyInputLine_getsExactlyOneReply_andTheNodeStaysUp() throws Exception {
    LineNode a = net.track(LineNode.java());
    List<String> lines = List.of("", "   ", "nope", "get", "set k", "set k {bad", "get \"open", "\u0000\u0001",
        "set k 1", "connect x", "send {}", "waitkeys", "events maybe", "set \"ключ 😀\" \"значение\"",
        "get \"ключ 😀\"", "id");
    for (String line : lines) {
      a.send(line);
    }
    List<Map<?, ?>> replies = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      replies.add((Map<?, ?>) Json.parse(a.readLine()));
    }
    assertThat(replies.stream().map(r -> (Object) r.get("ok")).toList())
        .containsExactly(false, false, false, false, false, false, false, false, true, false, false, false, false,
            true, true, true);
    assertThat(replies.get(14).get("result")).isEqualTo("значение");
    assertThat(replies.get(15).get("result")).isEqualTo(a.id());
    a.closeInput();
    assertThat(a.readLineOrEnd()).as("nothing but replies on stdout").isNull();
    assertThat(a.awaitExit(5)).isZero();
  }

  @Test
  void endOfInput_exitsZeroWithinFiveSeconds() throws Exception {
    LineNode b = net.track(LineNode.java());
    LineNode a = net.track(LineNode.java("--connect", "127.0.0.1:" + b.port()));
    await("the nodes to peer").atMost(WAIT).until(() -> a.call("peers"), p -> ((List<?>) p).size() == 1);
    a.closeInput();
    long t0 = System.nanoTime();
    assertThat(a.awaitExit(5)).as("exit status after end of input").isZero();
    assertThat(System.nanoTime() - t0).isLessThan(TimeUnit.SECONDS.toNanos(5));
    await("b to see a leave").atMost(WAIT).until(() -> b.call("peers"), p -> ((List<?>) p).isEmpty());
  }

  @Test
  void quit_repliesNull_thenExitsZero() throws Exception {
    LineNode a = net.track(LineNode.java());
    assertThat(a.raw("quit")).isEqualTo("{\"ok\":true,\"result\":null}");
    assertThat(a.awaitExit(5)).isZero();
    assertThat(a.readLineOrEnd()).isNull();
  }

  @Test
  void takenPort_givesOneFailureLine_andExitOne() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      LineNode a = net.track(LineNode.javaUnstarted("--host", "127.0.0.1", "--port", String.valueOf(taken.getLocalPort())));
      Map<?, ?> line = (Map<?, ?>) Json.parse(a.readLine());
      assertThat(line.get("ok")).isEqualTo(false);
      assertThat((String) line.get("error")).contains(String.valueOf(taken.getLocalPort())).contains("in use");
      assertThat(a.readLineOrEnd()).isNull();
      assertThat(a.awaitExit(10)).isEqualTo(1);
    }
  }

  @Test
  void badOption_givesOneFailureLine_andExitTwo() throws Exception {
    for (String[] options : List.of(new String[] {"--port", "70000"}, new String[] {"--transport", "UDP"},
        new String[] {"--connect", "nohost"}, new String[] {"--bogus"})) {
      LineNode a = net.track(LineNode.javaUnstarted(options));
      Map<?, ?> line = (Map<?, ?>) Json.parse(a.readLine());
      assertThat(line.get("ok")).as(String.join(" ", options)).isEqualTo(false);
      assertThat(a.readLineOrEnd()).isNull();
      assertThat(a.awaitExit(10)).as("a usage error's exit status").isEqualTo(2);
    }
  }

  @Test
  void meshNode_sendsAndReceives_butHasNoDictionary() {
    LineNode a = net.track(LineNode.java("--mesh"));
    LineNode b = net.track(LineNode.java("--mesh", "--connect", "127.0.0.1:" + a.port()));
    await("a to list b").atMost(WAIT).until(() -> a.call("peers"), p -> ((List<?>) p).size() == 1);
    await("b to list a").atMost(WAIT).until(() -> b.call("peers"), p -> ((List<?>) p).size() == 1);
    assertThat(a.error("set k 1")).isEqualTo("not a sync node (started with --mesh)");
    b.call("send [\"alert\", 1.5, null]");
    await("a to receive").atMost(WAIT).until(() -> a.call("recv"), r -> !((List<?>) r).isEmpty());
  }

  @Test
  void verboseLogs_goToStderrOnly() throws Exception {
    LineNode a = net.track(LineNode.java("-vv"));
    LineNode b = net.track(LineNode.java("-vv", "--connect", "127.0.0.1:" + a.port()));
    await("the nodes to peer").atMost(WAIT).until(() -> a.call("peers"), p -> ((List<?>) p).size() == 1);
    b.call("set k 1");
    await().atMost(WAIT).until(() -> a.call("get k") != null);
    b.closeInput();
    assertThat(b.readLineOrEnd()).as("stdout after the last reply").isNull();
    assertThat(b.awaitExit(5)).isZero();
  }

  @Test
  void sigterm_closesADurableNodeCleanly(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
    java.nio.file.Path data = dir.resolve("node");
    LineNode a = net.track(LineNode.java("--data", data.toString()));
    LineNode b = net.track(LineNode.java("--connect", "127.0.0.1:" + a.port()));
    await("the nodes to peer").atMost(WAIT).until(() -> b.call("peers"), p -> ((List<?>) p).size() == 1);
    assertThat(a.call("set kept 42")).isNull();
    assertThat(data.resolve("running")).as("the running marker of an open data directory").exists();

    a.process().destroy(); // SIGTERM
    assertThat(a.awaitExit(10)).as("the JVM's status after SIGTERM, 128 + 15").isEqualTo(143);
    assertThat(data.resolve("running")).as("closed by the shutdown hook, not left as after a kill").doesNotExist();
    await("b to see a leave").atMost(WAIT).until(() -> b.call("peers"), p -> ((List<?>) p).isEmpty());

    LineNode again = net.track(LineNode.java("--data", data.toString()));
    assertThat(again.id()).isEqualTo(a.id());
    assertThat(again.call("get kept")).isEqualTo(42L);
  }

  @Test
  void noInput_runsWithStdinClosed_untilSigterm(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
      throws Exception {
    java.nio.file.Path data = dir.resolve("node");
    LineNode a = net.track(LineNode.javaUnstarted("--host", "127.0.0.1", "--port", "0", "--no-input", "--data",
        data.toString()).started());
    a.closeInput(); // what a service's /dev/null gives: end of input at once
    LineNode b = net.track(LineNode.java("--connect", "127.0.0.1:" + a.port()));
    await("b to peer with a, which still runs").atMost(WAIT)
        .until(() -> b.call("peers"), p -> ((List<?>) p).size() == 1);
    assertThat(a.process().isAlive()).isTrue();

    a.process().destroy(); // SIGTERM
    assertThat(a.awaitExit(10)).isEqualTo(143);
    assertThat(data.resolve("running")).doesNotExist();
    await("b to see a leave").atMost(WAIT).until(() -> b.call("peers"), p -> ((List<?>) p).isEmpty());
  }

  @Test
  void verbose_logsLifecycleAtInfo_namingPeersByShortId(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
      throws Exception {
    java.nio.file.Path log = dir.resolve("b.log");
    LineNode a = net.track(LineNode.java());
    LineNode b = net.track(LineNode.javaLoggingTo(log, "-v"));
    assertThat(b.call("connect 127.0.0.1 " + a.port())).isEqualTo(a.id());
    await("the first anti-entropy round").atMost(WAIT).until(() -> b.call("peers"),
        p -> Boolean.TRUE.equals(((Map<?, ?>) ((List<?>) p).get(0)).get("inSync")));
    b.closeInput();
    assertThat(b.awaitExit(5)).isZero();
    String text = java.nio.file.Files.readString(log);
    String aShort = a.id().substring(0, 10);
    assertThat(text).contains("INFO MeshNode - node " + b.id().substring(0, 10) + " listening on /127.0.0.1:" + b.port()
            + ", advertising 127.0.0.1:" + b.port() + ", protocol sync1 Plaintext")
        .contains("INFO Connections - peer " + aShort + " connected: outgoing link")
        .contains("dialect SYNCMESH")
        .contains("INFO AntiEntropy - initial sync with peer " + aShort + " done: in sync after ")
        .doesNotContain(a.id()).as("only short ids")
        .doesNotContain("DEBUG");
  }

  @Test
  void configFile_withABadLine_isAUsageErrorNamingFileAndLine(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
      throws Exception {
    java.nio.file.Path config = dir.resolve("node.conf");
    java.nio.file.Files.writeString(config, "# a node\nport = 0\nmax-outgoing = lots\n");
    LineNode a = net.track(LineNode.javaUnstarted("--config", config.toString()));
    Map<?, ?> line = (Map<?, ?>) Json.parse(a.readLine());
    assertThat(line.get("ok")).isEqualTo(false);
    assertThat((String) line.get("error")).startsWith("config file " + config + ":3: bad value for max-outgoing: ");
    assertThat(a.awaitExit(10)).isEqualTo(2);
  }

  @Test
  void launcher_worksFromAnyDirectory() throws IOException, InterruptedException {
    Process p = new ProcessBuilder(LineNode.projectDir().resolve("bin/syncmesh").toString(), "--version")
        .directory(java.nio.file.Path.of(System.getProperty("java.io.tmpdir")).toFile())
        .redirectErrorStream(true)
        .start();
    try {
      assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
      assertThat(new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8)).startsWith("syncmesh ");
      assertThat(p.exitValue()).isZero();
    } finally {
      p.destroyForcibly();
    }
  }

  @Test
  void launcher_givesTheSerialCollector_unlessTheUserNamesOne() throws IOException, InterruptedException {
    assertThat(launcherOutput("-Xlog:gc:stdout")).contains("Using Serial").contains("syncmesh ");
    // the JVM refuses two collectors: the launcher must leave its own out, not fail to start
    assertThat(launcherOutput("-XX:+UseG1GC -Xlog:gc:stdout")).contains("Using G1").doesNotContain("Serial")
        .contains("syncmesh ");
  }

  @Test
  void launcher_givesNettyUnpooledBuffers_unlessTheUserNamesAnAllocator() throws IOException, InterruptedException {
    assertThat(launcherOutput("-XshowSettings:properties")).contains("io.netty.allocator.type = unpooled")
        .contains("syncmesh ");
    // SYNCMESH_JAVA_OPTS come last, so the user's choice wins
    assertThat(launcherOutput("-XshowSettings:properties -Dio.netty.allocator.type=pooled"))
        .contains("io.netty.allocator.type = pooled").doesNotContain("io.netty.allocator.type = unpooled");
  }

  @Test
  void launcher_trimsTheNativeHeap_onJvmsThatHaveTheOption() throws IOException, InterruptedException {
    boolean has = Runtime.version().feature() >= 22
        || Runtime.version().feature() == 21 && Runtime.version().compareToIgnoreOptional(Runtime.Version.parse("21.0.1")) >= 0
        || Runtime.version().feature() == 17 && Runtime.version().compareToIgnoreOptional(Runtime.Version.parse("17.0.9")) >= 0;
    if (has) {
      assertThat(launcherOutput("-Xlog:trimnative=info:stdout")).contains("syncmesh ")
          .contains("Periodic native trim enabled (interval: 1000 ms)");
    } else { // a JVM without the option refuses to start with it
      assertThat(launcherOutput("")).contains("syncmesh ");
    }
  }

  @Test
  void launcher_givesTrimmingOnlyToJvmsWhoseReleaseFileSaysTheyHaveIt(@TempDir Path dir)
      throws IOException, InterruptedException {
    Map<String, Boolean> versions = new LinkedHashMap<>();
    versions.put("17.0.8", false);
    versions.put("17.0.9", true);
    versions.put("17.0.15", true);
    versions.put("17.1.0", true);
    versions.put("19.0.2", false);
    versions.put("20", false);
    versions.put("21", false);
    versions.put("21.0.1", true);
    versions.put("22-ea", true);
    versions.put("25", true);
    for (Map.Entry<String, Boolean> v : versions.entrySet()) {
      List<String> args = standInJvmArgs(dir.resolve("jdk-" + v.getKey()), "JAVA_VERSION=\"" + v.getKey() + "\"");
      assertThat(args).as("JVM %s", v.getKey()).contains("-XX:+UseSerialGC", "--version");
      if (v.getValue()) {
        assertThat(args).as("JVM %s", v.getKey()).contains("-XX:TrimNativeHeapInterval=1000");
      } else {
        assertThat(args).as("JVM %s", v.getKey()).noneMatch(a -> a.contains("TrimNativeHeap"));
      }
    }
  }

  @Test
  void launcher_givesTheBuildsArchive_onlyToTheJvmBuildThatMadeIt(@TempDir Path dir)
      throws IOException, InterruptedException {
    Path target = LineNode.projectDir().resolve("syncmesh-cli/target");
    Path jsa = target.resolve("syncmesh.jsa");
    Path aot = target.resolve("syncmesh.aot");
    Path aotJvm = target.resolve("syncmesh.aot.jvm");
    assertThat(jsa).as("the build's archive").exists();
    String jsaMaker = Files.readString(target.resolve("syncmesh.jsa.jvm")).strip();
    assertThat(jsaMaker).as("the build JVM").isEqualTo(System.getProperty("java.runtime.version"));
    boolean built = Files.exists(aot); // the build ran on JDK 25 or later
    List<String> same = standInJvmArgs(dir.resolve("same"), "JAVA_VERSION=\"17.0.15\"\nJAVA_RUNTIME_VERSION=\"" + jsaMaker + "\"");
    assertThat(same).contains(built ? "-XX:AOTCache=" + aot : "-XX:SharedArchiveFile=" + jsa, "--version");
    List<String> other = standInJvmArgs(dir.resolve("other"), "JAVA_VERSION=\"17.0.15\"\nJAVA_RUNTIME_VERSION=\"17.0.15+6-Other\"");
    assertThat(other).contains("--version").noneMatch(a -> a.startsWith("-XX:SharedArchiveFile") || a.startsWith("-XX:AOTCache"));
    List<String> unknown = standInJvmArgs(dir.resolve("unknown"), "JAVA_VERSION=\"17.0.15\"");
    assertThat(unknown).contains("--version").noneMatch(a -> a.startsWith("-XX:SharedArchiveFile") || a.startsWith("-XX:AOTCache"));
    if (!built) { // a cache as a later JDK's build leaves it, made now (so newer than the jar), removed after
      String cacheMaker = "99.0.1+1-stand-in"; // no real JVM's build, so no other test's node takes the file
      try {
        Files.writeString(aot, "a stand-in AOT cache");
        Files.writeString(aotJvm, cacheMaker);
        List<String> later = standInJvmArgs(dir.resolve("later"), "JAVA_VERSION=\"99.0.1\"\nJAVA_RUNTIME_VERSION=\"" + cacheMaker + "\"");
        assertThat(later).contains("-XX:AOTCache=" + aot, "--version").noneMatch(a -> a.startsWith("-XX:SharedArchiveFile"));
        assertThat(standInJvmArgs(dir.resolve("same-again"), "JAVA_VERSION=\"17.0.15\"\nJAVA_RUNTIME_VERSION=\"" + jsaMaker + "\""))
            .as("the cache is for its own build only").contains("-XX:SharedArchiveFile=" + jsa)
            .noneMatch(a -> a.startsWith("-XX:AOTCache"));
      } finally {
        Files.deleteIfExists(aot);
        Files.deleteIfExists(aotJvm);
      }
    }
  }

  /**
   * The options {@code bin/syncmesh --version} gives a stand-in JVM in {@code home}: a script that writes down the
   * options it was given, beside a {@code release} file of {@code releaseLines}.
   */
  private static List<String> standInJvmArgs(Path home, String releaseLines) throws IOException, InterruptedException {
    Path java = home.resolve("bin/java");
    Files.createDirectories(java.getParent());
    Files.writeString(home.resolve("release"), "IMPLEMENTOR=\"Test\"\n" + releaseLines + "\n");
    Files.writeString(java, "#!/bin/sh\nprintf '%s\\n' \"$@\" > \"$(dirname \"$0\")/../args\"\n");
    assertThat(java.toFile().setExecutable(true)).isTrue();
    ProcessBuilder pb = new ProcessBuilder(LineNode.projectDir().resolve("bin/syncmesh").toString(), "--version")
        .redirectErrorStream(true);
    pb.environment().put("JAVA", java.toString());
    pb.environment().remove("SYNCMESH_JAVA_OPTS");
    Process p = pb.start();
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8)).isZero();
    return Files.readAllLines(home.resolve("args"));
  }

  /** What {@code bin/syncmesh --version} prints, on both streams, with SYNCMESH_JAVA_OPTS {@code javaOpts}. */
  private static String launcherOutput(String javaOpts) throws IOException, InterruptedException {
    ProcessBuilder pb = new ProcessBuilder(LineNode.projectDir().resolve("bin/syncmesh").toString(), "--version")
        .redirectErrorStream(true);
    pb.environment().put("SYNCMESH_JAVA_OPTS", javaOpts);
    Process p = pb.start();
    try {
      assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(p.exitValue()).as(out).isZero();
      return out;
    } finally {
      p.destroyForcibly();
    }
  }
}
