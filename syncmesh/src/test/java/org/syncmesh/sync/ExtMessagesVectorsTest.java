package org.syncmesh.sync;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.syncmesh.Bytes;
import org.syncmesh.Hlc;
import org.syncmesh.Version;
import org.syncmesh.testing.Json;
import org.syncmesh.wire.Flags;
import org.syncmesh.wire.InternalMessage;
import org.syncmesh.wire.Packets;

/**
 * Byte-exact agreement of extension v1's messages with their golden vectors
 * ({@code src/test/resources/protocol/extension-v1-vectors.json}, docs/extension-v1.md §2.5, §3,
 * §5): the real encoder gives exactly the vectors' bytes, and the parser gives back the values
 * they were made from. The marker, handshakes and versions are {@code wire.ExtensionVectorsTest}'s.
 */
final class ExtMessagesVectorsTest {
  private static final Map<String, Object> VECTORS = load("/protocol/extension-v1-vectors.json");
  private static final String WHISPERER = "alice";
  private static final long WHISPER_TIME = 1_700_000_000L;

  @Test
  void versionedWritesEncodeAndParseAsDocumented() {
    for (Map<String, Object> v : entries("versioned_writes")) {
      String sender = (String) v.get("sender");
      long hlc = (Long) v.get("hlc");
      long claimHlc = (Long) v.get("claim_hlc");
      Version claim = claimHlc == 0 ? null : new Version(claimHlc, sender);
      int sub = integer(v, "sub");
      Object value = typed(v.get("value"));
      Bytes key = Bytes.utf8((String) v.get("key"));
      long seconds = Hlc.millis(hlc) / 1000;
      assertThat(v.get("time")).as("sent at the version's second").isEqualTo(seconds);
      InternalMessage m = ExtMessages.write(sender, seconds, sub, key, value, hlc, integer(v, "epoch"), claim);
      assertThat(hex(m.payload())).as("%s", v.get("name")).isEqualTo(v.get("payload_hex"));
      assertThat(m.body().hex()).as("%s", v.get("name")).isEqualTo(v.get("body_hex"));
      assertThat(m.id().hex()).as("%s", v.get("name")).isEqualTo(v.get("sha256_hex"));

      List<@Nullable Object> payload = list(decode((String) v.get("payload_hex")));
      ExtMessages.KeyState read = ExtMessages.readWrite(sender, seconds, payload);
      Version version = new Version(hlc, sender);
      Store.Entry expected = sub == Flags.SUB_SM_DELTA
          ? Store.deltaEntry((Map<?, ?>) value, version, seconds, new Resolution.Tenure(integer(v, "epoch"), claim), false)
          : new Store.Entry(value, version, seconds, version, null, integer(v, "epoch"), claim, false);
      assertThat(read.key()).isEqualTo(key);
      assertThat(read.entry()).as("%s", v.get("name")).isEqualTo(expected);
    }
  }

  @Test
  void entriesEncodeAndParseAsDocumented_withTheirKeyHashAndDigest() {
    for (Map<String, Object> v : entries("entries")) {
      Bytes key = Bytes.utf8((String) v.get("key"));
      Store.Entry e = entry(v);
      assertThat(hex(ExtMessages.entry(key, e))).as("%s", v.get("name")).isEqualTo(v.get("msgpack_hex"));
      ExtMessages.KeyState read = ExtMessages.readEntry(decode((String) v.get("msgpack_hex")));
      assertThat(read.key()).isEqualTo(key);
      assertThat(read.entry()).as("%s", v.get("name")).isEqualTo(e);
      long keyHash = DigestTree.keyHash(key);
      assertThat(u64(keyHash)).as("key hash of %s", v.get("key")).isEqualTo(v.get("key_hash"));
      assertThat((long) DigestTree.bucket(keyHash)).isEqualTo(v.get("bucket"));
      assertThat(u64(DigestTree.entryDigest(keyHash, e))).as("digest of %s", v.get("name"))
          .isEqualTo(v.get("entry_digest"));
    }
  }

  @Test
  void entriesMessagesEncodeAndParseAsDocumented() {
    List<Map<String, Object>> all = entries("entries");
    for (Map<String, Object> v : entries("entries_messages")) {
      List<Object> encoded = new ArrayList<>();
      List<ExtMessages.KeyState> expected = new ArrayList<>();
      for (Object i : list(v.get("entries"))) {
        Map<String, Object> e = all.get((int) (long) (Long) i);
        Bytes key = Bytes.utf8((String) e.get("key"));
        encoded.add(ExtMessages.entry(key, entry(e)));
        expected.add(new ExtMessages.KeyState(key, entry(e)));
      }
      List<Object> payload = ExtMessages.entries((Long) v.get("round"), encoded);
      checkSync(v, payload);
      assertThat(readSync(v)).isEqualTo(new ExtMessages.Entries((Long) v.get("round"), expected));
    }
  }

