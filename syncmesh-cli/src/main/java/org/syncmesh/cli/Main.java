package org.syncmesh.cli;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code syncmesh} command line: the main class of the runnable jar.
 *
 * <p>Subcommands: {@code node} ({@link NodeCommand}), {@code certs} ({@link CertsCommand}). {@code --help} and {@code --version} work
 * on their own. Not thread-safe; one instance per process.
 */
@Command(
    name = "syncmesh",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = "A peer-to-peer mesh and synchronized dictionary, wire-compatible with js2p/py2p 0.7.")
public final class Main implements Runnable {

  /**
   * The subcommands, in the order help lists them. Added by {@link #newCommandLine}, not named in
   * {@code @Command}: picocli reads every option of a command it is given, 15 to 20 ms of a cold
   * start for {@code node}'s or {@code certs}' model, so a start builds only the one it runs.
   */
  private static final Map<String, Supplier<Object>> SUBCOMMANDS = subcommands();

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  /** Runs the command line and exits with its exit code. */
  public static void main(String[] args) {
    prepareProcess();
    System.exit(newCommandLine(args).execute(args));
  }

  /** What the process sets before any command runs (also for {@link CdsTraining}, so that it loads the same classes). */
  static void prepareProcess() {
    // The node does not use Netty's allocator JFR events, whose registration costs ~150 ms of
    // start-up; -Dio.netty.jfr.enabled=true brings them back for a profiling session.
    if (System.getProperty("io.netty.jfr.enabled") == null) {
      System.setProperty("io.netty.jfr.enabled", "false");
    }
  }

  /** The configured picocli command line with every subcommand; tests parse and execute through it without exiting. */
  static CommandLine newCommandLine() {
    return newCommandLine(new String[0]);
  }

  /**
   * The command line to execute {@code args} with: when {@code args[0]} names a subcommand, with that
   * one alone (what it does and prints is the same, its usage names no sibling); otherwise (help,
   * {@code --version}, a mistyped name and its suggestions) with all of them.
   */
  static CommandLine newCommandLine(String[] args) {
    CommandLine commandLine = new CommandLine(new Main());
    Supplier<Object> asked = args.length > 0 ? SUBCOMMANDS.get(args[0]) : null;
    if (asked != null) {
      commandLine.addSubcommand(asked.get());
    } else {
      SUBCOMMANDS.values().forEach(subcommand -> commandLine.addSubcommand(subcommand.get()));
    }
    CommandLine.IParameterExceptionHandler usual = commandLine.getParameterExceptionHandler();
    commandLine.setParameterExceptionHandler((e, given) -> NodeCommand.handleParameterException(e, given, usual));
    return commandLine;
  }

  private static Map<String, Supplier<Object>> subcommands() {
    Map<String, Supplier<Object>> subcommands = new LinkedHashMap<>();
    subcommands.put("node", NodeCommand::new);
    subcommands.put("certs", CertsCommand::new);
    return Collections.unmodifiableMap(subcommands);
  }

  @Override
  public void run() {
    // No subcommand given: show what there is.
    spec.commandLine().usage(spec.commandLine().getOut());
  }
}
