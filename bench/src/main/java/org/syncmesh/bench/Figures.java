package org.syncmesh.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The figures of an in-process benchmark (anti-entropy, durable mode): each named figure's values
 * over the runs, printed as they come, and a Markdown table of median, min and max. Not
 * thread-safe: one orchestrating thread records.
 */
final class Figures {
  private final Map<String, List<Double>> values = new LinkedHashMap<>();

  /** Adds one run's {@code value} of figure {@code name}, and prints it on standard error. */
  void record(String name, double value) {
    values.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
    System.err.printf("  %s: %s%n", name, fmt(value));
  }

  /** The table: a row per figure, in the order first recorded. */
  String table() {
    StringBuilder md = new StringBuilder("| figure | median | min | max | runs |\n|---|---|---|---|---|\n");
    for (Map.Entry<String, List<Double>> f : values.entrySet()) {
      List<Double> v = new ArrayList<>(f.getValue());
      v.sort(null);
      md.append(String.format("| %s | %s | %s | %s | %d |%n", f.getKey(), fmt(v.get(v.size() / 2)), fmt(v.get(0)),
          fmt(v.get(v.size() - 1)), v.size()));
    }
    return md.toString();
  }

  static String fmt(double v) {
    return Math.abs(v) >= 100 ? String.format("%,.0f", v) : String.format("%.3f", v);
  }

  /** The 1-, 5- and 15-minute load averages, or "?". */
  static String load() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split(" ");
      return f[0] + " " + f[1] + " " + f[2];
    } catch (IOException e) {
      return "?";
    }
  }
}
