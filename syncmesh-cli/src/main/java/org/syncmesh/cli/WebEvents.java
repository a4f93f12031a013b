package org.syncmesh.cli;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.syncmesh.Bytes;
import org.syncmesh.json.Json;
import org.syncmesh.json.JsonValues;
import org.syncmesh.mesh.MeshSocket;
import org.syncmesh.mesh.PeerInfo;
import org.syncmesh.sync.MetaTuple;
import org.syncmesh.sync.SyncListener;
import org.syncmesh.sync.SyncSocket;

/**
 * {@code GET /api/events}: the node's events as server-sent events (docs/http.md, "Events"):
 * {@code update}, {@code delete}, {@code peer}, {@code refused} (new status lines), a {@code tick}
 * each second with the counters the page's charts need, and {@code dropped} when a client missed
 * some.
 *
 * <h2>Why it cannot slow the node</h2>
 * The node's listener only puts a small record into a bounded buffer ({@value #BUFFER} events) and
 * counts what did not fit; it runs on the node's callback executor and never waits. Everything else
 * runs on the HTTP server's own thread: every {@value #FLUSH_MILLIS} ms the buffer is drained,
 * rendered once, and written to every client, at most {@value #MAX_PER_BATCH} events per batch (the
 * newest; the rest are counted in a {@code dropped} event before them). A client whose connection
 * is not writable (it reads slower than the node writes) is skipped and told how many it missed
 * once it reads again; one that stays unwritable for {@value #SLOW_CLIENT_MILLIS} ms is closed.
 * With no client the listener is removed and the timers cancelled: nobody watching costs nothing.
 *
 * <p>Thread-safety: {@link #subscribe} and every timer run on the server's event loop, which owns the
 * clients and counters; only the buffer and the overflow count are shared with the listener.
 */
final class WebEvents {

  /** Events held between two flushes; more are counted, not kept. */
  static final int BUFFER = 4096;
  /**
   * Most events one flush writes to one client: 100 a second, more than a person reads, and few
   * enough that a browser showing them on the node's own machine takes little of its CPU.
   */
  static final int MAX_PER_BATCH = 20;
  /** How often the buffer goes out to the clients. */
  static final long FLUSH_MILLIS = 200;
  /** How often a {@code tick} is sent (and new status lines looked for). */
  static final long TICK_MILLIS = 1000;
  /** How long a client may stay unwritable before it is closed. */
  static final long SLOW_CLIENT_MILLIS = 10_000;
  /** Most clients at once; one more gets 503. */
  static final int MAX_CLIENTS = 32;

  /** One event: its name and its data, rendered on the event loop. */
  private interface Event {
    String name();

    Map<String, @Nullable Object> data(WebEvents events);
  }

  private record Update(Bytes key, Object value, MetaTuple meta) implements Event {
    @Override
    public String name() {
      return "update";
    }

    @Override
    public Map<String, @Nullable Object> data(WebEvents events) {
      return WebApi.entry(JsonValues.keyText(key), value, meta, events.sync.leasing());
    }
  }

  private record Delete(Bytes key) implements Event {
    @Override
    public String name() {
      return "delete";
    }

    @Override
    public Map<String, @Nullable Object> data(WebEvents events) {
      Map<String, @Nullable Object> out = new LinkedHashMap<>();
      out.put("key", WebApi.cut(JsonValues.keyText(key), WebApi.MAX_KEY_CHARS));
      return out;
    }
  }

  private record Peer(boolean joined, PeerInfo peer) implements Event {
    @Override
    public String name() {
      return "peer";
    }

    @Override
    public Map<String, @Nullable Object> data(WebEvents events) {
      Map<String, @Nullable Object> out = new LinkedHashMap<>();
      out.put("event", joined ? "joined" : "left");
      out.put("id", peer.id());
      out.put("shortId", peer.shortId());
      out.put("address", WebApi.hostPort(peer.host(), peer.port()));
      out.put("dialect", LineProtocol.dialectName(peer.dialect()));
      return out;
    }
  }

  private record Named(String name, Map<String, @Nullable Object> fields) implements Event {
    @Override
    public Map<String, @Nullable Object> data(WebEvents events) {
      return fields;
    }
  }

  /** One watching browser: its channel, what it missed, and since when it cannot take more. */
  private static final class Client {
    final Channel channel;
    long missed;
    long unwritableSinceMillis = -1;

    Client(Channel channel) {
      this.channel = channel;
    }
  }

