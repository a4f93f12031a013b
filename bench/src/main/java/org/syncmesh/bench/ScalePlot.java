package org.syncmesh.bench;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.imageio.ImageIO;

/** The PNG beside {@link ScaleProcesses}' results: its figures against the node count. */
final class ScalePlot {

  private static final int WIDTH = 1000;
  private static final int HEIGHT = 420;
  private static final Color[] COLORS = {new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c)};

  private ScalePlot() {}

  /** Two panels against the node count: reach p50 and p99 (ms); joiners with 1 and 4 links (s). */
  static void write(List<ScaleProcesses.Row> rows, Path png) throws IOException {
    BufferedImage image = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = image.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, WIDTH, HEIGHT);
    Map<String, double[]> reach = new LinkedHashMap<>();
    reach.put("reach p50", rows.stream().mapToDouble(ScaleProcesses.Row::reachP50).toArray());
    reach.put("reach p99", rows.stream().mapToDouble(ScaleProcesses.Row::reachP99).toArray());
    Map<String, double[]> times = new LinkedHashMap<>();
    times.put("joiner, 1 link", rows.stream().mapToDouble(ScaleProcesses.Row::joinOneSeconds).toArray());
    times.put("joiner, 4 links", rows.stream().mapToDouble(ScaleProcesses.Row::joinFourSeconds).toArray());
    double[] n = rows.stream().mapToDouble(ScaleProcesses.Row::nodes).toArray();
    panel(g, n, reach, 0, "a write's reach, ms");
    panel(g, n, times, WIDTH / 2, "a joiner, until it holds every key, s");
    g.dispose();
    ImageIO.write(image, "png", png.toFile());
  }

  private static void panel(Graphics2D g, double[] n, Map<String, double[]> series, int x0, String title) {
    int left = x0 + 60;
    int right = x0 + WIDTH / 2 - 20;
    int top = 40;
    int bottom = HEIGHT - 50;
    double maxN = Arrays.stream(n).max().orElse(1);
    double maxY = 0;
    for (double[] s : series.values()) {
      for (double v : s) {
        if (Double.isFinite(v)) {
          maxY = Math.max(maxY, v);
        }
      }
    }
    maxY = maxY <= 0 ? 1 : maxY * 1.1;
    g.setColor(Color.BLACK);
    g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
    g.drawString(title, left, top - 15);
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
    g.drawLine(left, bottom, right, bottom);
    g.drawLine(left, top, left, bottom);
    for (int t = 0; t <= 4; t++) {
      double v = maxY * t / 4;
      int y = bottom - (int) ((bottom - top) * t / 4.0);
      g.drawString(String.format(Locale.ROOT, v < 10 ? "%.2f" : "%.0f", v), x0 + 5, y + 4);
      g.setColor(new Color(0xdddddd));
      g.drawLine(left + 1, y, right, y);
      g.setColor(Color.BLACK);
    }
    for (double v : n) {
      int x = left + (int) ((right - left) * v / maxN);
      g.drawString(String.valueOf((long) v), x - 8, bottom + 18);
    }
    g.drawString("nodes", (left + right) / 2 - 15, bottom + 36);
    int k = 0;
    for (Map.Entry<String, double[]> s : series.entrySet()) {
      g.setColor(COLORS[k % COLORS.length]);
      g.setStroke(new BasicStroke(2f));
      int px = -1;
      int py = -1;
      for (int i = 0; i < n.length; i++) {
        double v = s.getValue()[i];
        if (!Double.isFinite(v)) {
          continue;
        }
        int x = left + (int) ((right - left) * n[i] / maxN);
        int y = bottom - (int) ((bottom - top) * v / maxY);
        g.fillOval(x - 4, y - 4, 8, 8);
        if (px >= 0) {
          g.drawLine(px, py, x, y);
        }
        px = x;
        py = y;
      }
      int ly = top + 5 + 16 * k;
      g.fillRect(left + 10, ly - 8, 12, 8);
      g.setColor(Color.BLACK);
      g.drawString(s.getKey(), left + 28, ly);
      k++;
    }
  }
}
