package org.syncmesh.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.syncmesh.Compression;
import org.syncmesh.wire.Compressors;

/**
 * The native libraries a node loads from its dependencies' jars (RocksDB's, 15 MB, for a data directory;
 * snappy-java's, for snappy links) leave no file behind in {@code java.io.tmpdir}, even when the process is
 * killed with SIGKILL, as a crashed or {@code kill -9}ed node is: a node restarted after each crash must
 * not fill the disk.
 */
final class NativeLeftoversTest {

  @TempDir Path tmp;
  @TempDir Path data;

  /** Loads both libraries, says so, then waits to be killed. */
  public static final class Probe {
    public static void main(String[] args) throws Exception {
      KeyValueStore store = RocksKeyValueStore.open(Path.of(args[0]));
      byte[] packed = Compressors.compress(Compression.SNAPPY, "loaded".getBytes(StandardCharsets.UTF_8));
      System.out.println(new String(Compressors.decompress(Compression.SNAPPY, packed, 1 << 10), StandardCharsets.UTF_8));
      System.out.flush();
      System.in.read(); // killed here
      store.close();
    }
  }

  @Test
  @Timeout(value = 2, unit = TimeUnit.MINUTES)
  void aKilledProcess_leavesNoNativeLibraryInTheTempDirectory() throws Exception {
    Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Djava.io.tmpdir=" + tmp, "-cp", System.getProperty("java.class.path"), Probe.class.getName(),
        data.resolve("store").toString())
        .redirectError(ProcessBuilder.Redirect.INHERIT)
        .start();
    try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      assertThat(out.readLine()).as("the probe loaded both libraries").isEqualTo("loaded");
      p.destroyForcibly(); // SIGKILL: no shutdown hook, no deleteOnExit
      assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    } finally {
      p.destroyForcibly();
    }
    try (Stream<Path> left = Files.walk(tmp)) {
      List<String> files = left.filter(f -> !f.equals(tmp)).map(f -> tmp.relativize(f).toString().replace(File.separatorChar, '/'))
          .toList();
      assertThat(files).as("left in java.io.tmpdir").isEmpty();
    }
  }
}
