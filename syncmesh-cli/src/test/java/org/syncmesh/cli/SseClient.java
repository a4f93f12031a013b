package org.syncmesh.cli;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import org.syncmesh.json.Json;

/**
 * A test's reader of {@code /api/events}: parses the text/event-stream lines into events (name and
 * JSON data) as they arrive, on the HTTP client's thread. {@link #close()} cancels the stream,
 * which closes its connection. Thread-safe.
 */
final class SseClient implements AutoCloseable {

  /** One event: its name and its data parsed as JSON. */
  record Event(String name, Map<?, ?> data) {}

  private final List<Event> events = new CopyOnWriteArrayList<>();
  private final List<String> comments = new CopyOnWriteArrayList<>();
  private volatile Flow.Subscription subscription;
  private volatile int status;
  private final java.util.concurrent.CountDownLatch started = new java.util.concurrent.CountDownLatch(1);

  SseClient(HttpClient client, URI uri, String... headers) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10));
    if (headers.length > 0) {
      request.headers(headers);
    }
    // the stream never ends: the status is taken from the head, and the body read as it comes
    client.sendAsync(request.build(), info -> {
      status = info.statusCode();
      return HttpResponse.BodySubscribers.fromLineSubscriber(new Flow.Subscriber<String>() {
          private String name = "message";
          private final StringBuilder data = new StringBuilder();

          @Override
          public void onSubscribe(Flow.Subscription s) {
            subscription = s;
            s.request(Long.MAX_VALUE);
            started.countDown();
          }

          @Override
          public void onNext(String line) {
            if (line.isEmpty()) {
              if (data.length() > 0) {
                events.add(new Event(name, (Map<?, ?>) Json.parse(data.toString())));
              }
              name = "message";
              data.setLength(0);
            } else if (line.startsWith("event: ")) {
              name = line.substring(7);
            } else if (line.startsWith("data: ")) {
              data.append(line.substring(6));
            } else if (line.startsWith(":")) {
              comments.add(line);
            }
          }

          @Override
          public void onError(Throwable t) {}

          @Override
          public void onComplete() {}
        });
    });
    if (!started.await(10, TimeUnit.SECONDS)) {
      throw new AssertionError("no answer from " + uri + " within 10 s");
    }
  }

  int status() {
    return status;
  }

  /** The events so far, oldest first. */
  List<Event> events() {
    return new ArrayList<>(events);
  }

  /** The events so far named {@code name}. */
  List<Map<?, ?>> named(String name) {
    return events.stream().filter(e -> e.name().equals(name)).map(Event::data).toList();
  }

  List<String> comments() {
    return new ArrayList<>(comments);
  }

  @Override
  public void close() {
    Flow.Subscription s = subscription;
    if (s != null) {
      s.cancel();
    }
  }
}
