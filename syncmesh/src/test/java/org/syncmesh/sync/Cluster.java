package org.syncmesh.sync;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import org.syncmesh.Bytes;
import org.syncmesh.testing.FaultProxy;
import org.syncmesh.testing.NetworkTestRule;

/**
 * Shared set-up of the fault tests: fast sync nodes (anti-entropy every 200 ms, redials after 50 ms
 * to 500 ms, no automatic dialing, so the topology is the test's), links through {@link FaultProxy}
 * instances, and the checks that compare whole states ({@link SyncSocket#snapshot()}).
 */
final class Cluster {

  static final Duration ANTI_ENTROPY = Duration.ofMillis(200);

  private Cluster() {}

  /** One link: {@code dialler} reaches {@code target} through {@code proxy}. */
  record Link(SyncSocket dialler, SyncSocket target, FaultProxy proxy) {
    boolean crosses(List<SyncSocket> side) {
      return side.contains(dialler) != side.contains(target);
    }

    boolean up() {
      return dialler.routingTable().containsKey(target.id()) && target.routingTable().containsKey(dialler.id());
    }

    boolean down() {
      return !dialler.routingTable().containsKey(target.id()) && !target.routingTable().containsKey(dialler.id());
    }

    @Override
    public String toString() {
      return dialler.port() + "->" + proxy.port() + "->" + target.port();
    }
  }

  /** Settings of a fast test node. */
  static SyncSocket.Builder fast(boolean leasing) {
    return new SyncSocket.Builder().leasing(leasing).maxOutgoing(0).antiEntropyInterval(ANTI_ENTROPY)
        .reconnect(Duration.ofMillis(50), Duration.ofMillis(500));
  }

  static SyncSocket node(NetworkTestRule net, boolean leasing) {
    return node(net, leasing, b -> b);
  }

  static SyncSocket node(NetworkTestRule net, boolean leasing, UnaryOperator<SyncSocket.Builder> settings) {
    return net.track(settings.apply(fast(leasing)).build());
  }

  /** {@code dialler} connects to {@code target} through a new proxy; returns once both have registered. */
  static Link link(NetworkTestRule net, SyncSocket dialler, SyncSocket target) {
    FaultProxy proxy = net.track(new FaultProxy(target.port()));
    dialler.connect("127.0.0.1", proxy.port()).orTimeout(10, TimeUnit.SECONDS).join();
    Link link = new Link(dialler, target, proxy);
    await(link + " to come up").atMost(Duration.ofSeconds(10)).until(link::up);
    return link;
  }

  /** Every pair of {@code nodes} linked through a proxy of its own; the later node dials. */
  static List<Link> fullMesh(NetworkTestRule net, List<SyncSocket> nodes) {
    List<Link> links = new ArrayList<>();
    for (int j = 1; j < nodes.size(); j++) {
      for (int i = 0; i < j; i++) {
        links.add(link(net, nodes.get(j), nodes.get(i)));
      }
    }
    return links;
  }

  static void awaitUp(List<Link> links, Duration within, String context) {
    for (Link l : links) {
      await(l + " to come up by itself (" + context + ")").atMost(within).until(l::up);
    }
  }

  static void awaitDown(List<Link> links, Duration within, String context) {
    for (Link l : links) {
      await(l + " to go down (" + context + ")").atMost(within).until(l::down);
    }
  }

  /** Waits until every node holds the same whole state, tombstones included, as the first. */
  static void awaitIdentical(List<SyncSocket> nodes, Duration within, String context) {
    try {
      await("identical snapshots on " + nodes.size() + " nodes (" + context + ")").atMost(within)
          .pollInterval(Duration.ofMillis(100))
          .until(() -> distinct(nodes) == 1);
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      throw new AssertionError(e.getMessage() + "\n" + describeDifferences(nodes), e);
    }
  }

  private static long distinct(List<SyncSocket> nodes) {
    Map<Bytes, Store.Entry> first = nodes.get(0).snapshot();
    return nodes.stream().allMatch(n -> n.snapshot().equals(first)) ? 1 : 2;
  }

  /** What differs between the first node's state and each other's: a few keys, for the failure message. */
  static String describeDifferences(List<SyncSocket> nodes) {
    StringBuilder out = new StringBuilder();
    Map<Bytes, Store.Entry> first = nodes.get(0).snapshot();
    for (SyncSocket n : nodes.subList(1, nodes.size())) {
      Map<Bytes, Store.Entry> other = n.snapshot();
      List<String> diffs = new ArrayList<>();
      for (Bytes k : union(first, other)) {
        if (!java.util.Objects.equals(first.get(k), other.get(k))) {
          diffs.add(k + ": " + first.get(k) + " vs " + other.get(k));
        }
      }
      out.append(nodes.get(0)).append(" vs ").append(n).append(": ").append(diffs.size()).append(" keys differ ")
          .append(diffs.stream().limit(5).collect(Collectors.joining("; ", "[", "]")))
          .append("; peers ").append(n.routingTable().keySet()).append("; status ").append(n.statusErrors())
          .append('\n');
    }
    return out.toString();
  }

  private static List<Bytes> union(Map<Bytes, ?> a, Map<Bytes, ?> b) {
    java.util.Set<Bytes> all = new java.util.HashSet<>(a.keySet());
    all.addAll(b.keySet());
    return new ArrayList<>(all);
  }
}
