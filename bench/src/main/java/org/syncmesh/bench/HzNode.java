package org.syncmesh.bench;

import com.hazelcast.cluster.Member;
import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.NetworkConfig;
import com.hazelcast.core.EntryAdapter;
import com.hazelcast.core.EntryEvent;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.replicatedmap.ReplicatedMap;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A Hazelcast 5.7 member for the benchmark: one ReplicatedMap named "bench" behind the node line
 * protocol of {@link LineNode}, with an EntryListener recording arrivals.
 *
 * <p>Join: TCP-IP only, with the explicit members given by {@code --connect 127.0.0.1:P}
 * (multicast and auto-detection off), bound to 127.0.0.1 on a fixed port without
 * auto-increment. A ReplicatedMap is replicated to every member (the cluster is a full mesh),
 * so "B connects to A, C connects to B" only says whom each member asks to join; it cannot make
 * a line. With {@code --defer} the member does not start until {@code connect HOST PORT}: that is
 * the late joiner, whose join (member start, cluster join, map fill) is what is timed.
 */
public final class HzNode extends LineNode {
  private static final Logger HZ_LOG = Logger.getLogger("com.hazelcast");
  private static final String MAP = "bench";

  private HazelcastInstance hz;
  private ReplicatedMap<String, String> map;
  private int chosenPort;

  public static void main(String[] args) {
    HZ_LOG.setLevel(Level.WARNING);
    new HzNode().run(args);
  }

  @Override
  protected String start() throws Exception {
    chosenPort = port;
    if (chosenPort == 0) {
      try (ServerSocket s = new ServerSocket()) {
        s.setReuseAddress(true);
        s.bind(new InetSocketAddress(host, 0));
        chosenPort = s.getLocalPort();
      }
    }
    List<String> members = new ArrayList<>();
    for (String[] c : connects) {
      members.add(c[0] + ":" + c[1]);
    }
    connects.clear();
    if (extraArgs.contains("--defer")) {
      return "hz-deferred-" + chosenPort;
    }
    startMember(members);
    return hz.getCluster().getLocalMember().getUuid().toString();
  }

  private void startMember(List<String> members) {
    Config cfg = new Config();
    cfg.setClusterName("syncmesh-bench");
    cfg.setInstanceName("bench-" + chosenPort);
    cfg.setProperty("hazelcast.logging.type", "jdk");
    cfg.setProperty("hazelcast.phone.home.enabled", "false");
    cfg.setProperty("hazelcast.shutdownhook.enabled", "false");
    cfg.setProperty("hazelcast.socket.bind.any", "false");
    cfg.setProperty("hazelcast.wait.seconds.before.join", "0");
    cfg.setProperty("hazelcast.health.monitoring.level", "OFF");
    cfg.getJetConfig().setEnabled(false);
    NetworkConfig net = cfg.getNetworkConfig();
    net.setPort(chosenPort).setPortAutoIncrement(false);
    net.getInterfaces().setEnabled(true).addInterface("127.0.0.1");
    JoinConfig join = net.getJoin();
    join.getMulticastConfig().setEnabled(false);
    join.getAutoDetectionConfig().setEnabled(false);
    List<String> all = new ArrayList<>(members);
    all.add(host + ":" + chosenPort);
    join.getTcpIpConfig().setEnabled(true).setConnectionTimeoutSeconds(2).setMembers(all);
    hz = Hazelcast.newHazelcastInstance(cfg);
    map = hz.getReplicatedMap(MAP);
    map.addEntryListener(new EntryAdapter<String, String>() {
      @Override
      public void entryAdded(EntryEvent<String, String> event) {
        arrived(event.getKey());
      }

      @Override
      public void entryUpdated(EntryEvent<String, String> event) {
        arrived(event.getKey());
      }
    });
  }

  @Override
  protected int boundPort() {
    return chosenPort;
  }

  @Override
  protected void connect(String h, int p) {
    if (hz == null) {
      startMember(List.of(h + ":" + p));
      return;
    }
    for (Member m : hz.getCluster().getMembers()) {
      if (m.getAddress().getPort() == p) {
        return; // already in the same cluster: the ReplicatedMap is a full mesh anyway
      }
    }
    throw new IllegalStateException("a running Hazelcast member cannot be told to join another member");
  }

  @Override
  protected List<Map<String, Object>> peers() {
    List<Map<String, Object>> out = new ArrayList<>();
    if (hz == null) {
      return out;
    }
    for (Member m : hz.getCluster().getMembers()) {
      if (m.localMember()) {
        continue;
      }
      Map<String, Object> e = new LinkedHashMap<>();
      e.put("id", m.getUuid().toString());
      e.put("host", m.getAddress().getHost());
      e.put("port", m.getAddress().getPort());
      out.add(e);
    }
    return out;
  }

  @Override
  protected int count() {
    return map == null ? 0 : map.size();
  }

  @Override
  protected void put(String key, String value) {
    map.put(key, value);
  }

  @Override
  protected Object get(String key) {
    return map == null ? null : map.get(key);
  }

  @Override
  protected Object status() {
    return hz == null ? "not started" : hz.getLifecycleService().isRunning() ? "Nominal" : List.of("not running");
  }

  @Override
  protected void close() {
    if (hz != null) {
      hz.getLifecycleService().terminate();
    }
  }
}