  private final NodeSession session;
  private final SyncSocket sync;
  private final MeterRegistry registry;
  private final EventLoop loop;
  private final Clock clock;
  private final ArrayBlockingQueue<Event> buffer = new ArrayBlockingQueue<>(BUFFER);
  private final AtomicLong overflow = new AtomicLong();
  private final SyncListener listener = new SyncListener() {
    @Override
    public void onUpdate(SyncSocket socket, Bytes key, Object value, MetaTuple meta) {
      offer(new Update(key, value, meta));
    }

    @Override
    public void onDelete(SyncSocket socket, Bytes key) {
      offer(new Delete(key));
    }

    @Override
    public void onPeerConnected(MeshSocket socket, PeerInfo peer) {
      offer(new Peer(true, peer));
    }

    @Override
    public void onDisconnect(MeshSocket socket, PeerInfo peer) {
      offer(new Peer(false, peer));
    }
  };

  // Owned by the event loop:
  private final List<Client> clients = new ArrayList<>();
  private List<String> statusSeen = List.of();
  /** Per link meter ({@code peer/direction}): its last value, to keep byte totals growing across disconnects. */
  private final Map<String, Double> linkLast = new HashMap<>();
  private long bytesIn;
  private long bytesOut;
  private @Nullable ScheduledFuture<?> flushTimer;
  private @Nullable ScheduledFuture<?> tickTimer;

  WebEvents(NodeSession session, MeterRegistry registry, EventLoop loop, Clock clock) {
    this.session = session;
    this.sync = session.sync();
    this.registry = registry;
    this.loop = loop;
    this.clock = clock;
  }

  /** Called by the node's callback executor: never blocks, never fails. */
  private void offer(Event event) {
    if (!buffer.offer(event)) {
      overflow.incrementAndGet();
    }
  }

  /** How many clients watch now; on the event loop. */
  int clients() {
    assert loop.inEventLoop();
    return clients.size();
  }

