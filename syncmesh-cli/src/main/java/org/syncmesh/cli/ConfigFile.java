package org.syncmesh.cli;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParameterException;

/**
 * {@code syncmesh node --config FILE}: a file holding node options, one {@code key = value} per
 * line, keys being the long option names without {@code --} (docs/configuration.md). Blank lines
 * and lines starting with {@code #} are skipped; a flag takes {@code true} or {@code false};
 * {@code verbose} takes 0, 1 or 2; {@code connect} may repeat. Options given on the command line
 * win: a key whose option the command line gave is ignored (for {@code connect}, every line of
 * it).
 *
 * <p>Every value goes through the same picocli converter as on the command line, one line at a
 * time, so an unknown key or a bad value fails naming the file and the line, before anything
 * starts. Stateless; thread-safe.
 */
final class ConfigFile {

  /** Options a config file cannot hold: itself, and the ones that print something and exit. */
  private static final Set<String> NOT_IN_A_FILE = Set.of("config", "help", "version");

  /** The longest config file read: options fit in far less, and a wrong path may name a huge file. */
  static final long MAX_BYTES = 1024 * 1024;

  private ConfigFile() {}

  /** One {@code key = value} line. */
  private record Setting(int line, String key, String value, OptionSpec option) {}

  /**
   * Reads {@code file} and sets, on the parsed command {@code spec}, every option it holds that
   * the command line did not give.
   *
   * @throws ParameterException if the file cannot be read, or a line is malformed, names an
   *     unknown option, sets a single-valued one twice, or holds a value the option refuses; the
   *     message names the file and the line
   */
  static void apply(Path file, CommandSpec spec) {
    CommandLine commandLine = spec.commandLine();
    List<Setting> settings = read(file, spec);
    List<String> args = new ArrayList<>();
    for (Setting s : settings) {
      if (commandLine.getParseResult() != null && commandLine.getParseResult().hasMatchedOption(s.option())) {
        continue; // the command line overrides the file
      }
      List<String> own = args(file, s);
      try {
        new CommandLine(new NodeCommand()).parseArgs(own.toArray(String[]::new));
      } catch (ParameterException e) {
        throw error(spec, file, s.line(), "bad value for " + s.key() + ": " + Abbrev.quote(e.getMessage(), 400));
      }
      args.addAll(own);
    }
    CommandLine merged = new CommandLine(new NodeCommand());
    merged.parseArgs(args.toArray(String[]::new));
    for (Setting s : settings) {
      if (!args.isEmpty() && merged.getParseResult().hasMatchedOption(s.option().longestName())) {
        s.option().setValue(merged.getCommandSpec().findOption(s.option().longestName()).getValue());
      }
    }
  }

  private static List<Setting> read(Path file, CommandSpec spec) {
    List<String> lines;
    try {
      if (Files.size(file) > MAX_BYTES) {
        throw error(spec, file, 0, "longer than " + MAX_BYTES + " bytes: is it a config file?");
      }
      lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (CharacterCodingException e) {
      throw error(spec, file, 0, "not UTF-8 text");
    } catch (IOException e) {
      throw new ParameterException(spec.commandLine(), "cannot read the config file " + file + ": " + e, e);
    }
    List<Setting> settings = new ArrayList<>();
    Map<String, Integer> firstLine = new HashMap<>();
    for (int i = 0; i < lines.size(); i++) {
      int number = i + 1;
      String line = lines.get(i).strip();
      if (i == 0 && line.startsWith("\ufeff")) {
        line = line.substring(1).strip();
      }
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      int eq = line.indexOf('=');
      if (eq < 0) {
        throw error(spec, file, number, "want `key = value`, got: " + Abbrev.quote(line));
      }
      String key = line.substring(0, eq).strip();
      String value = line.substring(eq + 1).strip();
      OptionSpec option = key.matches("[a-z][a-z0-9-]*") && !NOT_IN_A_FILE.contains(key)
          ? spec.findOption("--" + key) : null;
      if (option == null) {
        throw error(spec, file, number, "unknown key " + Abbrev.quote(key) + " (known: " + String.join(", ",
            keys(spec)) + ")");
      }
      Integer first = firstLine.putIfAbsent(key, number);
      if (first != null && !option.isMultiValue()) {
        throw error(spec, file, number, key + " is set again (first on line " + first + ")");
      }
      settings.add(new Setting(number, key, value, option));
    }
    return settings;
  }

  /** The command-line arguments a setting stands for. */
  private static List<String> args(Path file, Setting s) {
    String name = "--" + s.key();
    if (s.key().equals("verbose")) {
      if (!s.value().matches("[0-2]")) {
        throw error(s.option().command(), file, s.line(), "verbose takes 0, 1 or 2, not " + Abbrev.quote(s.value()));
      }
      return java.util.Collections.nCopies(Integer.parseInt(s.value()), name);
    }
    if (s.option().arity().max() == 0) {
      return switch (s.value()) {
        case "true" -> List.of(name);
        case "false" -> List.of();
        default -> throw error(s.option().command(), file, s.line(), s.key() + " takes true or false, not "
            + Abbrev.quote(s.value()));
      };
    }
    return List.of(name + "=" + s.value());
  }

  /** The keys a config file takes: the long option names, without {@code --}, sorted. */
  static Set<String> keys(CommandSpec spec) {
    Set<String> keys = new TreeSet<>();
    for (OptionSpec option : spec.options()) {
      String name = option.longestName();
      if (name.startsWith("--") && !NOT_IN_A_FILE.contains(name.substring(2))) {
        keys.add(name.substring(2));
      }
    }
    return keys;
  }

  private static ParameterException error(CommandSpec spec, Path file, int line, String what) {
    return new ParameterException(spec.commandLine(), "config file " + file + (line > 0 ? ":" + line : "") + ": "
        + what);
  }
}
