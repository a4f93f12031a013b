package org.syncmesh.cli;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.syncmesh.Bytes;
import org.syncmesh.json.Json;
import org.syncmesh.json.JsonValues;
import org.syncmesh.mesh.Message;
import org.syncmesh.sync.MetaTuple;

/**
 * Renders line-protocol replies and live events for people: tables for {@code peers} and
 * {@code items}, one line per key, message or error, and compact JSON for everything else.
 * Stateless and thread-safe.
 */
final class HumanFormat {

  /** Longest value shown in a table cell; longer ones end with an ellipsis. */
  static final int MAX_CELL_CHARS = 60;

  private HumanFormat() {}

  /** The reply to {@code command} as text without a final line break. */
  static String reply(String command, LineProtocol.Reply reply) {
    if (!reply.ok()) {
      return "error: " + reply.error();
    }
    Object result = reply.result();
    switch (command) {
      case "peers" -> {
        List<List<String>> rows = new ArrayList<>();
        for (Object p : (List<?>) result) {
          Map<?, ?> peer = (Map<?, ?>) p;
          Object extension = peer.get("extension");
          rows.add(List.of(String.valueOf(peer.get("id")), String.valueOf(peer.get("host")),
              String.valueOf(peer.get("port")), String.valueOf(peer.get("dialect")),
              extension == null || Long.valueOf(0).equals(extension) ? "-" : "v" + extension,
              extension == null || Long.valueOf(0).equals(extension) ? "-"
                  : Boolean.TRUE.equals(peer.get("inSync")) ? "yes" : peer.get("lastSync") == null ? "not yet" : "no"));
        }
        return rows.isEmpty() ? "(no peers)"
            : table(List.of("ID", "HOST", "PORT", "DIALECT", "EXTENSION", "IN SYNC"), rows);
      }
      case "items" -> {
        List<List<String>> rows = new ArrayList<>();
        for (Map.Entry<?, ?> e : ((Map<?, ?>) result).entrySet()) {
          rows.add(List.of(cell(String.valueOf(e.getKey())), cell(Json.write(e.getValue()))));
        }
        return rows.isEmpty() ? "(empty)" : table(List.of("KEY", "VALUE"), rows);
      }
      case "keys" -> {
        List<?> keys = (List<?>) result;
        return keys.isEmpty() ? "(no keys)" : String.join("\n", keys.stream().map(String::valueOf).toList());
      }
      case "recv" -> {
        List<String> lines = new ArrayList<>();
        for (Object m : (List<?>) result) {
          Map<?, ?> message = (Map<?, ?>) m;
          lines.add("from " + message.get("sender") + ": " + Json.write(message.get("packets")));
        }
        return lines.isEmpty() ? "(no messages)" : String.join("\n", lines);
      }
      case "status" -> {
        if (result instanceof List<?> errors) {
          return String.join("\n", errors.stream().map(e -> "- " + e).toList());
        }
        return String.valueOf(result);
      }
      case "connect" -> {
        return "connected to " + result;
      }
      case "meta" -> {
        if (result instanceof Map<?, ?> meta) {
          long ts = (Long) meta.get("timestamp");
          return "owner " + meta.get("owner") + ", timestamp " + ts + " (" + Instant.ofEpochSecond(ts) + ")";
        }
        return "(absent)";
      }
      default -> {
        if (result == null) {
          return command.equals("get") || command.equals("pop") ? "(absent)" : "ok";
        }
        return result instanceof String s && (command.equals("id") || command.equals("status")) ? s : Json.write(result);
      }
    }
  }

  /** A live line for an update event. */
  static String updated(String self, Bytes key, Object value, MetaTuple meta) {
    String by = meta.owner().equals(self) ? "this node" : meta.owner();
    return "* set " + JsonValues.keyText(key) + " = " + cell(Json.write(JsonValues.toJson(value))) + "  (by " + by + ")";
  }

  /** A live line for a delete event. */
  static String deleted(Bytes key) {
    return "* deleted " + JsonValues.keyText(key);
  }

  /** A live line for a user message (still queued for {@code recv}). */
  static String message(Message message) {
    return "* message from " + message.sender() + ": " + cell(Json.write(JsonValues.toJson(message.packets())));
  }

  /** A plain-text table: a header row, a rule, then the rows, columns padded to their widest cell. */
  static String table(List<String> headers, List<List<String>> rows) {
    int[] widths = new int[headers.size()];
    for (int c = 0; c < widths.length; c++) {
      widths[c] = headers.get(c).length();
      for (List<String> row : rows) {
        widths[c] = Math.max(widths[c], row.get(c).length());
      }
    }
    StringBuilder sb = new StringBuilder();
    appendRow(sb, headers, widths);
    List<String> rule = new ArrayList<>();
    for (int w : widths) {
      rule.add("-".repeat(w));
    }
    appendRow(sb, rule, widths);
    for (List<String> row : rows) {
      appendRow(sb, row, widths);
    }
    sb.setLength(sb.length() - 1);
    return sb.toString();
  }

  private static void appendRow(StringBuilder sb, List<String> cells, int[] widths) {
    StringBuilder line = new StringBuilder();
    for (int c = 0; c < cells.size(); c++) {
      if (c > 0) {
        line.append("  ");
      }
      line.append(cells.get(c)).append(" ".repeat(widths[c] - cells.get(c).length()));
    }
    sb.append(line.toString().stripTrailing()).append('\n');
  }

  private static String cell(@Nullable String text) {
    String s = String.valueOf(text).replace("\n", "\\n");
    return s.length() <= MAX_CELL_CHARS ? s : s.substring(0, MAX_CELL_CHARS - 1) + "…";
  }
}
