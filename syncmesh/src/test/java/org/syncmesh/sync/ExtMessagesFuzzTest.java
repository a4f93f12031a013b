package org.syncmesh.sync;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Timeout;
import org.syncmesh.Bytes;
import org.syncmesh.Version;
import org.syncmesh.wire.Flags;
import org.syncmesh.wire.InternalMessage;
import org.syncmesh.wire.MalformedMsgpackException;
import org.syncmesh.wire.MessageShapeException;
import org.syncmesh.wire.Packets;
import org.syncmesh.wire.WireFormatException;

/**
 * Fuzz tests of extension v1's message parsers (docs/extension-v1.md §3, §5) on bytes as a peer
 * could send them: {@link ExtMessages#readWrite} on a whole message body, {@link ExtMessages#readSync}
 * on an anti-entropy payload and {@link ExtMessages#readEntry} on one entry, each decoded with
 * {@link Packets#decode} first. The only allowed outcomes are a result or a
 * {@link MessageShapeException}; what a parser returns holds the invariants the merge relies on,
 * and encodes again to bytes that parse to the same.
 *
 * <p>{@code mvn verify} runs them as regression tests on the files in
 * {@code src/test/resources/org/syncmesh/sync/ExtMessagesFuzzTestInputs/<method>/} (the golden
 * vectors of extension-v1-vectors.json: {@code body_hex} of the writes, {@code payload_hex} of the
 * anti-entropy messages, {@code msgpack_hex} of the entries; and any finding committed since). To
 * fuzz one:
 *
 * <pre>JAZZER_FUZZ=1 mvn -B -pl syncmesh test -Dtest='ExtMessagesFuzzTest#entry' -Djazzer.max_duration=30s</pre>
 */
final class ExtMessagesFuzzTest {

  @FuzzTest(maxDuration = "2m")
  @Timeout(value = 10, unit = TimeUnit.SECONDS)
  void write(byte[] body) {
    InternalMessage m;
    try {
      m = InternalMessage.decodeBody(Bytes.of(body));
    } catch (WireFormatException e) {
      return; // not a message body (the frame and msgpack readers have their own fuzz tests)
    }
    ExtMessages.KeyState ks = parses(() -> ExtMessages.readWrite(m.senderId(), m.time(), m.payload()));
    if (ks == null) {
      return;
    }
    Store.Entry e = ks.entry();
    assertThat(e.owner()).isEqualTo(m.senderId());
    assertThat(e.timestamp()).isEqualTo(m.time());
    assertValid(e);
    int sub = e.fields() != null ? Flags.SUB_SM_DELTA : Flags.SUB_SM_WRITE;
    InternalMessage again;
    try {
      again = ExtMessages.write(m.senderId(), m.time(), sub, ks.key(), e.value(), e.version().hlc(), e.epoch(),
          e.claim());
    } catch (IllegalArgumentException refused) { // map keys equal in Python, which encoding refuses
      assertThat(refused).hasMessageContaining("duplicate map key");
      return;
    }
    assertThat(ExtMessages.readWrite(again.senderId(), again.time(), again.payload())).isEqualTo(ks);
  }

  @FuzzTest(maxDuration = "2m")
  @Timeout(value = 10, unit = TimeUnit.SECONDS)
  void sync(byte[] msgpack) {
    if (!(decoded(msgpack) instanceof List<?> payload)) {
      return;
    }
    @SuppressWarnings("unchecked")
    List<@Nullable Object> p = (List<@Nullable Object>) payload;
    Object m = parses(() -> ExtMessages.readSync(p));
    if (m == null) {
      return;
    }
    if (m instanceof ExtMessages.Tree t) {
      assertThat(t.level()).isBetween(0, DigestTree.LEVELS - 1);
      assertThat(t.digests()).hasSize(t.parents().length * DigestTree.FAN_OUT);
      for (int parent : t.parents()) {
        assertThat(parent).isBetween(0, (1 << (4 * t.level())) - 1);
      }
    } else if (m instanceof ExtMessages.Rows r) {
      assertThat(r.rows().length % ExtMessages.ROW_BYTES).isZero();
      for (int b : r.buckets()) {
        assertThat(b).isBetween(0, DigestTree.BUCKETS - 1);
      }
    } else if (m instanceof ExtMessages.Entries es) {
      es.entries().forEach(ks -> assertValid(ks.entry()));
    }
    byte[] bytes = encodable(encoded(m));
    if (bytes != null) {
      @SuppressWarnings("unchecked")
      List<@Nullable Object> reread = (List<@Nullable Object>) Packets.decode(bytes);
      assertThat(Packets.encode(encoded(ExtMessages.readSync(reread)))).isEqualTo(bytes);
    }
  }

