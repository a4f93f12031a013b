package org.syncmesh.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The JVM options {@code bin/syncmesh} gives a node, so that the bench starts command-line nodes as
 * users do: {@code bin/jvm.options}, then {@code bin/jvm-collector.options} unless the user's options
 * name a collector ({@code -XX:+UseG1GC} and the like), then {@code bin/jvm-trim.options} when the JVM has
 * native-heap trimming (the bench's own JVM starts the nodes), then the build's class-data-sharing archive when it
 * is newer than the jar, then the user's options ({@code SYNCMESH_JAVA_OPTS} there). Kept in step with the
 * launcher by hand; {@code NodeProcessIT} checks the launcher's side.
 */
final class LauncherOptions {

  private static final Pattern COLLECTOR = Pattern.compile("-XX:\\+Use(Serial|Parallel|G1|Z|Shenandoah|Epsilon)GC");

  private LauncherOptions() {}

  static List<String> of(Path repo, Path jar, List<String> userOptions) throws IOException {
    List<String> options = new ArrayList<>(read(repo.resolve("bin/jvm.options")));
    if (userOptions.stream().noneMatch(o -> COLLECTOR.matcher(o).matches())) {
      options.addAll(read(repo.resolve("bin/jvm-collector.options")));
    }
    if (trimsNativeHeap(Runtime.version())) {
      options.addAll(read(repo.resolve("bin/jvm-trim.options")));
    }
    Path archive = jar.resolveSibling("syncmesh.jsa");
    if (Files.isRegularFile(archive) && Files.getLastModifiedTime(archive).compareTo(Files.getLastModifiedTime(jar)) > 0) {
      options.add("-XX:SharedArchiveFile=" + archive);
    }
    options.addAll(userOptions);
    return options;
  }

  /** Whether JVM {@code v} has {@code -XX:TrimNativeHeapInterval}: 17.0.9 on, 21.0.1 on, 22 on (as bin/syncmesh decides). */
  static boolean trimsNativeHeap(Runtime.Version v) {
    int feature = v.feature();
    boolean laterThan = v.interim() > 0;
    return feature >= 22 || feature == 21 && (laterThan || v.update() >= 1) || feature == 17 && (laterThan || v.update() >= 9);
  }

  private static List<String> read(Path file) throws IOException {
    return Files.readAllLines(file).stream().filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
  }
}
