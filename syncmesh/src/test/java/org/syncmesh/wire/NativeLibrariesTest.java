package org.syncmesh.wire;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link NativeLibraries}: the copy a loader is given, and that nothing is left of it whatever the loader does. */
final class NativeLibrariesTest {
  private static final String RESOURCE = "/" + NativeLibrariesTest.class.getName().replace('.', '/') + ".class";

  @Test
  void theLoaderGetsACopyUnderEveryName_thenTheCopiesAndTheirDirectoryAreGone() throws Exception {
    List<Path> seen = new ArrayList<>();
    byte[] original;
    try (var in = NativeLibrariesTest.class.getResourceAsStream(RESOURCE)) {
      original = in.readAllBytes();
    }
    boolean loaded = NativeLibraries.loadExtracted(NativeLibrariesTest.class, RESOURCE, List.of("libx.so", "liby.so"),
        dir -> {
          seen.add(dir);
          try {
            assertThat(Files.readAllBytes(dir.resolve("libx.so"))).isEqualTo(original);
            assertThat(Files.readAllBytes(dir.resolve("liby.so"))).isEqualTo(original);
          } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
          }
        });
    assertThat(loaded).isTrue();
    assertThat(seen).hasSize(1);
    assertThat(seen.get(0)).doesNotExist();
  }

  @Test
  void aLoaderThatFails_isReportedAsNotLoaded_andLeavesNothingBehind() {
    List<Path> seen = new ArrayList<>();
    boolean loaded = NativeLibraries.loadExtracted(NativeLibrariesTest.class, RESOURCE, List.of("libx.so"), dir -> {
      seen.add(dir);
      throw new UnsatisfiedLinkError(dir + "/libx.so: failed to map segment from shared object");
    });
    assertThat(loaded).isFalse();
    assertThat(seen).hasSize(1);
    assertThat(seen.get(0)).doesNotExist();
  }

  @Test
  void aResourceThatIsNotThere_isNotLoaded_andTheLoaderNotCalled() {
    List<Path> seen = new ArrayList<>();
    assertThat(NativeLibraries.loadExtracted(NativeLibrariesTest.class, "/no/such/libz.so", List.of("libz.so"),
        seen::add)).isFalse();
    assertThat(seen).isEmpty();
  }
}