  @FuzzTest(maxDuration = "2m")
  @Timeout(value = 10, unit = TimeUnit.SECONDS)
  void entry(byte[] msgpack) {
    Object value = decoded(msgpack);
    ExtMessages.KeyState ks = parses(() -> ExtMessages.readEntry(value));
    if (ks == null) {
      return;
    }
    assertValid(ks.entry());
    byte[] bytes = encodable(ExtMessages.entry(ks.key(), ks.entry()));
    if (bytes != null) {
      assertThat(ExtMessages.readEntry(Packets.decode(bytes))).isEqualTo(ks);
    }
  }

  // ---------------------------------------------------------------- checks

  /** What {@code parse} returns, or null if it threw a {@link MessageShapeException}; anything else fails. */
  private static <T> @Nullable T parses(Supplier<T> parse) {
    try {
      return parse.get();
    } catch (MessageShapeException e) {
      return null;
    } catch (RuntimeException e) {
      throw new AssertionError("a parser threw " + e + ", not MessageShapeException", e);
    }
  }

  /** The invariants a parsed state keeps: base at most the version, field versions in (base, version], maps only. */
  private static void assertValid(Store.Entry e) {
    assertThat(e.epoch()).isNotNegative();
    if (e.base() != null) {
      assertThat(e.base()).isLessThanOrEqualTo(e.version());
    }
    if (e.claim() != null) {
      assertThat(e.claim().writer()).isEqualTo(e.owner());
    }
    if (e.fields() != null) {
      assertThat(e.value()).isInstanceOf(Map.class);
      for (Map.Entry<Object, Version> f : e.fields().entrySet()) {
        assertThat(((Map<?, ?>) e.value()).containsKey(f.getKey())).isTrue();
        assertThat(f.getValue()).isLessThanOrEqualTo(e.version());
        if (e.base() != null) {
          assertThat(f.getValue()).isGreaterThan(e.base());
        }
      }
    }
  }

  /** The encoding of {@code packet}, or null when it holds map keys equal in Python, which encoding refuses. */
  private static byte @Nullable [] encodable(Object packet) {
    try {
      return Packets.encode(packet);
    } catch (IllegalArgumentException e) {
      assertThat(e).hasMessageContaining("duplicate map key");
      return null;
    }
  }

  /** The payload the encoder makes of a parsed anti-entropy message. */
  private static List<Object> encoded(Object m) {
    if (m instanceof ExtMessages.Tree t) {
      return ExtMessages.tree(t);
    } else if (m instanceof ExtMessages.Rows r) {
      return ExtMessages.rows(r);
    } else if (m instanceof ExtMessages.Entries es) {
      List<Object> encoded = new ArrayList<>();
      for (ExtMessages.KeyState ks : es.entries()) {
        encoded.add(ExtMessages.entry(ks.key(), ks.entry()));
      }
      return ExtMessages.entries(es.round(), encoded);
    } else if (m instanceof ExtMessages.Done d) {
      return ExtMessages.done(d.round(), d.inSync(), d.now());
    }
    ExtMessages.SendAll s = (ExtMessages.SendAll) m;
    return ExtMessages.sendAll(s.round(), s.horizon());
  }

  /** The decoded value, or null for bytes that are no msgpack (the reader has its own fuzz test). */
  private static @Nullable Object decoded(byte[] msgpack) {
    try {
      return Collections.singletonList(Packets.decode(msgpack)).get(0);
    } catch (MalformedMsgpackException e) {
      return null;
    }
  }
}
