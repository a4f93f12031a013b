package org.syncmesh.cli;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
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

  /** Exit status: the node ran and ended cleanly (end of input, {@code quit}, SIGTERM, Ctrl-C). */
  static final int EXIT_OK = 0;

  /** Exit status: the node could not start or failed while running (port in use, data directory locked…). */
  static final int EXIT_FAILURE = 1;

  /** Exit status: a usage error, a bad option or config file; nothing was started. Picocli's own. */
  static final int EXIT_USAGE = CommandLine.ExitCode.USAGE;

  /** How long closing may take before the process exits anyway (the contract allows 5 s). */
  private static final long CLOSE_DEADLINE_MILLIS = 4_000;

  @Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--config", paramLabel = "FILE", description = "Read options from FILE: `key = value` lines, "
      + "keys are the long option names without --, # starts a comment (docs/configuration.md). Options given on "
      + "the command line override the file.")
  java.nio.file.@Nullable Path config;

  @Option(names = "--host", paramLabel = "HOST", defaultValue = "127.0.0.1",
      description = "Address to bind (default: ${DEFAULT-VALUE}; 0.0.0.0 = all, which needs --out-addr).")
  String host;

  @Option(names = "--port", paramLabel = "PORT", description = "Port to bind, 0 = ephemeral (default: ${DEFAULT-VALUE}).",
      defaultValue = "" + NodeOptions.DEFAULT_PORT, converter = PortConverter.class)
  int port;

  @Option(names = "--out-addr", paramLabel = "HOST:PORT", description = "The address peers are told to dial to reach "
      + "this node (default: the bound host and port). Required with --host 0.0.0.0; behind NAT or a container's "
      + "port mapping, the outside address.", converter = OutAddrConverter.class)
  NodeOptions.@Nullable HostPort outAddr;

  @Option(names = "--max-outgoing", paramLabel = "N", description = "Most connections this node opens itself to "
      + "peers it learns of from peers lists, 0-1000 (default: ${DEFAULT-VALUE}); --connect peers are dialled "
      + "whatever it is.", defaultValue = "" + NodeOptions.DEFAULT_MAX_OUTGOING, converter = MaxOutgoingConverter.class)
  int maxOutgoing;

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

  @Option(names = "--no-input", description = "Read no commands: start, print the start line(s), and run until "
      + "SIGTERM or SIGINT (for a service, whose standard input is empty or closed).")
  boolean noInput;

  @Option(names = {"-q", "--quiet"}, description = "No live lines for update, delete and message events (prompt).")
  boolean quiet;

  @Option(names = "--max-frame-bytes", paramLabel = "BYTES",
      description = "Largest frame sent or accepted, which bounds a value; every node of a network needs the same "
          + "(default: ${DEFAULT-VALUE}).", converter = MaxFrameBytesConverter.class)
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

  @Option(names = "--http", paramLabel = "[HOST:]PORT", description = "Serve the node's live page (/), its JSON API "
      + "(/api/...) and its metrics (/metrics, Prometheus text format) on HOST:PORT (docs/http.md); HOST defaults to "
      + "127.0.0.1, port 0 = ephemeral. In a secure network every request needs a token. Not with --mesh.",
      converter = HttpAddrConverter.class)
  @Nullable HttpAddr http;

  @Option(names = "--http-token-file", paramLabel = "FILE", description = "With --http: every request must carry the "
      + "token held in FILE (its trimmed content), as `Authorization: Bearer TOKEN`. Without it, a secure network's "
      + "node makes a random token at start and prints the page's URL with it; an open network's needs none.")
  java.nio.file.@Nullable Path httpTokenFile;

  @Option(names = {"-v", "--verbose"}, description = "More logging on standard error: -v info, -vv debug (default: "
      + "warnings). In a config file: verbose = 0, 1 or 2.")
  boolean[] verbose = new boolean[0];

  /** Whether the {@code --config} file's settings were merged in (once). */
  private boolean configApplied;

  /**
   * The parsed options, validated.
   *
   * @throws ParameterException if a value is out of range
   */
  NodeOptions options() {
    if (config != null && !configApplied) {
      ConfigFile.apply(config, spec);
      configApplied = true;
    }
    if (http != null && mesh) {
      throw new ParameterException(spec.commandLine(), "bad option: --http serves a sync node's metrics, not a "
          + "--mesh node's");
    }
    if (httpTokenFile != null && http == null) {
      throw new ParameterException(spec.commandLine(), "bad option: --http-token-file is the token of --http's "
          + "server: give --http [HOST:]PORT too");
    }
    try {
      return new NodeOptions(host, port, connect, subnet != null ? subnet : NodeOptions.defaultSubnet(mesh),
          transport, !noLeasing, mesh, json, quiet, verbose.length, maxFrameBytes, data, fsync,
          new NodeOptions.Security(tlsCert, tlsKey, tlsCa, identity, deny), outAddr, maxOutgoing);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), "bad option: " + e.getMessage()
          + (config != null ? " (options from the command line and " + config + ")" : ""), e);
    }
  }

  @Override
  public Integer call() {
    NodeOptions options = options();
    configureLogging(options.verbosity());
    AtomicReference<@Nullable NodeSession> running = new AtomicReference<>();
    AtomicReference<@Nullable WebServer> metrics = new AtomicReference<>();
    // Ctrl-C (and any other exit) closes the node: its connections end cleanly.
    Thread hook = new Thread(() -> {
      closeMetrics(metrics.getAndSet(null));
      closeWithin(running.getAndSet(null));
    }, "node-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    if (http != null) {
      try {
        metrics.set(startWeb(http, httpToken(options.security().secure())));
      } catch (java.io.UncheckedIOException e) {
        System.err.println("error: " + e.getCause().getMessage());
        return EXIT_FAILURE;
      } catch (IllegalArgumentException e) {
        System.err.println("error: " + e.getMessage());
        return EXIT_FAILURE;
      }
    }
    java.util.function.Consumer<NodeSession> started = session -> {
      running.set(session);
      WebServer server = metrics.get();
      if (server != null) {
        server.serve(session, options.security().secure());
      }
    };
    int status;
    if (noInput) {
      status = Unattended.run(options, options.json() ? jsonStdout() : System.out, started);
    } else if (options.json()) {
      PrintStream protocolOut = jsonStdout();
      status = JsonMode.run(options, System.in, protocolOut, started);
    } else {
      status = Repl.run(options, started);
    }
    closeMetrics(metrics.getAndSet(null));
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

  /**
   * The token {@code --http}'s server requires: the {@code --http-token-file}'s, else a random one in
   * a secure network, else none (an open network's node has no secret to guard: anyone who reaches it
   * can join it and read the same dictionary).
   *
   * @throws java.io.UncheckedIOException if the token file cannot be read
   * @throws IllegalArgumentException if it is empty or holds a character a token may not have
   */
  @Nullable WebToken httpToken(boolean secure) {
    if (httpTokenFile != null) {
      return WebToken.read(httpTokenFile);
    }
    return secure ? WebToken.random() : null;
  }

  /**
   * Starts {@code --http}'s server, before the node (which it serves once started), and says where on
   * standard error (standard output may be the line protocol's): the page's URL, with a generated
   * token in it (printed this once), and the metrics' URL.
   *
   * @throws java.io.UncheckedIOException if the address cannot be bound
   */
  WebServer startWeb(HttpAddr http, @Nullable WebToken token) {
    WebServer server = WebServer.start(http.host(), http.port(), token);
    String base = "http://" + WebApi.hostPort(http.host(), server.address().getPort());
    String page = base + "/";
    if (token != null) {
      page += httpTokenFile != null ? " (token: the content of " + httpTokenFile + ")" : "?token=" + token.text();
    }
    System.err.println("page: " + page);
    System.err.println("metrics: " + base + "/metrics");
    return server;
  }

  /** {@link #startWeb} for an open network without a token file (tests). */
  static WebServer startWeb(HttpAddr http) {
    return new NodeCommand().startWeb(http, null);
  }

  private static void closeMetrics(@Nullable WebServer server) {
    if (server != null) {
      server.close();
    }
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
   * Reports a bad option, with exit status {@link #EXIT_USAGE}. With {@code --json} among the
   * arguments (or {@code json = true} in the config file) that is one {@code {"ok":false,…}} line
   * on standard output, as the line protocol promises; otherwise picocli's usual message and usage
   * on standard error. Either way the message repeats at most {@link Abbrev#MAX_CHARS}
   * characters of an argument.
   */
  static int handleParameterException(ParameterException e, String[] args,
      CommandLine.IParameterExceptionHandler fallback) throws Exception {
    boolean node = e.getCommandLine().getCommand() instanceof NodeCommand;
    boolean json = node && (List.of(args).contains("--json") || ((NodeCommand) e.getCommandLine().getCommand()).json);
    String message = Abbrev.quote(String.valueOf(e.getMessage()), 2 * Abbrev.MAX_CHARS + 200);
    if (!json) {
      if (message.equals(e.getMessage())) {
        return fallback.handleParseException(e, args);
      }
      // picocli would print the whole argument: say it shorter, then the usual usage hint
      CommandLine cl = e.getCommandLine();
      cl.getErr().println(message);
      cl.getErr().println("Try '" + cl.getCommandSpec().qualifiedName() + " --help' for more information.");
      return EXIT_USAGE;
    }
    PrintStream out = jsonStdout();
    out.print(LineProtocol.Reply.failure(message).toLine() + "\n");
    out.flush();
    return EXIT_USAGE;
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

  /** {@code [HOST:]PORT} given to {@code --http}: the host defaults to 127.0.0.1, so nothing is exposed unasked. */
  static final class HttpAddrConverter implements CommandLine.ITypeConverter<HttpAddr> {
    @Override
    public HttpAddr convert(String value) {
      int colon = value.lastIndexOf(':');
      String host = colon < 0 ? "127.0.0.1" : value.substring(0, colon);
      String port = value.substring(colon + 1);
      if (host.startsWith("[") && host.endsWith("]")) {
        host = host.substring(1, host.length() - 1);
      }
      if (host.isEmpty() || !port.matches("[0-9]{1,5}") || Integer.parseInt(port) > 65_535) {
        throw new CommandLine.TypeConversionException("bad --http value (want [HOST:]PORT, port 0-65535): "
            + Abbrev.quote(value));
      }
      return new HttpAddr(host, Integer.parseInt(port));
    }
  }

  /** Where {@code --http} serves: a host to bind and a port, 0 for an ephemeral one. */
  record HttpAddr(String host, int port) {}

  /** {@code HOST:PORT} given to {@code --out-addr}. */
  static final class OutAddrConverter implements CommandLine.ITypeConverter<NodeOptions.HostPort> {
    @Override
    public NodeOptions.HostPort convert(String value) {
      try {
        return NodeOptions.HostPort.parse(value, "--out-addr");
      } catch (IllegalArgumentException e) {
        throw new CommandLine.TypeConversionException(e.getMessage());
      }
    }
  }

  /**
   * An integer in a range: checked while parsing, so a config file's bad value is reported with
   * its line.
   */
  abstract static class RangeConverter implements CommandLine.ITypeConverter<Integer> {
    private final int min;
    private final int max;

    RangeConverter(int min, int max) {
      this.min = min;
      this.max = max;
    }

    @Override
    public Integer convert(String value) {
      if (!value.matches("[0-9]{1,10}") || Long.parseLong(value) < min || Long.parseLong(value) > max) {
        throw new CommandLine.TypeConversionException(Abbrev.quote(value) + " (expected: an integer in [" + min
            + ", " + max + "])");
      }
      return Integer.parseInt(value);
    }
  }

  /** A port to bind: 0 (ephemeral) to 65535. */
  static final class PortConverter extends RangeConverter {
    PortConverter() {
      super(0, 65_535);
    }
  }

  /** {@code --max-outgoing}: 0 to 1000, as the mesh socket takes. */
  static final class MaxOutgoingConverter extends RangeConverter {
    MaxOutgoingConverter() {
      super(0, 1_000);
    }
  }

  /** {@code --max-frame-bytes}: 1 KiB up to what a frame's length can say. */
  static final class MaxFrameBytesConverter extends RangeConverter {
    MaxFrameBytesConverter() {
      super(1024, Integer.MAX_VALUE - 8);
    }
  }

  /** {@code Plaintext} or {@code SSL}, any case. */
  static final class TransportConverter implements CommandLine.ITypeConverter<String> {
    @Override
    public String convert(String value) {
      switch (value.toLowerCase(Locale.ROOT)) {
        case "plaintext":
          return org.syncmesh.Protocol.PLAINTEXT;
        case "ssl":
          return org.syncmesh.Protocol.SSL;
        default:
          throw new CommandLine.TypeConversionException("bad transport (want Plaintext or SSL): " + Abbrev.quote(value));
      }
    }
  }
}
