package org.syncmesh.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** Files of data directories, for tests that copy or damage them. */
public final class DataDirectories {
  private DataDirectories() {}

  /**
   * Copies {@code from} to {@code to}, file by file. Of a directory whose node runs, that is what
   * kill -9 leaves: the {@code running} marker and the log as handed to the OS.
   */
  public static void copyTree(Path from, Path to) throws IOException {
    try (Stream<Path> files = Files.walk(from)) {
      for (Path f : files.sorted().toList()) {
        Path target = to.resolve(from.relativize(f).toString());
        if (Files.isDirectory(f)) {
          Files.createDirectories(target);
        } else {
          Files.copy(f, target);
        }
      }
    }
  }

  /** The store file in {@code db} with the highest number ending in {@code suffix} (".log", ".sst"). */
  public static Path newest(Path db, String suffix) throws IOException {
    try (Stream<Path> files = Files.list(db)) {
      return files.filter(f -> f.getFileName().toString().endsWith(suffix))
          .max(Comparator.comparing(f -> f.getFileName().toString())).orElseThrow();
    }
  }
}
