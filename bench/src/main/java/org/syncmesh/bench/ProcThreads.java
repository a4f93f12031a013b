package org.syncmesh.bench;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/** CPU time of a Linux process's threads, by thread name, from /proc/PID/task/TID/stat. */
final class ProcThreads {

  private ProcThreads() {}

  /**
   * User + system clock ticks of each live thread of the process whose /proc directory is
   * {@code proc} (/proc/PID or /proc/self), summed by thread name (the kernel's, at most 15
   * characters: HotSpot's "C2 CompilerThread0" is "C2 CompilerThre"). A thread that ends while
   * this reads is left out.
   */
  static Map<String, Long> ticksByName(Path proc) throws IOException {
    Map<String, Long> ticks = new TreeMap<>();
    try (DirectoryStream<Path> tasks = Files.newDirectoryStream(proc.resolve("task"))) {
      for (Path task : tasks) {
        String stat;
        try {
          stat = Files.readString(task.resolve("stat"));
        } catch (IOException gone) {
          continue;
        }
        String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split("\\s+");
        ticks.merge(name, Long.parseLong(f[11]) + Long.parseLong(f[12]), Long::sum);
      }
    }
    return ticks;
  }

  /** Whether a thread name is one of HotSpot's JIT compiler threads (C1 or C2). */
  static boolean isJitCompiler(String name) {
    return name.startsWith("C1 CompilerThre") || name.startsWith("C2 CompilerThre");
  }
}
