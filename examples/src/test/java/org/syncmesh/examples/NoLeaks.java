package org.syncmesh.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Set;
import java.util.stream.Collectors;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test after which a syncmesh thread (every thread a socket starts is named
 * {@code syncmesh-…}) is still alive, waiting up to 10 s for them to stop: each example must close
 * its socket whatever way it ends. The library's own tests have a fuller rule (NetworkTestRule).
 */
final class NoLeaks implements AfterEachCallback {

  @Override
  public void afterEach(ExtensionContext context) {
    Awaitility.await("syncmesh threads to stop")
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(() -> assertThat(liveSyncmeshThreads()).as("leaked threads").isEmpty());
  }

  private static Set<String> liveSyncmeshThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(Thread::isAlive)
        .map(Thread::getName)
        .filter(name -> name.startsWith("syncmesh-"))
        .collect(Collectors.toSet());
  }
}
