package org.syncmesh.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.syncmesh.testing.LineNode;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/**
 * docs/configuration.md lists exactly the options picocli knows for {@code syncmesh node}, each
 * with the config file key {@link ConfigFile} takes for it, so the reference cannot drift.
 */
final class ConfigurationReferenceTest {

  private static final Path REFERENCE = LineNode.projectDir().resolve("docs/configuration.md");
  private static final Pattern CODE = Pattern.compile("`([^`]+)`");

  /** One table row: the option names of its first cell, and its key cell. */
  private record Row(List<String> names, String key) {}

  private static List<Row> rows() throws IOException {
    List<Row> rows = new ArrayList<>();
    for (String line : Files.readAllLines(REFERENCE)) {
      if (!line.startsWith("| `-")) {
        continue;
      }
      String[] cells = line.split("\\|");
      List<String> names = new ArrayList<>();
      Matcher m = CODE.matcher(cells[1]);
      while (m.find()) {
        names.add(m.group(1).split(" ")[0]);
      }
      rows.add(new Row(names, cells[2].strip()));
    }
    return rows;
  }

  @Test
  void everyOptionPicocliKnows_isInTheReference_andNothingElse() throws IOException {
    CommandLine.Model.CommandSpec spec = new CommandLine(new NodeCommand()).getCommandSpec();
    Set<String> known = new TreeSet<>();
    for (OptionSpec option : spec.options()) {
      known.addAll(List.of(option.names()));
    }
    Set<String> documented = new TreeSet<>();
    for (Row row : rows()) {
      documented.addAll(row.names());
    }
    assertThat(documented).as("option names in " + REFERENCE).isEqualTo(known);
    assertThat(rows()).as("one row per option").hasSize(spec.options().size());
  }

  @Test
  void everyRow_givesTheConfigKeyTheFileTakes() throws IOException {
    CommandLine.Model.CommandSpec spec = new CommandLine(new NodeCommand()).getCommandSpec();
    Set<String> keys = ConfigFile.keys(spec);
    Map<String, String> byOption = new HashMap<>();
    for (Row row : rows()) {
      String longest = spec.findOption(row.names().get(row.names().size() - 1)).longestName();
      byOption.put(longest, row.key());
    }
    for (OptionSpec option : spec.options()) {
      String name = option.longestName().substring(2);
      String expected = keys.contains(name) ? "`" + name + "`" : "—";
      assertThat(byOption.get(option.longestName())).as("key cell of " + option.longestName()).isEqualTo(expected);
    }
  }
}
