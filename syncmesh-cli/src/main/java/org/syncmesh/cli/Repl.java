package org.syncmesh.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.jline.reader.EndOfFileException;
import org.jline.reader.LineReader;
import org.jline.reader.LineReaderBuilder;
import org.jline.reader.UserInterruptException;
import org.jline.reader.impl.completer.ArgumentCompleter;
import org.jline.reader.impl.completer.NullCompleter;
import org.jline.reader.impl.completer.StringsCompleter;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;
import org.jspecify.annotations.Nullable;
import org.syncmesh.Bytes;
import org.syncmesh.mesh.Message;
import org.syncmesh.sync.MetaTuple;

/**
 * {@code syncmesh node} without {@code --json}: an interactive prompt (JLine) over the same
 * commands as the line protocol, with history, completion of command names, {@code help},
 * tables for peers and items, and a live line for every update, delete and message event
 * unless {@code --quiet}, and a progress line while an initial sync or anti-entropy catching up
 * runs (then updates are counted, not shown one by one). Ctrl-D, Ctrl-C and {@code quit} close the node.
 *
 * <p>Runs on the calling thread; live lines are printed above the prompt from a thread of its
 * own, so a slow terminal never stalls the node.
 */
final class Repl {

  /** The help text: one line per command. */
  static final String HELP = String.join("\n",
      "Commands (KEY: a word, or a JSON string such as \"my key\"; VALUE: JSON, bin as {\"$bin\":\"<base64>\"}):",
      "  id                      this node's id",
      "  connect HOST PORT       connect to a peer",
      "  peers                   the connected peers",
      "  set KEY VALUE           store a value (null deletes)",
      "  get KEY                 the value, or (absent)",
      "  del KEY                 delete a key",
      "  delta KEY OBJECT        merge an object into the map at KEY",
      "  pop KEY                 delete a key and show its value",
      "  keys | items | count    the dictionary",
      "  meta KEY                owner and timestamp of a key",
      "  send [PACKET, ...]      broadcast a message to the network",
      "  recv                    the messages received since the last recv",
      "  status                  Nominal, or the errors seen",
      "  waitkeys N TIMEOUT_MS   wait until N keys are held",
      "  events on|off, arrivals record update arrival times (benchmarks)",
      "  help                    this text",
      "  quit                    close the node (also Ctrl-D, Ctrl-C)");

  private static final String HISTORY_FILE = ".syncmesh_history";

  /** Update lines shown per second at most; the others are counted, and the count shown each second. */
  static final int MAX_LINES_PER_SECOND = 50;

  private Repl() {}

  /**
   * Runs the prompt on the system terminal (a dumb one, without warning, when standard input is
   * not a terminal); history is kept in {@code ~/.syncmesh_history}.
   *
   * @return the exit status: 0 after a clean end, 1 if the node could not start
   */
  static int run(NodeOptions options, Consumer<NodeSession> started) {
    Terminal terminal;
    try {
      terminal = TerminalBuilder.builder().name("syncmesh").system(true).dumb(true).build();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open the terminal", e);
    }
    try (terminal) {
      return run(options, terminal, Path.of(System.getProperty("user.home"), HISTORY_FILE), started);
    } catch (IOException e) {
      return 0; // closing the terminal failed; the node is closed already
    }
  }

