package org.syncmesh.cli;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code syncmesh node}: starts a sync node (or a mesh node with {@code --mesh}) and runs the
 * human REPL, or with {@code --json} the node line protocol (docs/node-line-protocol.md).
 *
 * <p>Parsing and running are apart: {@link #options()} turns the parsed fields into a validated
 * {@link NodeOptions} without touching the network, so tests check it through
 * {@code CommandLine.parseArgs}. One instance per command line; not thread-safe.
 */
@Command(
    name = "node",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = {
        "Starts a node: a synchronized dictionary (default) or a plain mesh (--mesh).",
        "Without --json it runs an interactive prompt (type help); with --json it speaks the node "
            + "line protocol on standard input and output, one JSON reply line per command line."})
final class NodeCommand implements Callable<Integer> {

  /** How long closing may take before the process exits anyway (the contract allows 5 s). */
  private static final long CLOSE_DEADLINE_MILLIS = 4_000;

  @Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--host", paramLabel = "HOST", description = "Address to bind (default: ${DEFAULT-VALUE}; 0.0.0.0 = all).",
      defaultValue = "127.0.0.1")
  String host;

  @Option(names = "--port", paramLabel = "PORT", description = "Port to bind, 0 = ephemeral (default: ${DEFAULT-VALUE}).",
      defaultValue = "" + NodeOptions.DEFAULT_PORT)
  int port;

  @Option(names = "--connect", paramLabel = "HOST:PORT", description = "Connect to a peer at start (repeatable); retried until it answers.",
      converter = HostPortConverter.class)
  List<NodeOptions.HostPort> connect = new ArrayList<>();

  @Option(names = "--subnet", paramLabel = "SUBNET",
      description = "Protocol subnet (default: sync, or mesh with --mesh; the sync layer appends the leasing digit).")
  @Nullable String subnet;

  @Option(names = "--transport", paramLabel = "Plaintext|SSL", description = "Transport (default: ${DEFAULT-VALUE}).",
      defaultValue = "Plaintext", converter = TransportConverter.class)
  String transport;

  @Option(names = "--no-leasing", description = "Turn the leasing system off (sync nodes).")
  boolean noLeasing;

  @Option(names = "--mesh", description = "Run a plain mesh socket: no dictionary, the dictionary commands fail.")
  boolean mesh;

  @Option(names = "--json", description = "Speak the node line protocol on stdin/stdout instead of the prompt.")
  boolean json;

  @Option(names = {"-q", "--quiet"}, description = "No live lines for update, delete and message events (prompt).")
  boolean quiet;

  @Option(names = "--max-frame-bytes", paramLabel = "BYTES",
      description = "Largest frame sent or accepted, which bounds a value; every node of a network needs the same "
          + "(default: ${DEFAULT-VALUE}).")
  int maxFrameBytes = org.syncmesh.wire.FrameCodec.DEFAULT_MAX_FRAME_BYTES;

  @Option(names = "--data", paramLabel = "DIR",
      description = "Keep the node in DIR (created if missing): it restarts with the same id, keys, versions and "
          + "tombstones, and redials the peers it knew. A write that returned survives the process being killed.")
  java.nio.file.@Nullable Path data;

  @Option(names = "--fsync", description = "With --data: a write that returned survives power loss too (slower: "
      + "every write waits for the disk).")
  boolean fsync;

  @Option(names = "--tls-cert", paramLabel = "FILE", description = "Join a secure network (docs/security.md; with "
      + "--tls-key and --tls-ca): this node's certificate (PEM), naming its id (syncmesh certs node makes one). Read "
      + "again when it changes.")
  java.nio.file.@Nullable Path tlsCert;

  @Option(names = "--tls-key", paramLabel = "FILE", description = "The certificate's private key (PEM PKCS#8).")
  java.nio.file.@Nullable Path tlsKey;

  @Option(names = "--tls-ca", paramLabel = "FILE", description = "The network's CA certificates (PEM, one or more): "
      + "only peers whose certificate they signed are let in.")
  java.nio.file.@Nullable Path tlsCa;

  @Option(names = "--identity", paramLabel = "FILE", description = "Secure network: this node's identity key (PEM "
      + "PKCS#8 Ed25519); its id is the key's. Without it a --data node keeps one in DIR/identity.key.")
  java.nio.file.@Nullable Path identity;

  @Option(names = "--deny", paramLabel = "FILE", description = "Node ids to refuse, one per line (# comments), read "
      + "again when it changes: their links are closed and refused.")
  java.nio.file.@Nullable Path deny;

  @Option(names = "-v", description = "More logging on standard error: -v info, -vv debug (default: warnings).")
  boolean[] verbose = new boolean[0];

  /**
   * The parsed options, validated.
   *
   * @throws ParameterException if a value is out of range
   */
  NodeOptions options() {
    try {
      return new NodeOptions(host, port, connect, subnet != null ? subnet : NodeOptions.defaultSubnet(mesh),
          transport, !noLeasing, mesh, json, quiet, verbose.length, maxFrameBytes, data, fsync,
          new NodeOptions.Security(tlsCert, tlsKey, tlsCa, identity, deny));
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), "bad option: " + e.getMessage(), e);
    }
  }

  @Override
  public Integer call() {
    NodeOptions options = options();
    configureLogging(options.verbosity());
    AtomicReference<@Nullable NodeSession> running = new AtomicReference<>();
    // Ctrl-C (and any other exit) closes the node: its connections end cleanly.
    Thread hook = new Thread(() -> closeWithin(running.getAndSet(null)), "node-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    int status;
    if (options.json()) {
      PrintStream protocolOut = jsonStdout();
      status = JsonMode.run(options, System.in, protocolOut, running::set);
    } else {
      status = Repl.run(options, running::set);
    }
    closeWithin(running.getAndSet(null));
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException e) {
      // already shutting down: the hook runs and finds nothing left to close
    }
    return status;
  }

  /**
   * Standard output for the line protocol only: {@code System.out} is pointed at standard error,
   * so nothing else (a library's stray print) can break the protocol.
   */
  static PrintStream jsonStdout() {
    PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), false, StandardCharsets.UTF_8);
    System.setOut(System.err);
    return out;
  }

  /** Closes the node, giving up after {@link #CLOSE_DEADLINE_MILLIS} so the process still exits. */
  private static void closeWithin(@Nullable NodeSession session) {
    if (session == null) {
      return;
    }
    Thread closer = new Thread(session::close, "node-close");
    closer.setDaemon(true);
    closer.start();
    try {
      closer.join(CLOSE_DEADLINE_MILLIS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Sets slf4j-simple's level from {@code -v}, unless the user set it; before the first logger. */
  static void configureLogging(int verbosity) {
    String key = "org.slf4j.simpleLogger.defaultLogLevel";
    if (verbosity > 0 && System.getProperty(key) == null) {
      System.setProperty(key, verbosity == 1 ? "info" : "debug");
    }
  }

  /**
   * Reports a bad option. With {@code --json} among the arguments that is one
   * {@code {"ok":false,…}} line on standard output and exit status 1, as the line protocol
   * promises; otherwise picocli's usual message and usage on standard error.
   */
  static int handleParameterException(ParameterException e, String[] args,
      CommandLine.IParameterExceptionHandler fallback) throws Exception {
    if (!List.of(args).contains("--json") || !(e.getCommandLine().getCommand() instanceof NodeCommand)) {
      return fallback.handleParseException(e, args);
    }
    PrintStream out = jsonStdout();
    out.print(LineProtocol.Reply.failure(e.getMessage()).toLine() + "\n");
    out.flush();
    return 1;
  }

  /** {@code HOST:PORT}. */
  static final class HostPortConverter implements CommandLine.ITypeConverter<NodeOptions.HostPort> {
    @Override
    public NodeOptions.HostPort convert(String value) {
      try {
        return NodeOptions.HostPort.parse(value);
      } catch (IllegalArgumentException e) {
        throw new CommandLine.TypeConversionException(e.getMessage());
      }
    }
  }

  /** {@code Plaintext} or {@code SSL}, any case. */
  static final class TransportConverter implements CommandLine.ITypeConverter<String> {
    @Override
    public String convert(String value) {
      switch (value.toLowerCase(Locale.ROOT)) {
        case "plaintext":
          return org.syncmesh.wire.Protocol.PLAINTEXT;
        case "ssl":
          return org.syncmesh.wire.Protocol.SSL;
        default:
          throw new CommandLine.TypeConversionException("bad transport (want Plaintext or SSL): " + value);
      }
    }
  }
}
