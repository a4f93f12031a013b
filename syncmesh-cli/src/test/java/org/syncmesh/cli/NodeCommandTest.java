package org.syncmesh.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** Option parsing of {@code syncmesh node}, without a network. */
final class NodeCommandTest {

  private static NodeOptions parse(String... args) {
    NodeCommand command = new NodeCommand();
    new CommandLine(command).parseArgs(args);
    return command.options();
  }

  @Test
  void defaults() {
    NodeOptions o = parse();
    assertThat(o).isEqualTo(NodeOptions.defaults());
    assertThat(o.host()).isEqualTo("127.0.0.1");
    assertThat(o.port()).isEqualTo(4444);
    assertThat(o.subnet()).isEqualTo("sync");
    assertThat(o.transport()).isEqualTo("Plaintext");
    assertThat(o.leasing()).isTrue();
    assertThat(o.mesh()).isFalse();
    assertThat(o.json()).isFalse();
  }

  @Test
  void everyOption() {
    NodeOptions o = parse("--host", "0.0.0.0", "--port", "0", "--connect", "127.0.0.1:5000", "--connect=other:6000",
        "--subnet", "lab", "--transport", "SSL", "--no-leasing", "--json", "-q", "-vv", "--max-frame-bytes", "65536",
        "--out-addr", "203.0.113.5:4444", "--max-outgoing", "9");
    assertThat(o).isEqualTo(new NodeOptions("0.0.0.0", 0, List.of(new NodeOptions.HostPort("127.0.0.1", 5000),
        new NodeOptions.HostPort("other", 6000)), "lab", "SSL", false, false, true, true, 2, 65536, null, false,
        NodeOptions.Security.NONE, new NodeOptions.HostPort("203.0.113.5", 4444), 9));
  }

  @Test
  void data_isOffByDefault_andMakesADurableNode() {
    assertThat(parse().data()).isNull();
    assertThat(parse().fsync()).isFalse();
    NodeOptions o = parse("--data", "nodes/a");
    assertThat(o.data()).isEqualTo(java.nio.file.Path.of("nodes/a"));
    assertThat(o.fsync()).isFalse();
    assertThat(o.durability()).isEqualTo(org.syncmesh.sync.Durability.PROCESS_CRASH);
    NodeOptions synced = parse("--data=nodes/b", "--fsync", "--json");
    assertThat(synced.data()).isEqualTo(java.nio.file.Path.of("nodes/b"));
    assertThat(synced.fsync()).isTrue();
    assertThat(synced.durability()).isEqualTo(org.syncmesh.sync.Durability.SYNC);
  }

  @Test
  void fsync_withoutData_isAParameterError() {
    assertThatThrownBy(() -> parse("--fsync")).isInstanceOf(CommandLine.ParameterException.class)
        .hasMessageStartingWith("bad option: --fsync needs --data DIR");
    assertThatThrownBy(() -> parse("--data")).isInstanceOf(CommandLine.ParameterException.class);
    assertThatThrownBy(() -> parse("--mesh", "--data", "d")).isInstanceOf(CommandLine.ParameterException.class)
        .hasMessageContaining("--data is for sync nodes");
  }

  @Test
  void startFailure_ofADataDirectory_isItsMessageOnOneLine() {
    RuntimeException e = new RuntimeException("wrapped",
        new org.syncmesh.store.StorageException("the data directory /d is in use\n  by another syncmesh node"));
    assertThat(JsonMode.startFailure(e))
        .isEqualTo("cannot start the node: the data directory /d is in use by another syncmesh node");
  }