  /**
   * Runs the prompt on {@code terminal}.
   *
   * @param historyFile where history persists, or null to keep it in memory
   */
  static int run(NodeOptions options, Terminal terminal, @Nullable Path historyFile, Consumer<NodeSession> started) {
    PrintWriter out = terminal.writer();
    NodeSession session;
    try {
      session = NodeSession.start(options);
    } catch (RuntimeException e) {
      out.println("error: " + JsonMode.startFailure(e));
      out.flush();
      return NodeCommand.EXIT_FAILURE;
    }
    List<String> words = new ArrayList<>(LineProtocol.COMMANDS);
    words.add("help");
    LineReaderBuilder builder = LineReaderBuilder.builder()
        .terminal(terminal)
        .appName("syncmesh")
        .completer(new ArgumentCompleter(new StringsCompleter(words), NullCompleter.INSTANCE));
    if (historyFile != null) {
      builder.variable(LineReader.HISTORY_FILE, historyFile);
    }
    LineReader reader = builder.build();
    ScheduledExecutorService printer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "repl-events");
      t.setDaemon(true);
      return t;
    });
    try (session) {
      started.accept(session);
      out.println(startLines(options, session) + " Type help.");
      out.flush();
      if (!options.quiet()) {
        ProgressLine progress = session.isSync()
            ? new ProgressLine(() -> session.sync().peerSync().values(), System.nanoTime()) : null;
        AtomicLong hidden = new AtomicLong();
        session.addEvents(liveLines(session.socket().id(), reader, printer, progress, hidden));
        if (progress != null) {
          printer.scheduleAtFixedRate(() -> progressLine(progress, hidden, reader), 1, 1, TimeUnit.SECONDS);
        }
      }
      loop(reader, new LineProtocol(session));
    } finally {
      printer.shutdownNow();
      try {
        reader.getHistory().save();
      } catch (IOException e) {
        // history is a convenience; losing it is not worth a failure
      }
    }
    return NodeCommand.EXIT_OK;
  }

  /**
   * What a started node says first, for people: its id, then where it listens and what peers are
   * told, its kind and protocol (two lines, no final line break).
   */
  static String startLines(NodeOptions options, NodeSession session) {
    java.net.InetSocketAddress advertised = session.socket().outAddress();
    String bound = options.host() + ":" + session.socket().port();
    String told = advertised.getHostString() + ":" + advertised.getPort();
    return "node " + session.socket().id() + "\nlistening on " + bound
        + (told.equals(bound) ? "" : ", peers are told " + told) + " (" + (session.isSync() ? "sync" : "mesh")
        + ", protocol " + session.socket().protocol().subnet() + " " + session.socket().protocol().transport() + ").";
  }

  private static void loop(LineReader reader, LineProtocol protocol) {
    PrintWriter out = reader.getTerminal().writer();
    while (true) {
      String line;
      try {
        line = reader.readLine("syncmesh> ");
      } catch (UserInterruptException | EndOfFileException e) {
        out.println("closing the node");
        out.flush();
        return;
      }
      String command = LineArgs.splitCommand(line)[0];
      if (command.isEmpty()) {
        continue;
      }
      if (command.equals("help")) {
        out.println(HELP);
        out.flush();
        continue;
      }
      LineProtocol.Reply reply = protocol.execute(line);
      out.println(HumanFormat.reply(command, reply));
      out.flush();
      if (LineProtocol.isQuit(line, reply)) {
        return;
      }
    }
  }

  /** Prints the progress line, if long work is under way or just ended (the prompt's timer thread). */
  private static void progressLine(ProgressLine progress, AtomicLong hidden, LineReader reader) {
    try {
      String line = progress.tick(System.nanoTime());
      if (!progress.active()) {
        long n = hidden.getAndSet(0);
        String more = n == 0 ? "" : String.format(java.util.Locale.ROOT, "(%,d more updates not shown one by one)", n);
        line = line == null ? (n == 0 ? null : more) : line + " " + more;
      }
      if (line != null) {
        reader.printAbove(line.strip());
      }
    } catch (RuntimeException e) { // the node is closing: a periodic task that throws would stop silently
      reader.printAbove("progress: " + e.getMessage());
    }
  }

  /**
   * A line per update, delete and message; while {@code progress} reports long work (an initial sync
   * of many keys), updates and deletes are only counted in {@code hidden}: the progress line covers them.
   */
  private static NodeSession.Events liveLines(String self, LineReader reader, ExecutorService printer,
      @Nullable ProgressLine progress, AtomicLong hidden) {
    return new NodeSession.Events() {
      /** The second of the last line shown, and the lines shown in it. Callback thread. */
      private long second;
      private int shownThisSecond;

      @Override
      public void updated(Bytes key, Object value, MetaTuple meta) {
        if (shows()) {
          print(HumanFormat.updated(self, key, value, meta));
        }
      }

      @Override
      public void deleted(Bytes key) {
        if (shows()) {
          print(HumanFormat.deleted(key));
        }
      }

      /** Whether to show a line for this update: not during long work, nor past the lines a terminal can follow. */
      private boolean shows() {
        long now = System.nanoTime() / 1_000_000_000L;
        if (now != second) {
          second = now;
          shownThisSecond = 0;
        }
        if ((progress != null && progress.active()) || ++shownThisSecond > MAX_LINES_PER_SECOND) {
          hidden.incrementAndGet();
          return false;
        }
        return true;
      }

      @Override
      public void message(Message message) {
        print(HumanFormat.message(message));
      }

      private void print(String text) {
        try {
          printer.execute(() -> reader.printAbove(text));
        } catch (java.util.concurrent.RejectedExecutionException e) {
          // the prompt is closing
        }
      }
    };
  }
}