  @Test
  void treesEncodeAndParseAsDocumented() {
    for (Map<String, Object> v : entries("trees")) {
      ExtMessages.Tree t = new ExtMessages.Tree((Long) v.get("round"), integer(v, "level"), (Long) v.get("horizon"),
          (Long) v.get("count"), (Long) v.get("now"), ints(v.get("parents")), u64s(v.get("digests")));
      checkSync(v, ExtMessages.tree(t));
      assertThat(readSync(v)).usingRecursiveComparison().isEqualTo(t);
    }
  }

  @Test
  void treeDigestsAreThoseOfTheDocumentedEntries() {
    List<Map<String, Object>> all = entries("entries");
    DigestTree tree = new DigestTree();
    for (int i = 0; i < 3; i++) {
      tree.replace(Bytes.utf8((String) all.get(i).get("key")), null, entry(all.get(i)));
    }
    for (Map<String, Object> v : entries("trees")) {
      int level = integer(v, "level");
      int[] parents = ints(v.get("parents"));
      long[] digests = u64s(v.get("digests"));
      for (int i = 0; i < parents.length; i++) {
        for (int c = 0; c < DigestTree.FAN_OUT; c++) {
          assertThat(tree.digest(level + 1, parents[i] * DigestTree.FAN_OUT + c)).as("%s, child %d", v.get("name"), c)
              .isEqualTo(digests[i * DigestTree.FAN_OUT + c]);
        }
      }
    }
  }

  @Test
  void rowsEncodeAndParseAsDocumented() {
    List<Map<String, Object>> all = entries("entries");
    for (Map<String, Object> v : entries("rows")) {
      List<Object> rowEntries = list(v.get("row_entries"));
      ByteBuffer rows = ByteBuffer.allocate(rowEntries.size() * ExtMessages.ROW_BYTES);
      for (Object i : rowEntries) {
        Map<String, Object> e = all.get((int) (long) (Long) i);
        ExtMessages.putRow(rows, DigestTree.keyHash(Bytes.utf8((String) e.get("key"))), entry(e));
      }
      assertThat(Bytes.of(rows.array()).hex()).as("%s", v.get("name")).isEqualTo(v.get("rows_hex"));
      ExtMessages.Rows r = new ExtMessages.Rows((Long) v.get("round"), (Boolean) v.get("reply"),
          (Long) v.get("horizon"), ints(v.get("buckets")), rows.array());
      checkSync(v, ExtMessages.rows(r));
      assertThat(readSync(v)).usingRecursiveComparison().isEqualTo(r);
    }
  }

  @Test
  void doneAndSendAllEncodeAndParseAsDocumented() {
    for (Map<String, Object> v : entries("done")) {
      checkSync(v, ExtMessages.done((Long) v.get("round"), (Boolean) v.get("in_sync"), (Long) v.get("now")));
      assertThat(readSync(v))
          .isEqualTo(new ExtMessages.Done((Long) v.get("round"), (Boolean) v.get("in_sync"), (Long) v.get("now")));
    }
    for (Map<String, Object> v : entries("send_all")) {
      checkSync(v, ExtMessages.sendAll((Long) v.get("round"), (Long) v.get("horizon")));
      assertThat(readSync(v)).isEqualTo(new ExtMessages.SendAll((Long) v.get("round"), (Long) v.get("horizon")));
    }
  }

  @Test
  void derivedVersionsAreAsDocumented() {
    for (Map<String, Object> v : entries("derived_versions")) {
      Bytes key = Bytes.utf8((String) v.get("key"));
      Object value = typed(v.get("value"));
      assertThat((long) key.hashCode()).as("Bytes.hashCode: Arrays.hashCode of the key's bytes")
          .isEqualTo(v.get("key_hashcode"));
      assertThat((long) Objects.hashCode(value)).isEqualTo(v.get("value_hashcode"));
      Version d = Store.derived((Long) v.get("seconds"), (String) v.get("owner"), key, value);
      long seconds = (Long) v.get("seconds");
      long millis = Math.max(0, seconds * 1000 - 1);
      int counter = (int) (DigestTree.mix(key.hashCode() * 0x9e3779b97f4a7c15L + Objects.hashCode(value)) & 0xffff);
      assertThat(d).as("%s", v.get("name")).isEqualTo(new Version(Hlc.of(millis, counter), (String) v.get("owner")));
      assertThat(Hlc.millis(d.hlc())).isEqualTo(v.get("millis"));
      assertThat((long) Hlc.counter(d.hlc())).isEqualTo(v.get("counter"));
      assertThat(d.hlc()).isEqualTo(v.get("hlc"));
      assertThat(hex(d.toPacket())).isEqualTo(v.get("version_msgpack_hex"));
    }
  }