  @Test
  void dataDirectoryInUse_jsonMode_failsWithOneLineAndStatus1(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
      throws Exception {
    try (org.syncmesh.sync.SyncSocket holder = new org.syncmesh.sync.SyncSocket.Builder().port(0).dataDirectory(dir)
        .build()) {
      NodeOptions o = parse("--port", "0", "--json", "--data", dir.toString());
      java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
      int status = JsonMode.run(o, new java.io.ByteArrayInputStream(new byte[0]),
          new java.io.PrintStream(out, true, java.nio.charset.StandardCharsets.UTF_8), s -> { });
      String text = out.toString(java.nio.charset.StandardCharsets.UTF_8);
      assertThat(status).isEqualTo(1);
      assertThat(text).startsWith("{\"ok\":false,\"error\":\"cannot start the node: the data directory ")
          .contains("in use").endsWith("}\n").hasLineCount(1);
    }
  }

  @Test
  void mesh_defaultsToTheMeshSubnet() {
    assertThat(parse("--mesh").subnet()).isEqualTo("mesh");
    assertThat(parse("--mesh", "--subnet", "x").subnet()).isEqualTo("x");
  }

  @Test
  void transport_anyCase_isNormalised() {
    assertThat(parse("--transport", "ssl").transport()).isEqualTo("SSL");
    assertThat(parse("--transport", "plaintext").transport()).isEqualTo("Plaintext");
  }

  @Test
  void connect_ipv6_splitsAtTheLastColon() {
    assertThat(parse("--connect", "[::1]:7000").connect()).containsExactly(new NodeOptions.HostPort("::1", 7000));
  }

  @Test
  void badValues_areParameterErrors() {
    assertThatThrownBy(() -> parse("--transport", "UDP")).isInstanceOf(CommandLine.ParameterException.class)
        .hasMessageContaining("bad transport (want Plaintext or SSL): UDP");
    assertThatThrownBy(() -> parse("--connect", "nohost")).isInstanceOf(CommandLine.ParameterException.class)
        .hasMessageContaining("bad --connect value (want HOST:PORT, port 1-65535): nohost");
    assertThatThrownBy(() -> parse("--connect", "h:0")).hasMessageContaining("bad --connect value");
    assertThatThrownBy(() -> parse("--port", "x")).isInstanceOf(CommandLine.ParameterException.class);
    assertThatThrownBy(() -> parse("--port", "65536")).isInstanceOf(CommandLine.ParameterException.class)
        .hasMessage("Invalid value for option '--port': 65536 (expected: an integer in [0, 65535])");
    assertThatThrownBy(() -> parse("--bogus")).isInstanceOf(CommandLine.UnmatchedArgumentException.class);
    assertThatThrownBy(() -> parse("--max-frame-bytes", "100")).isInstanceOf(CommandLine.ParameterException.class)
        .hasMessage("Invalid value for option '--max-frame-bytes': 100 (expected: an integer in [1024, 2147483639])");
  }

  @Test
  void outAddr_defaultsToTheBoundAddress_andIsWhatPeersAreTold() {
    assertThat(parse().outAddr()).isNull();
    assertThat(parse("--out-addr", "node-a.lab:4000").outAddr()).isEqualTo(new NodeOptions.HostPort("node-a.lab", 4000));
    assertThat(parse("--out-addr", "[2001:db8::1]:4000").outAddr())
        .isEqualTo(new NodeOptions.HostPort("2001:db8::1", 4000));
    assertThatThrownBy(() -> parse("--out-addr", "node-a.lab")).isInstanceOf(CommandLine.ParameterException.class)
        .hasMessage("Invalid value for option '--out-addr': bad --out-addr value (want HOST:PORT, port 1-65535): "
            + "node-a.lab");
    assertThatThrownBy(() -> parse("--out-addr", "h:0")).hasMessageContaining("bad --out-addr value");
  }

  @Test
  void wildcardHost_withoutOutAddr_isRefusedSayingToGiveOne() {
    for (String wildcard : List.of("0.0.0.0", "::")) {
      assertThatThrownBy(() -> parse("--host", wildcard)).isInstanceOf(CommandLine.ParameterException.class)
          .hasMessage("bad option: --host " + wildcard + " listens on every interface but names no address peers can "
              + "dial: give --out-addr HOST:PORT, the address (and port) other hosts reach this node at");
    }
    assertThat(parse("--host", "0.0.0.0", "--out-addr", "10.0.0.11:4444").host()).isEqualTo("0.0.0.0");
    assertThat(parse("--host", "10.0.0.11").outAddr()).as("a specific address advertises itself").isNull();
    assertThatThrownBy(() -> parse("--host", "0.0.0.0", "--out-addr", "0.0.0.0:4444"))
        .hasMessage("bad option: --out-addr 0.0.0.0:4444 names no address peers can dial: give the address (or name) "
            + "other hosts reach this node at");
  }

  @Test
  void outAddr_reachesTheSocket() {
    NodeOptions o = parse("--port", "0", "--out-addr", "203.0.113.9:4555", "--max-outgoing", "0");
    try (org.syncmesh.mesh.MeshSocket mesh = new NodeOptions(o.host(), 0, List.of(), "mesh", o.transport(), true, true,
        false, false, 0, o.maxFrameBytes(), null, false, o.security(), o.outAddr(), o.maxOutgoing()).bindMesh()) {
      assertThat(mesh.outAddress().getHostString()).isEqualTo("203.0.113.9");
      assertThat(mesh.outAddress().getPort()).isEqualTo(4555);
    }
    try (org.syncmesh.sync.SyncSocket sync = parse("--port", "0").bindSync()) {
      assertThat(sync.mesh().outAddress().getHostString()).isEqualTo("127.0.0.1");
      assertThat(sync.mesh().outAddress().getPort()).as("the bound port").isEqualTo(sync.mesh().port());
    }
  }

  @Test
  void maxOutgoing_defaultsToFour_andIsRangeChecked() {
    assertThat(parse().maxOutgoing()).isEqualTo(4);
    assertThat(parse("--max-outgoing", "0").maxOutgoing()).isZero();
    assertThat(parse("--max-outgoing=1000").maxOutgoing()).isEqualTo(1000);
    assertThatThrownBy(() -> parse("--max-outgoing", "1001")).isInstanceOf(CommandLine.ParameterException.class)
        .hasMessage("Invalid value for option '--max-outgoing': 1001 (expected: an integer in [0, 1000])");
    assertThatThrownBy(() -> parse("--max-outgoing", "-1")).isInstanceOf(CommandLine.ParameterException.class);
  }

  @Test
  void verbose_hasALongName() {
    assertThat(parse("--verbose").verbosity()).isEqualTo(1);
    assertThat(parse("--verbose", "-v").verbosity()).isEqualTo(2);
  }

  @Test
  void longArguments_areQuotedShortInErrors() {
    String huge = "x".repeat(1_000_000);
    assertThatThrownBy(() -> parse("--transport", huge)).satisfies(e -> assertThat(e.getMessage())
        .hasSizeLessThan(400).contains("(1000000 characters)"));
    assertThatThrownBy(() -> parse("--connect", huge)).satisfies(e -> assertThat(e.getMessage())
        .hasSizeLessThan(400).contains("(1000000 characters)"));
    CommandLine main = Main.newCommandLine();
    StringWriter err = new StringWriter();
    main.setErr(new PrintWriter(err));
    assertThat(main.execute("node", "--" + huge)).isEqualTo(NodeCommand.EXIT_USAGE);
    assertThat(err.toString()).as("picocli's unknown-option message, shortened").hasSizeLessThan(1000)
        .contains("Unknown option: '--xxxx").contains("… (1000020 characters)").contains("--help");
  }

  @Test
  void main_hasTheNodeSubcommand() {
    CommandLine main = Main.newCommandLine();
    CommandLine.ParseResult result = main.parseArgs("node", "--json", "--port", "0");
    NodeCommand node = (NodeCommand) result.subcommand().commandSpec().userObject();
    assertThat(node.options().json()).isTrue();
    assertThat(node.options().port()).isZero();
  }

  @Test
  void badOption_withoutJson_isPicocliUsageOnStderr() {
    CommandLine main = Main.newCommandLine();
    StringWriter err = new StringWriter();
    main.setErr(new PrintWriter(err));
    assertThat(main.execute("node", "--bogus")).isEqualTo(2);
    assertThat(err.toString()).contains("Unknown option: '--bogus'").contains("Usage: syncmesh node");
  }

  @Test
  void secureOptions_areOpenByDefault_andPassedTogether() {
    assertThat(parse().security()).isEqualTo(NodeOptions.Security.NONE);
    assertThat(parse().security().secure()).isFalse();
    NodeOptions o = parse("--tls-cert", "n.pem", "--tls-key", "n.key", "--tls-ca", "ca.pem", "--identity", "id.key",
        "--deny", "deny.txt");
    assertThat(o.security()).isEqualTo(new NodeOptions.Security(java.nio.file.Path.of("n.pem"),
        java.nio.file.Path.of("n.key"), java.nio.file.Path.of("ca.pem"), java.nio.file.Path.of("id.key"),
        java.nio.file.Path.of("deny.txt")));
    assertThat(o.security().secure()).isTrue();
    assertThat(parse("--tls-cert", "n.pem", "--tls-key", "n.key", "--tls-ca", "ca.pem", "--data", "d").security()
        .identity()).isNull();
    assertThat(parse("--deny", "deny.txt").security().deny()).isEqualTo(java.nio.file.Path.of("deny.txt"));
  }

  @Test
  void secureOptions_incomplete_areParameterErrors() {
    assertThatThrownBy(() -> parse("--tls-cert", "n.pem", "--tls-key", "n.key", "--data", "d"))
        .isInstanceOf(CommandLine.ParameterException.class)
        .hasMessage("bad option: --tls-cert, --tls-key and --tls-ca go together: give all three for a secure "
            + "network, or none");
    assertThatThrownBy(() -> parse("--tls-ca", "ca.pem")).hasMessageContaining("go together");
    assertThatThrownBy(() -> parse("--identity", "id.key")).isInstanceOf(CommandLine.ParameterException.class)
        .hasMessageContaining("--identity is for a secure network");
    assertThatThrownBy(() -> parse("--tls-cert", "n.pem", "--tls-key", "n.key", "--tls-ca", "ca.pem"))
        .isInstanceOf(CommandLine.ParameterException.class)
        .hasMessageContaining("needs its identity key: give --identity FILE, or --data DIR");
    CommandLine main = Main.newCommandLine();
    StringWriter err = new StringWriter();
    main.setErr(new PrintWriter(err));
    assertThat(main.execute("node", "--tls-cert", "n.pem")).isEqualTo(2);
    assertThat(err.toString()).contains("go together").contains("Usage: syncmesh node");
  }

  @Test
  void secureNode_missingFile_failsToStartWithOneLineAndStatus1(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
      throws Exception {
    NodeOptions o = parse("--port", "0", "--json", "--tls-cert", dir.resolve("n.pem").toString(), "--tls-key",
        dir.resolve("n.key").toString(), "--tls-ca", dir.resolve("ca.pem").toString(), "--data",
        dir.resolve("d").toString());
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    int status = JsonMode.run(o, new java.io.ByteArrayInputStream(new byte[0]),
        new java.io.PrintStream(out, true, java.nio.charset.StandardCharsets.UTF_8), s -> { });
    assertThat(status).isEqualTo(1);
    assertThat(out.toString(java.nio.charset.StandardCharsets.UTF_8))
        .startsWith("{\"ok\":false,\"error\":\"cannot start the node: certificate: no such file: ").hasLineCount(1);
  }

  @Test
  void secureNode_withIdentity_runsWithItsId(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
    org.syncmesh.NodeIdentity identity = org.syncmesh.NodeIdentity.generate();
    org.syncmesh.mesh.NodeCertificates.Issued ca =
        org.syncmesh.mesh.NodeCertificates.authority("test CA", java.time.Duration.ofDays(1));
    org.syncmesh.mesh.NodeCertificates.write(
        org.syncmesh.mesh.NodeCertificates.node(ca, identity.id(), java.time.Duration.ofDays(1)),
        dir.resolve("n.pem"), dir.resolve("n.key"));
    java.nio.file.Files.writeString(dir.resolve("ca.pem"), org.syncmesh.mesh.NodeCertificates.pem(ca.certificate()));
    java.nio.file.Files.writeString(dir.resolve("id.key"), identity.toPem());
    java.nio.file.Files.writeString(dir.resolve("deny.txt"), "# nobody yet\n");
    NodeOptions o = parse("--port", "0", "--json", "--tls-cert", dir.resolve("n.pem").toString(), "--tls-key",
        dir.resolve("n.key").toString(), "--tls-ca", dir.resolve("ca.pem").toString(), "--identity",
        dir.resolve("id.key").toString(), "--deny", dir.resolve("deny.txt").toString());
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    int status = JsonMode.run(o, new java.io.ByteArrayInputStream("quit\n".getBytes(java.nio.charset.StandardCharsets.UTF_8)),
        new java.io.PrintStream(out, true, java.nio.charset.StandardCharsets.UTF_8), s -> { });
    assertThat(status).as(out.toString(java.nio.charset.StandardCharsets.UTF_8)).isZero();
    assertThat(out.toString(java.nio.charset.StandardCharsets.UTF_8))
        .startsWith("{\"ok\":true,\"result\":{\"id\":\"" + identity.id() + "\"");
  }
}
