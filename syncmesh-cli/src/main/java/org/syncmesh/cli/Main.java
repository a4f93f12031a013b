package org.syncmesh.cli;

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
    subcommands = {NodeCommand.class, CertsCommand.class},
    description = "A peer-to-peer mesh and synchronized dictionary, wire-compatible with js2p/py2p 0.7.")
public final class Main implements Runnable {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  /** Runs the command line and exits with its exit code. */
  public static void main(String[] args) {
    prepareProcess();
    System.exit(newCommandLine().execute(args));
  }

  /** What the process sets before any command runs (also for {@link CdsTraining}, so that it loads the same classes). */
  static void prepareProcess() {
    // The node does not use Netty's allocator JFR events, whose registration costs ~150 ms of
    // start-up; -Dio.netty.jfr.enabled=true brings them back for a profiling session.
    if (System.getProperty("io.netty.jfr.enabled") == null) {
      System.setProperty("io.netty.jfr.enabled", "false");
    }
  }

  /** The configured picocli command line; tests parse and execute through it without exiting. */
  static CommandLine newCommandLine() {
    CommandLine commandLine = new CommandLine(new Main());
    CommandLine.IParameterExceptionHandler usual = commandLine.getParameterExceptionHandler();
    commandLine.setParameterExceptionHandler((e, args) -> NodeCommand.handleParameterException(e, args, usual));
    return commandLine;
  }

  @Override
  public void run() {
    // No subcommand given: show what there is.
    spec.commandLine().usage(spec.commandLine().getOut());
  }
}