  // ---------------------------------------------------------------- helpers

  private static void checkSync(Map<String, Object> v, List<?> payload) {
    assertThat(hex(payload)).as("%s", v.get("name")).isEqualTo(v.get("payload_hex"));
    assertThat(InternalMessage.create(Flags.MAIN_WHISPER, WHISPERER, WHISPER_TIME, payload).body().hex())
        .as("%s", v.get("name")).isEqualTo(v.get("body_hex"));
  }

  private static Object readSync(Map<String, Object> v) {
    return ExtMessages.readSync(list(decode((String) v.get("payload_hex"))));
  }

  /** The state an "entries" vector describes. */
  private static Store.Entry entry(Map<String, Object> v) {
    String writer = (String) v.get("writer");
    Version version = new Version((Long) v.get("hlc"), writer);
    Object b = v.get("base");
    Version base = Boolean.FALSE.equals(b) ? null : new Version((Long) list(b).get(0), (String) list(b).get(1));
    Map<Object, Version> fields = null;
    if (v.get("fields") != Json.NULL) {
      fields = new LinkedHashMap<>();
      for (Object f : list(v.get("fields"))) {
        List<Object> t = list(f);
        fields.put(typed(t.get(0)), new Version((Long) t.get(1), (String) t.get(2)));
      }
      fields = Collections.unmodifiableMap(fields);
    }
    long claimHlc = (Long) v.get("claim_hlc");
    return new Store.Entry(typed(v.get("value")), version, (Long) v.get("timestamp"), base, fields,
        integer(v, "epoch"), claimHlc == 0 ? null : new Version(claimHlc, writer), false);
  }

  private static String hex(Object packet) {
    return Bytes.of(Packets.encode(packet)).hex();
  }

  private static @Nullable Object decode(String hex) {
    return Packets.decode(Bytes.fromHex(hex).toByteArray());
  }

  private static String u64(long x) {
    return HexFormat.of().toHexDigits(x);
  }

  private static long[] u64s(Object hexes) {
    return list(hexes).stream().mapToLong(h -> HexFormat.fromHexDigitsToLong((String) h)).toArray();
  }

  private static int[] ints(Object longs) {
    return list(longs).stream().mapToInt(l -> (int) (long) (Long) l).toArray();
  }

  private static int integer(Map<String, Object> v, String key) {
    return (int) (long) (Long) v.get(key);
  }

  private static List<Map<String, Object>> entries(String key) {
    List<Map<String, Object>> out = new ArrayList<>();
    for (Object o : list(VECTORS.get(key))) {
      out.add(map(o));
    }
    assertThat(out).as("vectors of %s", key).isNotEmpty();
    return out;
  }

  /** A typed value such as {"str": "abc"} or {"map": [[k, v]…]}, as in vectors.json. */
  private static @Nullable Object typed(Object node) {
    Map.Entry<String, Object> e = map(node).entrySet().iterator().next();
    Object v = e.getValue();
    return switch (e.getKey()) {
      case "str", "int", "bool" -> v;
      case "bin_hex" -> Bytes.fromHex((String) v);
      case "float" -> ((Number) v).doubleValue();
      case "nil" -> null;
      case "array" -> list(v).stream().map(ExtMessagesVectorsTest::typed).toList();
      case "map" -> {
        Map<Object, Object> out = new LinkedHashMap<>();
        for (Object pair : list(v)) {
          out.put(typed(list(pair).get(0)), typed(list(pair).get(1)));
        }
        yield Collections.unmodifiableMap(out);
      }
      default -> throw new AssertionError("unknown typed value " + e.getKey());
    };
  }

  private static Map<String, Object> load(String resource) {
    try (InputStream in = ExtMessagesVectorsTest.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new AssertionError("golden vectors missing: no " + resource + " on the test classpath");
      }
      return map(Json.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8)));
    } catch (IOException e) {
      throw new AssertionError("cannot read golden vectors " + resource, e);
    }
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> map(Object o) {
    return (Map<String, Object>) o;
  }

  @SuppressWarnings("unchecked")
  private static List<@Nullable Object> list(@Nullable Object o) {
    return (List<@Nullable Object>) o;
  }
}
