package org.syncmesh.wire;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads a native library that a dependency ships inside its jar from a copy that is deleted as soon as
 * it is loaded. snappy-java and rocksdbjni each extract their library into {@code java.io.tmpdir} at
 * every start and delete it only when the JVM exits normally, so every node killed with SIGKILL (a crash,
 * {@code kill -9}, an OOM kill) used to leave 15 MB (RocksDB) and 275 KB (snappy) there for good. Here the
 * copy lives in a fresh private directory for the few milliseconds the dependency takes to load it: a
 * loaded library stays mapped on Linux and macOS once its file is gone; where it cannot be deleted while
 * loaded (Windows) it is deleted at exit, as before. snappy-java's own extraction also reads its copy back
 * and compares it with the jar byte by byte: a node's first snappy frame took 26 to 31 ms, now 15 to 18.
 *
 * <p>Stateless and thread-safe; each dependency's loader calls it once, under its own lock.
 */
public final class NativeLibraries {
  private static final Logger log = LoggerFactory.getLogger(NativeLibraries.class);

  private NativeLibraries() {}

  /**
   * Copies {@code resource} of {@code owner}'s jar into a new directory under each of {@code fileNames}
   * (the first copied, the others linked to it), runs {@code load} with that directory, then deletes
   * the copies and the directory.
   *
   * @return whether {@code load} returned normally; false when the resource is not there or the copy
   *     failed (logged at debug), or {@code load} threw (a warning with its cause: a dependency whose
   *     class failed to initialise cannot load again), so the caller falls back to the dependency's own
   *     loading
   */
  public static boolean loadExtracted(Class<?> owner, String resource, List<String> fileNames, Consumer<Path> load) {
    Checks.argument(!fileNames.isEmpty(), "fileNames", fileNames, "at least one name");
    Path dir = null;
    try (InputStream in = owner.getResourceAsStream(resource)) {
      if (in == null) {
        log.debug("no {} beside {}: its own loader loads it", resource, owner.getName());
        return false;
      }
      dir = Files.createTempDirectory("syncmesh-native");
      Path first = dir.resolve(fileNames.get(0));
      Files.copy(in, first);
      for (String other : fileNames.subList(1, fileNames.size())) {
        Files.createLink(dir.resolve(other), first);
      }
    } catch (IOException | RuntimeException e) {
      log.debug("copying {} failed; its own loader loads it", resource, e);
      if (dir != null) {
        delete(dir, fileNames);
      }
      return false;
    }
    try {
      load.accept(dir);
      return true;
    } catch (RuntimeException | LinkageError e) { // UnsatisfiedLinkError, a failed class initialiser
      log.warn("loading {} from a copy failed; its own loader is tried next", resource, e);
      return false;
    } finally {
      delete(dir, fileNames);
    }
  }

  private static void delete(Path dir, List<String> fileNames) {
    List<Path> inUse = new ArrayList<>();
    for (String name : fileNames) {
      try {
        Files.deleteIfExists(dir.resolve(name));
      } catch (IOException e) {
        inUse.add(dir.resolve(name)); // loaded and locked (Windows)
      }
    }
    if (inUse.isEmpty()) {
      try {
        Files.deleteIfExists(dir);
        return;
      } catch (IOException e) {
        // not empty after all: left to the exit, below
      }
    }
    // deleteOnExit deletes in the reverse order of registration: the directory after its files
    dir.toFile().deleteOnExit();
    inUse.forEach(file -> file.toFile().deleteOnExit());
  }
}
