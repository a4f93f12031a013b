package org.syncmesh.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A TCP proxy that injects network faults between two endpoints on 127.0.0.1: it listens on an
 * ephemeral port ({@link #port()}) and forwards every connection it admits to
 * {@code 127.0.0.1:targetPort}, both ways, byte for byte and in order, unless told otherwise:
 *
 * <ul>
 *   <li>{@link #partition()} cuts every connection (both ends see end of stream) and refuses new
 *       ones (accepted, then closed at once) until {@link #heal()};
 *   <li>{@link #blackhole()} keeps connections open but silently drops every byte, a partition
 *       TCP does not notice, until {@link #heal()};
 *   <li>{@link #dropMidFrame(Direction)} forwards only the first half of the next chunk read in
 *       that direction, then cuts its connection, so the receiver holds a partial frame
 *       (protocol frames are a 4-byte length, then the payload) followed by end of stream;
 *   <li>{@link #delay(Duration)} forwards each chunk no sooner than that long after it was read;
 *   <li>{@link #stall()} stops reading, so the senders' buffers fill and TCP pushes back, until
 *       {@link #unstall()}, after which everything held is forwarded: nothing is lost.
 * </ul>
 *
 * <p>A "chunk" is what one read of a connection returned (at most 16 KiB). A cut shuts down the
 * proxy's output on both sockets (FIN, never a reset, so what was forwarded stays readable) and
 * discards whatever arrives afterwards; the proxy closes its sockets once both ends have closed
 * theirs, or at {@link #close()}.
 *
 * <p><b>Thread-safety:</b> every method may be called from any thread at any time; controls take
 * effect for existing and new connections alike, on the next chunk (a chunk already being
 * written is not recalled). The controls share one lock; the counters are atomic.
 *
 * <p><b>Threads and lifecycle:</b> one acceptor thread, and two per connection, all named
 * {@code syncmesh-proxy-<port>-…} so that {@link NetworkTestRule} reports a leak. {@link #close()}
 * closes the listener and every socket and joins every thread within {@value #JOIN_SECONDS} s,
 * or throws. It is idempotent.
 *
 * <pre>{@code
 * try (FaultProxy proxy = new FaultProxy(a.port())) {
 *   b.connect("127.0.0.1", proxy.port()).join();
 *   proxy.partition();   // a and b lose each other
 * }
 * }</pre>
 */
public final class FaultProxy implements AutoCloseable {

  /** Which way bytes flow through a proxied connection. */
  public enum Direction {
    /** From the dialler (the proxy's client) to the target. */
    TO_TARGET,
    /** From the target back to the dialler. */
    TO_CLIENT
  }

  static final int JOIN_SECONDS = 5;
  private static final int CHUNK_BYTES = 16 * 1024;
  private static final int CONNECT_TIMEOUT_MILLIS = 5_000;

  private enum Verdict { FORWARD, DISCARD, CUT_HALF }

  private final InetSocketAddress target;
  private final ServerSocket server;
  private final String threadPrefix;

  private final Object lock = new Object();
  // Guarded by lock.
  private boolean partitioned;
  private boolean blackholed;
  private boolean stalled;
  private boolean closed;
  private Duration delay = Duration.ZERO;
  private final Set<Direction> dropNext = EnumSet.noneOf(Direction.class);
  private final Set<Pipe> forwarding = new HashSet<>();
  private final Set<Pipe> open = new HashSet<>();
  private final List<Thread> threads = new ArrayList<>();
  private int pipeIds;

  private final Map<Direction, AtomicLong> forwarded = counters();
  private final Map<Direction, AtomicLong> dropped = counters();
  private final AtomicInteger accepted = new AtomicInteger();
  private final AtomicInteger refused = new AtomicInteger();

  /**
   * Starts a proxy to {@code 127.0.0.1:targetPort}, listening when the constructor returns.
   *
   * @throws UncheckedIOException if no port can be bound on 127.0.0.1
   */
  public FaultProxy(int targetPort) {
    InetAddress loopback = InetAddress.getLoopbackAddress();
    this.target = new InetSocketAddress(loopback, targetPort);
    try {
      this.server = new ServerSocket(0, 50, loopback);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot listen on 127.0.0.1", e);
    }
    this.threadPrefix = "syncmesh-proxy-" + server.getLocalPort();
    start(threadPrefix + "-accept", this::acceptLoop);
  }

  /** The port to dial instead of the target's. */
  public int port() {
    return server.getLocalPort();
  }

  // ---------------------------------------------------------------- controls

  /** Cuts every connection and refuses new ones until {@link #heal()}. */
  public void partition() {
    List<Pipe> toCut;
    synchronized (lock) {
      partitioned = true;
      toCut = List.copyOf(forwarding);
    }
    toCut.forEach(Pipe::cut);
  }

  /** Drops every byte, of existing and new connections, without closing any, until {@link #heal()}. */
  public void blackhole() {
    synchronized (lock) {
      blackholed = true;
    }
  }

  /** Ends a partition or a blackhole: new connections are admitted and bytes flow again. */
  public void heal() {
    synchronized (lock) {
      partitioned = false;
      blackholed = false;
    }
  }

  /**
   * Forwards only the first half (rounded down) of the next chunk read in {@code direction}, by
   * whichever connection reads it, then cuts that connection. Stays armed until a chunk comes.
   */
  public void dropMidFrame(Direction direction) {
    synchronized (lock) {
      dropNext.add(direction);
    }
  }

  /** Forwards every chunk read from now on at least {@code delay} after it was read; zero ends it. */
  public void delay(Duration delay) {
    if (delay.isNegative()) {
      throw new IllegalArgumentException("delay: " + delay + " (expected: >= 0)");
    }
    synchronized (lock) {
      this.delay = delay;
      lock.notifyAll(); // chunks already waiting go by the new delay
    }
  }

  /** Stops reading from every connection, both ways; a chunk already read is held, not sent. */
  public void stall() {
    synchronized (lock) {
      stalled = true;
    }
  }

  /** Resumes reading and forwards what was held. */
  public void unstall() {
    synchronized (lock) {
      stalled = false;
      lock.notifyAll();
    }
  }

  // ---------------------------------------------------------------- counters

  /** Bytes written so far in {@code direction}, over all connections. */
  public long bytesForwarded(Direction direction) {
    return forwarded.get(direction).get();
  }

  /** Bytes read in {@code direction} and not forwarded: blackholed, cut off, or after a cut. */
  public long bytesDropped(Direction direction) {
    return dropped.get(direction).get();
  }

  /** Connections admitted so far (refused ones not counted). */
  public int accepted() {
    return accepted.get();
  }

  /** Connections refused so far, because of a partition. */
  public int refused() {
    return refused.get();
  }

  /** Connections forwarding now: admitted, neither cut nor ended. */
  public int connections() {
    synchronized (lock) {
      return forwarding.size();
    }
  }

  // ---------------------------------------------------------------- lifecycle

  /**
   * Closes the listener and every socket, and joins every thread.
   *
   * @throws IllegalStateException if a thread is still running after {@value #JOIN_SECONDS} s
   */
  @Override
  public void close() {
    List<Pipe> pipes;
    List<Thread> toJoin;
    synchronized (lock) {
      closed = true; // from now on no pipe is admitted and no thread is started
      lock.notifyAll();
      pipes = List.copyOf(open);
      toJoin = List.copyOf(threads);
    }
    closeQuietly(server);
    pipes.forEach(Pipe::abort);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(JOIN_SECONDS);
    try {
      for (Thread t : toJoin) {
        t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    List<String> alive = toJoin.stream().filter(Thread::isAlive).map(Thread::getName).toList();
    if (!alive.isEmpty()) {
      throw new IllegalStateException("proxy threads still running " + JOIN_SECONDS + " s after close: " + alive);
    }
  }

  @Override
  public String toString() {
    return "FaultProxy{127.0.0.1:" + port() + " -> " + target.getPort() + "}";
  }

  // ---------------------------------------------------------------- internals

  private void acceptLoop() {
    while (true) {
      Socket client;
      try {
        client = server.accept();
      } catch (IOException e) {
        return; // the listener was closed
      }
      Pipe pipe;
      synchronized (lock) {
        if (closed || partitioned) {
          refused.incrementAndGet();
          closeQuietly(client);
          continue;
        }
        pipe = new Pipe(++pipeIds, client);
        open.add(pipe);
        forwarding.add(pipe);
        accepted.incrementAndGet();
      }
      pipe.connect();
    }
  }

  /** Starts a daemon thread unless closed; false if closed. */
  private boolean start(String name, Runnable body) {
    synchronized (lock) {
      if (closed) {
        return false;
      }
      threads.removeIf(t -> !t.isAlive());
      Thread thread = new Thread(body, name);
      thread.setDaemon(true);
      threads.add(thread);
      thread.start();
      return true;
    }
  }

  /**
   * What to do with a chunk read at {@code readAtNanos}: waits while stalled or delayed (the
   * controls may change meanwhile), then decides under the lock, so that a cut is seen by both
   * directions before anything else is forwarded.
   */
  private Verdict awaitVerdict(Pipe pipe, Direction direction, long readAtNanos) throws InterruptedException {
    synchronized (lock) {
      while (true) {
        if (closed || pipe.cut) {
          return Verdict.DISCARD;
        }
        long wait = readAtNanos + delay.toNanos() - System.nanoTime();
        if (stalled) {
          lock.wait();
        } else if (wait > 0) {
          TimeUnit.NANOSECONDS.timedWait(lock, wait);
        } else if (blackholed) {
          return Verdict.DISCARD;
        } else if (dropNext.remove(direction)) {
          pipe.markCut();
          return Verdict.CUT_HALF;
        } else {
          return Verdict.FORWARD;
        }
      }
    }
  }

  private void awaitUnstalled(Pipe pipe) throws InterruptedException {
    synchronized (lock) {
      while (stalled && !closed && !pipe.cut) {
        lock.wait();
      }
    }
  }

  private static Map<Direction, AtomicLong> counters() {
    Map<Direction, AtomicLong> counters = new EnumMap<>(Direction.class);
    for (Direction d : Direction.values()) {
      counters.put(d, new AtomicLong());
    }
    return counters;
  }

  private static void closeQuietly(AutoCloseable closeable) {
    try {
      closeable.close();
    } catch (Exception e) {
      // closing: nothing left to do with it
    }
  }

  private static void shutdownOutputQuietly(Socket socket) {
    try {
      socket.shutdownOutput();
    } catch (IOException e) {
      // not connected or already closed: no FIN to send
    }
  }

  /** One proxied connection: the accepted client socket, the socket to the target, two pumps. */
  private final class Pipe {
    private final int id;
    private final Socket client;
    private final Socket toTarget = new Socket();
    private final AtomicInteger pumps = new AtomicInteger(2);
    /** Set under {@code lock}; read without it by the pumps' quick checks. */
    private volatile boolean cut;

    Pipe(int id, Socket client) {
      this.id = id;
      this.client = client;
    }

    /** Dials the target on the acceptor thread, then starts the two pumps. */
    void connect() {
      try {
        client.setTcpNoDelay(true);
        toTarget.setTcpNoDelay(true);
        toTarget.connect(target, CONNECT_TIMEOUT_MILLIS);
      } catch (IOException e) {
        abort(); // the target is gone, or the proxy closed meanwhile
        return;
      }
      String name = threadPrefix + "-c" + id;
      boolean started = !cut
          && start(name + "-to-target", () -> pump(Direction.TO_TARGET, client, toTarget))
          && start(name + "-to-client", () -> pump(Direction.TO_CLIENT, toTarget, client));
      if (!started) {
        abort(); // cut (or closed) while dialling: a pump that did start ends on the closed sockets
      }
    }

    private void pump(Direction direction, Socket from, Socket to) {
      byte[] chunk = new byte[CHUNK_BYTES];
      try {
        InputStream in = from.getInputStream();
        OutputStream out = to.getOutputStream();
        while (true) {
          awaitUnstalled(this);
          int n = in.read(chunk);
          if (n < 0) {
            shutdownOutputQuietly(to); // pass the end of stream on
            return;
          }
          switch (awaitVerdict(this, direction, System.nanoTime())) {
            case FORWARD -> write(out, chunk, n, direction);
            case DISCARD -> dropped.get(direction).addAndGet(n);
            case CUT_HALF -> {
              dropped.get(direction).addAndGet(n - n / 2);
              write(out, chunk, n / 2, direction);
              shutdownBoth();
            }
          }
        }
      } catch (IOException e) {
        abort(); // a reset, or the proxy closed: nothing more can be passed on
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        abort();
      } finally {
        if (pumps.decrementAndGet() == 0) {
          abort(); // both ends have closed: release the sockets
        }
      }
    }

    private void write(OutputStream out, byte[] chunk, int length, Direction direction) throws IOException {
      out.write(chunk, 0, length);
      forwarded.get(direction).addAndGet(length);
    }

    /** Marks this pipe cut; the caller holds {@code lock}. */
    void markCut() {
      cut = true;
      forwarding.remove(this);
      lock.notifyAll(); // a pump holding a chunk discards it now
    }

    /** Sends FIN both ways and discards what comes next (a partition). */
    void cut() {
      synchronized (lock) {
        if (cut) {
          return;
        }
        markCut();
      }
      shutdownBoth();
    }

    private void shutdownBoth() {
      shutdownOutputQuietly(client);
      shutdownOutputQuietly(toTarget);
    }

    /** Closes both sockets at once; idempotent. */
    void abort() {
      synchronized (lock) {
        if (!cut) {
          markCut();
        }
        open.remove(this);
      }
      closeQuietly(client);
      closeQuietly(toTarget);
    }
  }
}
