package org.syncmesh.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The {@code syncmesh} command line itself: which subcommands a start builds, and that building fewer changes nothing. */
final class MainTest {

  /** What a command line printed and returned. */
  private record Run(int status, String out, String err) {}

  private static Run run(CommandLine commandLine, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    commandLine.setOut(new PrintWriter(out));
    commandLine.setErr(new PrintWriter(err));
    int status = commandLine.execute(args);
    return new Run(status, out.toString(), err.toString());
  }

  private static List<String> subcommands(String... args) {
    return List.copyOf(Main.newCommandLine(args).getSubcommands().keySet());
  }

  @Test
  void aStart_buildsOnlyTheSubcommandItRuns() {
    assertThat(subcommands("node", "--json")).containsExactly("node");
    assertThat(subcommands("certs", "ca")).containsExactly("certs");
  }

  @Test
  void help_version_andUnknownNames_getEverySubcommand_inHelpsOrder() {
    assertThat(subcommands()).containsExactly("node", "certs");
    assertThat(subcommands("--help")).containsExactly("node", "certs");
    assertThat(subcommands("--version")).containsExactly("node", "certs");
    assertThat(subcommands("nod")).containsExactly("node", "certs");
    assertThat(subcommands("-h", "node")).containsExactly("node", "certs");
    assertThat(List.copyOf(Main.newCommandLine().getSubcommands().keySet())).containsExactly("node", "certs");
  }

  @Test
  void theCommandLineAStartBuilds_printsAndReturnsWhatTheWholeOneDoes() {
    List<List<String>> cases = List.of(
        List.of("node", "--help"),
        List.of("node", "--bogus"),
        List.of("node", "--port", "70000"),
        List.of("certs"),
        List.of("certs", "--help"),
        List.of("certs", "ca", "--help"),
        List.of("certs", "id"),
        List.of("--help"),
        List.of("nod"),
        List.of());
    for (List<String> words : cases) {
      String[] args = words.toArray(String[]::new);
      Run whole = run(Main.newCommandLine(), args);
      Run asStarted = run(Main.newCommandLine(args), args);
      assertThat(asStarted).as("syncmesh %s", String.join(" ", words)).isEqualTo(whole);
      assertThat(whole.out() + whole.err()).as("syncmesh %s prints something", String.join(" ", words)).isNotBlank();
    }
  }

  @Test
  void mistypedSubcommand_isRefused_withTheNameItMeant() {
    Run run = run(Main.newCommandLine(new String[] {"nod"}), "nod");
    assertThat(run.status()).isEqualTo(NodeCommand.EXIT_USAGE);
    assertThat(run.err()).contains("'nod'").contains("node");
  }
}
