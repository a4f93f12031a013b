package org.syncmesh.bench;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.function.ToDoubleFunction;
import javax.imageio.ImageIO;

/**
 * The PNG of {@link TreeBench}: two panels against node count, transmissions per write (with the
 * lines n − 1 and 1.5 (n − 1)) and the p99 time for a write to reach every node, one series per
 * mode (flood, tree) and cut (intact, 10 % cut). Plain Java2D and ImageIO, no plotting library.
 */
final class TreePlot {

  private static final int WIDTH = 1100;
  private static final int HEIGHT = 480;
  private static final Color[] COLORS = {new Color(0xd62728), new Color(0xff9896), new Color(0x1f77b4),
      new Color(0x98c1e0)};
  private static final String[] SERIES = {"flood", "flood, 10% cut", "tree", "tree, 10% cut"};

  private TreePlot() {}

  static void write(List<TreeBench.Row> rows, Path png) throws IOException {
    BufferedImage image = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = image.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
    g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, WIDTH, HEIGHT);
    panel(g, rows, 0, "transmissions per write", TreeBench.Row::transmissionsPerWrite, true);
    panel(g, rows, WIDTH / 2, "reach every node, p99 (ms)", TreeBench.Row::p99Millis, false);
    g.dispose();
    ImageIO.write(image, "png", png.toFile());
  }

  private static void panel(Graphics2D g, List<TreeBench.Row> rows, int x0, String title,
      ToDoubleFunction<TreeBench.Row> value, boolean references) {
    int left = x0 + 70;
    int right = x0 + WIDTH / 2 - 20;
    int top = 50;
    int bottom = HEIGHT - 90;
    double maxN = rows.stream().mapToInt(TreeBench.Row::nodes).max().orElse(1);
    double maxY = rows.stream().mapToDouble(value).filter(Double::isFinite).max().orElse(1);
    if (references) {
      maxY = Math.max(maxY, 1.5 * (maxN - 1));
    }
    maxY = niceCeiling(maxY);
    g.setStroke(new BasicStroke(1));
    g.setColor(Color.BLACK);
    g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
    g.drawString(title, left, top - 20);
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
    g.drawLine(left, bottom, right, bottom);
    g.drawLine(left, top, left, bottom);
    for (int i = 0; i <= 5; i++) {
      double y = maxY * i / 5;
      int py = (int) (bottom - (bottom - top) * i / 5.0);
      g.setColor(new Color(0xdddddd));
      g.drawLine(left + 1, py, right, py);
      g.setColor(Color.BLACK);
      g.drawString(String.format("%,.0f", y), left - 55, py + 4);
    }
    for (int n : rows.stream().mapToInt(TreeBench.Row::nodes).distinct().toArray()) {
      int px = px(n, maxN, left, right);
      g.drawLine(px, bottom, px, bottom + 4);
      g.drawString(String.valueOf(n), px - 8, bottom + 18);
    }
    g.drawString("nodes", (left + right) / 2 - 15, bottom + 36);
    if (references) {
      g.setStroke(new BasicStroke(1, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10, new float[] {5, 5}, 0));
      g.setColor(Color.GRAY);
      g.drawLine(px(1, maxN, left, right), py(0, maxY, top, bottom), px(maxN, maxN, left, right),
          py(maxN - 1, maxY, top, bottom));
      g.drawString("n − 1", right - 40, py(maxN - 1, maxY, top, bottom) + 16);
      g.drawLine(px(1, maxN, left, right), py(0, maxY, top, bottom), px(maxN, maxN, left, right),
          py(1.5 * (maxN - 1), maxY, top, bottom));
      g.drawString("1.5 (n − 1)", right - 70, py(1.5 * (maxN - 1), maxY, top, bottom) - 6);
    }
    g.setStroke(new BasicStroke(2.5f));
    for (int s = 0; s < SERIES.length; s++) {
      String mode = s < 2 ? "flood" : "tree";
      boolean cut = s % 2 == 1;
      List<TreeBench.Row> series = rows.stream().filter(r -> r.mode().equals(mode) && (r.cut() > 0) == cut).toList();
      g.setColor(COLORS[s]);
      int prevX = -1;
      int prevY = -1;
      for (TreeBench.Row r : series) {
        double v = value.applyAsDouble(r);
        if (!Double.isFinite(v)) {
          continue;
        }
        int px = px(r.nodes(), maxN, left, right);
        int py = py(v, maxY, top, bottom);
        g.fillOval(px - 4, py - 4, 8, 8);
        if (prevX >= 0) {
          g.drawLine(prevX, prevY, px, py);
        }
        prevX = px;
        prevY = py;
      }
      int ly = bottom + 55 + (s / 2) * 16;
      int lx = left + (s % 2) * 200;
      g.fillRect(lx, ly - 8, 14, 8);
      g.setColor(Color.BLACK);
      g.drawString(SERIES[s], lx + 20, ly);
    }
  }

  private static int px(double n, double maxN, int left, int right) {
    return (int) (left + (right - left) * n / maxN);
  }

  private static int py(double v, double maxY, int top, int bottom) {
    return (int) (bottom - (bottom - top) * Math.min(v, maxY) / maxY);
  }

  private static double niceCeiling(double v) {
    double step = Math.pow(10, Math.floor(Math.log10(Math.max(v, 1))));
    return Math.ceil(v / step) * step;
  }
}
