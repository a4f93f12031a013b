package org.syncmesh.cli;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import org.jspecify.annotations.Nullable;
import org.syncmesh.Bytes;
import org.syncmesh.json.Json;
import org.syncmesh.json.JsonValues;
import org.syncmesh.mesh.PeerInfo;
import org.syncmesh.sync.MetaTuple;
import org.syncmesh.sync.PeerSyncState;
import org.syncmesh.sync.SyncSocket;

/**
 * The node page's JSON API (docs/http.md): {@code /api/node}, {@code /api/peers} and
 * {@code /api/keys}, each answered from the node's lock-free reads and the meters of its registry,
 * as a map that {@link Json#write} renders. Keys are shown as the command line shows them
 * ({@link JsonValues#keyText}), values as JSON text cut at {@link #MAX_VALUE_CHARS}.
 *
 * <p>{@link #keys} walks every key once per request, live ({@link SyncSocket#forEach}: no copy; a heap
 * keeps the page, no sort), so a page of a large dictionary costs time on the HTTP thread only, never
 * on the node's.
 *
 * <p>Thread-safe (it keeps nothing but its inputs); the server calls it on its one thread.
 */
final class WebApi {

  /** Rows of {@code /api/keys} when {@code limit} is not given. */
  static final int DEFAULT_LIMIT = 50;
  /** Most rows of {@code /api/keys}. */
  static final int MAX_LIMIT = 500;
  /** Longest value text shown; a longer one is cut and marked {@code truncated}. */
  static final int MAX_VALUE_CHARS = 256;
  /** Longest key text shown in a row or an event; the {@code next} cursor is always whole. */
  static final int MAX_KEY_CHARS = 1024;
  /**
   * Longest {@code prefix}, {@code owner} or {@code after} accepted, in chars: a key longer than
   * this cannot be a cursor (known limit; such keys are rare, and a request line must stay bounded).
   */
  static final int MAX_PARAM_CHARS = 16 * 1024;

  private final NodeSession session;
  private final MeterRegistry registry;
  private final boolean secure;
  private final Clock clock;
  private final Instant started;

  WebApi(NodeSession session, MeterRegistry registry, boolean secure, Clock clock) {
    this.session = session;
    this.registry = registry;
    this.secure = secure;
    this.clock = clock;
    this.started = clock.instant();
  }

  /** {@code GET /api/node}. */
  Map<String, @Nullable Object> node() {
    SyncSocket sync = session.sync();
    Map<String, @Nullable Object> out = new LinkedHashMap<>();
    out.put("id", sync.id());
    out.put("shortId", PeerInfo.shortId(sync.id()));
    out.put("host", session.host());
    out.put("port", (long) sync.port());
    out.put("address", hostPort(sync.outAddress().getHostString(), sync.outAddress().getPort()));
    out.put("protocol", sync.protocol().id());
    out.put("subnet", sync.protocol().subnet());
    out.put("transport", sync.protocol().transport());
    out.put("secure", secure);
    out.put("leasing", sync.leasing());
    out.put("keys", (long) sync.size());
    out.put("tombstones", (long) sync.tombstones());
    out.put("peers", (long) sync.routingTable().size());
    out.put("startedAt", started.toString());
    out.put("uptimeSeconds", Math.max(0, clock.instant().getEpochSecond() - started.getEpochSecond()));
    List<String> status = session.status();
    out.put("status", status.isEmpty() ? "Nominal" : "Errors");
    out.put("statusLines", status);
    return out;
  }

  /** {@code GET /api/peers}: {@code {"peers":[…]}}, in the order they joined. */
  Map<String, Object> peers() {
    SyncSocket sync = session.sync();
    Map<String, PeerSyncState> states = sync.peerSync();
    List<Object> rows = new ArrayList<>();
    for (PeerInfo p : session.peers()) {
      Map<String, @Nullable Object> row = new LinkedHashMap<>();
      row.put("id", p.id());
      row.put("shortId", p.shortId());
      row.put("address", hostPort(p.host(), p.port()));
      row.put("outgoing", p.outgoing());
      row.put("dialect", LineProtocol.dialectName(p.dialect()));
      row.put("extension", (long) p.extensionVersion());
      PeerSyncState state = states.get(p.id());
      row.put("link", linkState(p, state));
      row.put("lastSync", state == null || state.lastRound() == null ? null : state.lastRound().toString());
      row.put("bytesIn", linkMeter(p, "syncmesh.link.bytes", "in"));
      row.put("bytesOut", linkMeter(p, "syncmesh.link.bytes", "out"));
      row.put("framesIn", linkMeter(p, "syncmesh.link.frames", "in"));
      row.put("framesOut", linkMeter(p, "syncmesh.link.frames", "out"));
      Gauge queued = registry.find("syncmesh.link.queued").tag("peer", p.shortId()).gauge();
      row.put("queuedBytes", queued == null ? null : (long) queued.value());
      rows.add(row);
    }
    return Map.of("peers", rows);
  }

  /**
   * A link's state in a word: {@code in sync} or {@code syncing} between syncmesh peers (the last
   * anti-entropy round found the dictionaries identical, or not yet), {@code 0.7} for a plain
   * protocol-0.7 peer, which has no anti-entropy.
   */
  static String linkState(PeerInfo peer, @Nullable PeerSyncState state) {
    if (peer.extensionVersion() == 0) {
      return "0.7";
    }
    return state != null && state.inSync() ? "in sync" : "syncing";
  }

  /** A link counter read from the registry (SyncMetrics keeps it while the peer is linked), or null. */
  private @Nullable Long linkMeter(PeerInfo peer, String name, String direction) {
    FunctionCounter c = registry.find(name).tag("peer", peer.shortId()).tag("direction", direction).functionCounter();
    return c == null ? null : (long) c.count();
  }

