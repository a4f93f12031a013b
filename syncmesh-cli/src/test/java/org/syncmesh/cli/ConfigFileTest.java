package org.syncmesh.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code syncmesh node --config FILE}: what a file sets, what the command line overrides, and its errors. */
final class ConfigFileTest {

  @TempDir Path dir;

  private Path file(String... lines) throws IOException {
    Path file = dir.resolve("node.conf");
    Files.writeString(file, String.join("\n", lines) + "\n", StandardCharsets.UTF_8);
    return file;
  }

  private static NodeOptions parse(String... args) {
    NodeCommand command = new NodeCommand();
    new CommandLine(command).parseArgs(args);
    return command.options();
  }

  @Test
  void everyKindOfOption_isReadFromTheFile() throws IOException {
    Path config = file(
        "# a node of the lab network",
        "",
        "host = 0.0.0.0",
        "port=5000",
        "  out-addr =  203.0.113.7:5000  ",
        "connect = 198.51.100.1:4444",
        "connect = 198.51.100.2:4444",
        "max-outgoing = 8",
        "subnet = lab",
        "transport = ssl",
        "no-leasing = true",
        "json = true",
        "quiet = false",
        "verbose = 2",
        "max-frame-bytes = 65536",
        "data = /var/lib/syncmesh",
        "fsync = true",
        "deny = /etc/syncmesh/deny.txt");
    NodeOptions o = parse("--config", config.toString());
    assertThat(o).isEqualTo(new NodeOptions("0.0.0.0", 5000, List.of(new NodeOptions.HostPort("198.51.100.1", 4444),
        new NodeOptions.HostPort("198.51.100.2", 4444)), "lab", "SSL", false, false, true, false, 2, 65536,
        Path.of("/var/lib/syncmesh"), true, new NodeOptions.Security(null, null, null, null,
        Path.of("/etc/syncmesh/deny.txt")), new NodeOptions.HostPort("203.0.113.7", 5000), 8));
  }

  @Test
  void theCommandLine_overridesTheFile_optionByOption() throws IOException {
    Path config = file("port = 5000", "subnet = lab", "connect = 198.51.100.1:4444", "connect = 198.51.100.2:4444",
        "max-outgoing = 8");
    NodeOptions o = parse("--port", "6000", "--config", config.toString(), "--connect", "192.0.2.9:1");
    assertThat(o.port()).isEqualTo(6000);
    assertThat(o.subnet()).as("not on the command line: the file's").isEqualTo("lab");
    assertThat(o.maxOutgoing()).isEqualTo(8);
    assertThat(o.connect()).as("a repeatable option given on the command line replaces every line of it")
        .containsExactly(new NodeOptions.HostPort("192.0.2.9", 1));
    assertThat(parse("--config", config.toString()).connect()).hasSize(2);
  }

  @Test
  void theCommandLineWins_throughTheSyncmeshCommandToo() throws IOException {
    Path config = file("port = 5000", "subnet = lab", "json = true");
    CommandLine.ParseResult result = Main.newCommandLine().parseArgs("node", "--config", config.toString(), "--port",
        "7", "--max-outgoing", "2");
    NodeOptions o = ((NodeCommand) result.subcommand().commandSpec().userObject()).options();
    assertThat(o.port()).isEqualTo(7);
    assertThat(o.maxOutgoing()).isEqualTo(2);
    assertThat(o.subnet()).isEqualTo("lab");
    assertThat(o.json()).isTrue();
  }

  @Test
  void anEmptyFile_isTheDefaults() throws IOException {
    assertThat(parse("--config", file("# nothing", "   ").toString())).isEqualTo(NodeOptions.defaults());
  }

  @Test
  void anUnknownKey_namesFileLineAndTheKnownKeys() throws IOException {
    Path config = file("port = 0", "# fine so far", "prot = 5000");
    assertThatThrownBy(() -> parse("--config", config.toString())).isInstanceOf(CommandLine.ParameterException.class)
        .hasMessageStartingWith("config file " + config + ":3: unknown key prot (known: connect, data, deny, ")
        .hasMessageContaining("port, quiet");
    assertThatThrownBy(() -> parse("--config", file("--port = 1").toString()))
        .hasMessageContaining(":1: unknown key --port");
    assertThatThrownBy(() -> parse("--config", file("config = other.conf").toString()))
        .as("a file cannot name another").hasMessageContaining(":1: unknown key config");
    assertThatThrownBy(() -> parse("--config", file("help = true").toString()))
        .hasMessageContaining(":1: unknown key help");
  }

  @Test
  void aBadValue_namesFileLineAndKey() throws IOException {
    assertThatThrownBy(() -> parse("--config", file("", "port = 70000").toString()))
        .isInstanceOf(CommandLine.ParameterException.class)
        .hasMessageEndingWith(":2: bad value for port: Invalid value for option '--port': 70000 (expected: an integer "
            + "in [0, 65535])");
    assertThatThrownBy(() -> parse("--config", file("max-outgoing = -1").toString()))
        .hasMessageContaining(":1: bad value for max-outgoing:");
    assertThatThrownBy(() -> parse("--config", file("out-addr = nowhere").toString()))
        .hasMessageContaining(":1: bad value for out-addr: ")
        .hasMessageContaining("bad --out-addr value (want HOST:PORT, port 1-65535): nowhere");
    assertThatThrownBy(() -> parse("--config", file("transport = carrier-pigeon").toString()))
        .hasMessageContaining(":1: bad value for transport: ");
    assertThatThrownBy(() -> parse("--config", file("fsync = yes").toString()))
        .hasMessageContaining(":1: fsync takes true or false, not yes");
    assertThatThrownBy(() -> parse("--config", file("verbose = 3").toString()))
        .hasMessageContaining(":1: verbose takes 0, 1 or 2, not 3");
  }

  @Test
  void malformedLines_andRepeats_areErrorsWithTheirLine() throws IOException {
    assertThatThrownBy(() -> parse("--config", file("port 5000").toString()))
        .hasMessageEndingWith(":1: want `key = value`, got: port 5000");
    assertThatThrownBy(() -> parse("--config", file("port = 1", "subnet = a", "port = 2").toString()))
        .hasMessageEndingWith(":3: port is set again (first on line 1)");
  }

  @Test
  void aLongBadLine_isQuotedShort() throws IOException {
    String junk = "x".repeat(100_000);
    assertThatThrownBy(() -> parse("--config", file(junk).toString()))
        .satisfies(e -> assertThat(e.getMessage()).hasSizeLessThan(400).contains("(100000 characters)"));
  }

  @Test
  void crossOptionErrors_sayTheFileTookPart() throws IOException {
    Path config = file("fsync = true");
    assertThatThrownBy(() -> parse("--config", config.toString())).isInstanceOf(CommandLine.ParameterException.class)
        .hasMessage("bad option: --fsync needs --data DIR (it says how durable the data directory's writes are) "
            + "(options from the command line and " + config + ")");
  }

  @Test
  void aMissingFile_isAUsageError() {
    Path missing = dir.resolve("absent.conf");
    assertThatThrownBy(() -> parse("--config", missing.toString())).isInstanceOf(CommandLine.ParameterException.class)
        .hasMessageStartingWith("cannot read the config file " + missing);
    CommandLine main = Main.newCommandLine();
    java.io.StringWriter err = new java.io.StringWriter();
    main.setErr(new java.io.PrintWriter(err));
    assertThat(main.execute("node", "--config", missing.toString())).isEqualTo(NodeCommand.EXIT_USAGE);
    assertThat(err.toString()).contains("cannot read the config file");
  }
}