  /**
   * Answers {@code channel}'s request with the stream's head and keeps it as a client until it
   * closes; 503 when {@value #MAX_CLIENTS} watch already. On the event loop.
   */
  void subscribe(Channel channel) {
    assert loop.inEventLoop();
    if (clients.size() >= MAX_CLIENTS) {
      channel.writeAndFlush(WebRouter.text(HttpResponseStatus.SERVICE_UNAVAILABLE,
          "too many event streams (" + MAX_CLIENTS + ")\n")).addListener(ChannelFutureListener.CLOSE);
      return;
    }
    HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
    head.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/event-stream; charset=utf-8")
        .set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_STORE)
        .set("X-Accel-Buffering", "no"); // a proxy in front must not hold the stream back
    HttpUtil.setTransferEncodingChunked(head, true);
    channel.write(head);
    channel.writeAndFlush(new DefaultHttpContent(utf8("retry: 2000\n: " + sync.id() + "\n\n")));
    Client client = new Client(channel);
    if (clients.isEmpty()) {
      start();
    }
    clients.add(client);
    channel.closeFuture().addListener(f -> loop.execute(() -> remove(client)));
  }

  private void remove(Client client) {
    if (clients.remove(client) && clients.isEmpty()) {
      stop();
    }
  }

  /** The first client came: listen to the node, start the timers, take today's status as seen. */
  private void start() {
    buffer.clear();
    overflow.set(0);
    statusSeen = session.status();
    linkLast.clear();
    countBytes();
    sync.addListener(listener);
    flushTimer = loop.scheduleAtFixedRate(this::flush, FLUSH_MILLIS, FLUSH_MILLIS, TimeUnit.MILLISECONDS);
    tickTimer = loop.scheduleAtFixedRate(this::tick, 0, TICK_MILLIS, TimeUnit.MILLISECONDS);
  }

  /** The last client left: no listener, no timers, nothing held. */
  private void stop() {
    sync.removeListener(listener);
    if (flushTimer != null) {
      flushTimer.cancel(false);
    }
    if (tickTimer != null) {
      tickTimer.cancel(false);
    }
    flushTimer = null;
    tickTimer = null;
    buffer.clear();
  }

  /** Closes every stream (the server is stopping); on the event loop. */
  void closeAll() {
    assert loop.inEventLoop();
    for (Client c : List.copyOf(clients)) {
      c.channel.close();
    }
    clients.clear();
    stop();
  }

  /** The counters for the charts, and the status lines that appeared since the last tick. */
  private void tick() {
    List<String> status = session.status();
    for (String line : newLines(statusSeen, status)) {
      Map<String, @Nullable Object> data = new LinkedHashMap<>();
      data.put("line", line);
      offer(new Named("refused", data));
    }
    statusSeen = status;
    countBytes();
    Map<String, @Nullable Object> data = new LinkedHashMap<>();
    data.put("time", clock.millis());
    data.put("writesLocal", counter("syncmesh.writes", "origin", "local"));
    data.put("writesRemote", counter("syncmesh.writes", "origin", "remote"));
    data.put("refused", sum("syncmesh.writes.refused"));
    data.put("bytesIn", bytesIn);
    data.put("bytesOut", bytesOut);
    data.put("keys", (long) sync.size());
    data.put("tombstones", (long) sync.tombstones());
    data.put("peers", (long) sync.routingTable().size());
    offer(new Named("tick", data));
  }

  /**
   * The lines of {@code now} that {@code before} did not end with: the status list only grows at
   * its end and loses lines at its start (MeshSocket keeps the last 100), so the longest end of
   * {@code before} that starts {@code now} is what was seen.
   */
  static List<String> newLines(List<String> before, List<String> now) {
    for (int drop = 0; drop <= before.size(); drop++) {
      List<String> kept = before.subList(drop, before.size());
      if (kept.size() <= now.size() && now.subList(0, kept.size()).equals(kept)) {
        return now.subList(kept.size(), now.size());
      }
    }
    return now; // unreachable: dropping all of before always matches
  }

  /** Adds what each link sent and received since the last look; a new or restarted link counts from 0. */
  private void countBytes() {
    Map<String, Double> seen = new HashMap<>();
    for (FunctionCounter c : registry.find("syncmesh.link.bytes").functionCounters()) {
      String id = c.getId().getTag("peer") + "/" + c.getId().getTag("direction");
      double now = c.count();
      double last = linkLast.getOrDefault(id, 0.0);
      long delta = (long) (now >= last ? now - last : now);
      if ("in".equals(c.getId().getTag("direction"))) {
        bytesIn += delta;
      } else {
        bytesOut += delta;
      }
      seen.put(id, now);
    }
    linkLast.clear();
    linkLast.putAll(seen);
  }

  private long counter(String name, String tag, String value) {
    FunctionCounter c = registry.find(name).tag(tag, value).functionCounter();
    return c == null ? 0 : (long) c.count();
  }

  private long sum(String name) {
    double total = 0;
    for (FunctionCounter c : registry.find(name).functionCounters()) {
      total += c.count();
    }
    return (long) total;
  }

  /** Sends what the buffer holds to every client, the newest {@value #MAX_PER_BATCH} at most. */
  private void flush() {
    List<Event> drained = new ArrayList<>();
    buffer.drainTo(drained);
    long lost = overflow.getAndSet(0);
    if (drained.isEmpty() && lost == 0) {
      return;
    }
    int skip = Math.max(0, drained.size() - MAX_PER_BATCH);
    lost += skip;
    StringBuilder text = new StringBuilder();
    int sent = 0;
    for (Event e : drained.subList(skip, drained.size())) {
      try {
        text.append(render(e.name(), e.data(this)));
        sent++;
      } catch (RuntimeException unexpected) { // a value JSON cannot show: the page misses it, the stream goes on
        lost++;
      }
    }
    ByteBuf batch = utf8(text.toString());
    long now = clock.millis();
    try {
      for (Client c : List.copyOf(clients)) {
        if (!c.channel.isWritable()) {
          c.missed += sent;
          if (c.unwritableSinceMillis < 0) {
            c.unwritableSinceMillis = now;
          } else if (now - c.unwritableSinceMillis >= SLOW_CLIENT_MILLIS) {
            c.channel.close(); // too slow or gone: its closeFuture removes it
          }
          continue;
        }
        c.unwritableSinceMillis = -1;
        long missed = c.missed + lost;
        c.missed = 0;
        if (missed > 0) {
          c.channel.write(new DefaultHttpContent(utf8(render("dropped", Map.of("count", missed)))));
        }
        c.channel.writeAndFlush(new DefaultHttpContent(batch.retainedDuplicate()))
            .addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
      }
    } finally {
      batch.release();
    }
  }

  /** One event in the text/event-stream format; JSON text holds no line break, so one data line. */
  static String render(String name, Map<String, ?> data) {
    return "event: " + name + "\ndata: " + Json.write(data) + "\n\n";
  }

  private static ByteBuf utf8(String text) {
    return Unpooled.wrappedBuffer(text.getBytes(StandardCharsets.UTF_8));
  }
}