  /** What {@code GET /api/keys} asks: filters, cursor and page size, validated. */
  record KeyQuery(String prefix, String owner, @Nullable String after, int limit) {

    /**
     * Reads the query string's parameters.
     *
     * @throws IllegalArgumentException naming the parameter if one is repeated, too long, or
     *     {@code limit} is not an integer in [1, {@value #MAX_LIMIT}]
     */
    static KeyQuery of(Map<String, List<String>> params) {
      String prefix = single(params, "prefix");
      String owner = single(params, "owner");
      String after = single(params, "after");
      String limit = single(params, "limit");
      int n = DEFAULT_LIMIT;
      if (limit != null && !limit.isEmpty()) {
        if (!limit.matches("[0-9]{1,4}") || Integer.parseInt(limit) < 1 || Integer.parseInt(limit) > MAX_LIMIT) {
          throw new IllegalArgumentException("limit: " + Abbrev.quote(limit) + " (expected: an integer in [1, "
              + MAX_LIMIT + "])");
        }
        n = Integer.parseInt(limit);
      }
      return new KeyQuery(prefix == null ? "" : prefix, owner == null ? "" : owner,
          after == null || after.isEmpty() ? null : after, n);
    }

    private static @Nullable String single(Map<String, List<String>> params, String name) {
      List<String> values = params.get(name);
      if (values == null || values.isEmpty()) {
        return null;
      }
      if (values.size() > 1) {
        throw new IllegalArgumentException(name + ": given " + values.size() + " times (expected: once)");
      }
      String v = values.get(0);
      if (v.length() > MAX_PARAM_CHARS) {
        throw new IllegalArgumentException(name + ": " + v.length() + " chars (expected: at most " + MAX_PARAM_CHARS
            + ")");
      }
      return v;
    }
  }

  /**
   * {@code GET /api/keys}: the keys whose text starts with {@code prefix} and whose owner's id
   * starts with {@code owner}, sorted by their text, from the first after {@code after}; at most
   * {@code limit}. {@code matched} counts every key the filters match (all pages), {@code next} is
   * the cursor of the next page or null on the last.
   */
  Map<String, @Nullable Object> keys(KeyQuery q) {
    SyncSocket sync = session.sync();
    Comparator<String> order = Comparator.naturalOrder();
    // the limit+1 smallest texts after the cursor, the largest on top: one more says another page follows
    PriorityQueue<Row> page = new PriorityQueue<>(q.limit() + 1, Comparator.comparing(Row::text, order).reversed());
    long[] matched = {0};
    sync.forEach((key, value) -> {
      String text = JsonValues.keyText(key);
      if (!text.startsWith(q.prefix())) {
        return;
      }
      MetaTuple meta = null;
      if (!q.owner().isEmpty()) {
        meta = sync.meta(key).orElse(null);
        if (meta == null || !meta.owner().startsWith(q.owner())) {
          return;
        }
      }
      matched[0]++;
      if (q.after() != null && text.compareTo(q.after()) <= 0) {
        return;
      }
      if (page.size() <= q.limit() || order.compare(text, page.peek().text()) < 0) {
        page.add(new Row(text, key, value, meta));
        if (page.size() > q.limit() + 1) {
          page.poll();
        }
      }
    });
    boolean more = page.size() > q.limit();
    if (more) {
      page.poll();
    }
    List<Row> sorted = new ArrayList<>(page);
    sorted.sort(Comparator.comparing(Row::text, order));
    List<Object> rows = new ArrayList<>();
    for (Row r : sorted) {
      MetaTuple meta = r.meta() != null ? r.meta() : sync.meta(r.key()).orElse(null);
      rows.add(entry(r.text(), r.value(), meta, sync.leasing()));
    }
    Map<String, @Nullable Object> out = new LinkedHashMap<>();
    out.put("keys", rows);
    out.put("matched", matched[0]);
    out.put("next", more ? sorted.get(sorted.size() - 1).text() : null);
    return out;
  }

  /** One dictionary entry as a row: key, value (cut), owner, timestamp and lease expiry. */
  static Map<String, @Nullable Object> entry(String keyText, @Nullable Object value, @Nullable MetaTuple meta,
      boolean leasing) {
    Map<String, @Nullable Object> row = new LinkedHashMap<>();
    putCut(row, "key", keyText, MAX_KEY_CHARS);
    if (value != null) {
      putCut(row, "value", Json.write(JsonValues.toJson(value)), MAX_VALUE_CHARS);
    }
    if (meta != null) {
      row.put("owner", meta.owner());
      row.put("timestamp", meta.timestamp());
      if (leasing) {
        row.put("leaseExpires", meta.leaseEndSeconds());
      }
    }
    return row;
  }

  /** {@code name} holds {@code text}, cut to {@code max} chars; {@code nameTruncated} says whether it was. */
  private static void putCut(Map<String, @Nullable Object> row, String name, String text, int max) {
    row.put(name, cut(text, max));
    row.put(name + "Truncated", text.length() > max);
  }

  /** {@code text}'s first {@code max} chars, never ending in half a surrogate pair. */
  static String cut(String text, int max) {
    if (text.length() <= max) {
      return text;
    }
    int end = Character.isHighSurrogate(text.charAt(max - 1)) ? max - 1 : max;
    return text.substring(0, end);
  }

  /** {@code host:port}, an IPv6 host in brackets. */
  static String hostPort(String host, int port) {
    return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
  }

  /** A key kept for the page while the walk goes on. */
  private record Row(String text, Bytes key, Object value, @Nullable MetaTuple meta) {}
}
