package org.syncmesh;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Test;

/**
 * The library artifact as a user gets it (issue 14): the packaged jar holds syncmesh's own classes and a module
 * descriptor, and no logging configuration or other library's classes; its run-time closure, as Maven resolves it
 * (target/runtime-dependencies.txt, written by dependency:list in package), has the command line's and the optional
 * dependencies only as optional entries. The maven-enforcer-plugin checks the transitive closure for logging
 * backends and command-line libraries as well.
 */
final class LibraryJarIT {

  /** Artifacts a user of the library must never get, optional or not. */
  private static final List<String> NEVER = List.of("info.picocli:", "org.jline:", "org.slf4j:slf4j-simple:",
      "ch.qos.logback:", "org.apache.logging.log4j:", "log4j:log4j:");
  /** Artifacts a user gets only by adding them: optional in the library's pom. */
  private static final List<String> OPTIONAL = List.of("org.bouncycastle:bcpkix-jdk18on:",
      "org.xerial.snappy:snappy-java:", "org.apache.commons:commons-compress:", "org.tukaani:xz:",
      "tools.jackson.core:jackson-core:", "io.micrometer:");

  @Test
  void theJar_holdsOnlySyncmeshClasses_aModuleDescriptor_andNoLoggingConfiguration() throws IOException {
    Path jar = Path.of(System.getProperty("syncmesh.libraryJar", "target/missing.jar"));
    assertThat(jar).as("the packaged library (runs after package)").isRegularFile();
    List<String> names = new ArrayList<>();
    try (JarFile file = new JarFile(jar.toFile())) {
      for (JarEntry e : java.util.Collections.list(file.entries())) {
        names.add(e.getName());
      }
    }
    assertThat(names).contains("module-info.class", "org/syncmesh/sync/SyncSocket.class", "org/syncmesh/Bytes.class");
    assertThat(names).filteredOn(n -> n.endsWith(".class") && !n.equals("module-info.class"))
        .isNotEmpty()
        .allMatch(n -> n.startsWith("org/syncmesh/"), "under org/syncmesh/");
    assertThat(names).as("no logging configuration").noneMatch(n -> {
      String base = n.substring(n.lastIndexOf('/') + 1);
      return base.equals("simplelogger.properties") || base.startsWith("logback") || base.startsWith("log4j")
          || base.equals("logging.properties") || n.startsWith("META-INF/services/org.slf4j");
    });
    assertThat(names).as("no command line").noneMatch(n -> n.startsWith("org/syncmesh/cli/"));
  }

  @Test
  void theRuntimeClosure_hasNoCommandLineOrLoggingBackend_andTheCodecsAndPkixAreOptional() throws IOException {
    Path list = Path.of(System.getProperty("syncmesh.dependencyList", "target/missing.txt"));
    assertThat(list).as("dependency:list's output (written in package)").isRegularFile();
    List<String> entries = Files.readAllLines(list).stream().map(l -> l.replaceAll("\u001B\\[[;\\d]*m", "").trim())
        .filter(l -> l.chars().filter(c -> c == ':').count() >= 4).toList();
    assertThat(entries).as("the list has the library's dependencies").anyMatch(l -> l.startsWith("io.netty:"));
    for (String e : entries) {
      assertThat(NEVER).as("%s", e).noneMatch(e::startsWith);
      if (OPTIONAL.stream().anyMatch(e::startsWith)) {
        assertThat(e).as("an optional dependency").contains("(optional)");
      }
    }
    assertThat(entries).as("each optional dependency is declared")
        .anyMatch(e -> e.startsWith("org.bouncycastle:bcpkix-jdk18on:") && e.contains("(optional)"))
        .anyMatch(e -> e.startsWith("org.xerial.snappy:snappy-java:") && e.contains("(optional)"))
        .anyMatch(e -> e.startsWith("org.bouncycastle:bcprov-jdk18on:") && !e.contains("(optional)"));
  }
}
