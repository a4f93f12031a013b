package org.syncmesh.wire;

import java.util.List;
import java.util.Random;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.syncmesh.Bytes;
import org.syncmesh.Compression;
import org.syncmesh.Protocol;

/**
 * Measures one encode + decode round trip through {@link FrameCodec} of a typical sync store broadcast
 * {@code [0, <66-char str node id>, now | 11, <16-byte bin key>, <value bin>]}: {@link InternalMessage#create}
 * (msgpack + SHA-256), {@link FrameCodec#encodeFrame} (optionally compressed), then
 * {@link FrameCodec#decodeFrame} (decompress, SHA-256 check, msgpack decode, shape checks). Values are random bytes
 * (incompressible, the worst case for compression); {@code valueBytes} is 100 (typical) or 65536.
 *
 * <p>Target: at least 1,000,000 small uncompressed round trips per second on one core. Run with
 * <pre>
 * (in the repository root) mvn -q -pl benchmarks -am package -DskipTests &amp;&amp;
 *   java -jar benchmarks/target/benchmarks.jar FrameCodecBenchmark -f 1 -wi 3 -i 5 -t 1 -prof gc
 * </pre>
 */
@State(Scope.Thread)
public class FrameCodecBenchmark extends AbstractMicrobenchmark {
  @Param({"none", "zlib", "snappy"})
  public String compression;

  @Param({"100", "65536"})
  public int valueBytes;

  private final FrameCodec codec = new FrameCodec();
  private String nodeId;
  private Bytes key;
  private Bytes value;
  private Compression method;
  private List<Compression> tryOrder;
  private long now;

  @Setup
  public void setUp() {
    Random random = new Random(1);
    nodeId = NodeId.js2pFormula("127.0.0.1", 4444, new Protocol("sync1", Protocol.PLAINTEXT).id(),
        "00000000-0000-4000-8000-000000000000");
    byte[] k = new byte[16];
    random.nextBytes(k);
    key = Bytes.of(k);
    byte[] v = new byte[valueBytes];
    random.nextBytes(v);
    value = Bytes.of(v);
    method = "none".equals(compression) ? null : Compression.valueOf(compression.toUpperCase());
    tryOrder = method == null ? List.of() : List.of(method);
    now = 1_700_000_000L;
  }

  @Benchmark
  public InternalMessage roundTrip() {
    InternalMessage m = InternalMessage.create(Flags.MAIN_BROADCAST, nodeId, now, Flags.SUB_STORE, key, value);
    return codec.decodeFrame(codec.encodeFrame(m, method), tryOrder);
  }
}
