package org.syncmesh.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Guards every network test: closes the sockets it was given (last opened, first closed), fails
 * the test if any thread threw an uncaught exception, and asserts that no syncmesh thread
 * outlives the test.
 *
 * <pre>{@code @RegisterExtension final NetworkTestRule net = new NetworkTestRule();}</pre>
 */
public final class NetworkTestRule implements BeforeEachCallback, AfterEachCallback {

  private final List<AutoCloseable> resources = Collections.synchronizedList(new ArrayList<>());
  private final List<Throwable> uncaught = Collections.synchronizedList(new ArrayList<>());
  private Thread.UncaughtExceptionHandler previous;

  /** Registers {@code resource} to be closed after the test and returns it. */
  public <T extends AutoCloseable> T track(T resource) {
    resources.add(resource);
    return resource;
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    previous = Thread.getDefaultUncaughtExceptionHandler();
    Thread.setDefaultUncaughtExceptionHandler((t, e) -> uncaught.add(e));
  }

  @Override
  public void afterEach(ExtensionContext context) throws Exception {
    List<AutoCloseable> toClose;
    synchronized (resources) {
      toClose = new ArrayList<>(resources);
      resources.clear();
    }
    Collections.reverse(toClose);
    Exception failure = null;
    for (AutoCloseable resource : toClose) {
      try {
        resource.close();
      } catch (Exception e) {
        failure = failure == null ? e : failure;
      }
    }
    Thread.setDefaultUncaughtExceptionHandler(previous);
    if (failure != null) {
      throw failure;
    }
    assertThat(uncaught).as("uncaught exceptions on other threads").isEmpty();
    Awaitility.await("syncmesh threads to stop after close")
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
