package org.syncmesh.cli;

import java.io.PrintStream;
import java.util.concurrent.CountDownLatch;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code syncmesh node --no-input}: a node that reads no commands, for a service whose standard
 * input is empty or closed (systemd gives {@code /dev/null}, which would end the prompt and the
 * line protocol at once). It starts, says so once (the line protocol's start line with
 * {@code --json}, else the prompt's two lines), and runs until the process is stopped: SIGTERM or
 * SIGINT run the shutdown hook, which closes the node.
 *
 * <p>Runs on the calling thread, which it never gives back once the node is up.
 */
final class Unattended {

  private static final Logger log = LoggerFactory.getLogger(Unattended.class);

  private Unattended() {}

  /**
   * Starts the node and waits for the process to be stopped.
   *
   * @return {@link NodeCommand#EXIT_FAILURE} if the node could not start (after one failure line);
   *     otherwise does not return until interrupted, then {@link NodeCommand#EXIT_OK}
   */
  static int run(NodeOptions options, PrintStream out, Consumer<NodeSession> started) {
    NodeSession session;
    try {
      session = NodeSession.start(options);
    } catch (RuntimeException e) {
      log.debug("cannot start", e);
      String why = JsonMode.startFailure(e);
      out.print((options.json() ? LineProtocol.Reply.failure(why).toLine() : "error: " + why) + "\n");
      out.flush();
      return NodeCommand.EXIT_FAILURE;
    }
    started.accept(session);
    if (options.json()) {
      out.print(JsonMode.startLine(options, session) + "\n");
    } else {
      out.print(Repl.startLines(options, session) + " Reading no commands (--no-input): stop with SIGTERM.\n");
    }
    out.flush();
    try {
      new CountDownLatch(1).await(); // the shutdown hook closes the node; the JVM then ends this thread
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return NodeCommand.EXIT_OK;
  }
}
