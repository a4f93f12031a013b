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
 * native-heap trimming (the bench's own JVM starts the nodes), then the build's AOT cache or, failing that, its
 * class-data-sharing archive, when it is newer than the jar and was made by this JVM build, then the user's options
 * ({@code SYNCMESH_JAVA_OPTS} there). Kept in step with the launcher by hand; {@code NodeProcessIT} checks the
 * launcher's side.
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
    Path aot = jar.resolveSibling("syncmesh.aot");
    Path jsa = jar.resolveSibling("syncmesh.jsa");
    String build = System.getProperty("java.runtime.version");
    if (madeFor(aot, jar, build)) {
      options.add("-XX:AOTCache=" + aot);
    } else if (madeFor(jsa, jar, build)) {
      options.add("-XX:SharedArchiveFile=" + jsa);
    }
    options.addAll(userOptions);
    return options;
  }

  /** Whether {@code archive} is there, newer than {@code jar}, and made by JVM build {@code build} (its .jvm file). */
  private static boolean madeFor(Path archive, Path jar, String build) throws IOException {
    Path by = archive.resolveSibling(archive.getFileName() + ".jvm");
    return Files.isRegularFile(archive) && Files.isRegularFile(by)
        && Files.getLastModifiedTime(archive).compareTo(Files.getLastModifiedTime(jar)) > 0
        && Files.readString(by).strip().equals(build);
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
