package org.syncmesh.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.syncmesh.Bytes;
import org.syncmesh.Version;
import org.syncmesh.store.DataDirectory;
import org.syncmesh.store.KeyValueStore;
import org.syncmesh.store.StorageException;
import org.syncmesh.testing.DataDirectories;
import org.syncmesh.testing.NetworkTestRule;

/**
 * What a damaged data directory does at start: a tail torn by a crash is dropped and the node
 * starts; a flipped bit in the middle of a table file or of the log, or a record that is not one
 * this build wrote, stops the start with a message naming the file, the store or the key, and
 * leaves the files as they were.
 */
final class DurableNodeCorruptionTest {

  private static final String VALUE = "v".repeat(1000);

  @RegisterExtension final NetworkTestRule net = new NetworkTestRule();
  @TempDir Path dir;

  private static SyncSocket durable(Path data) {
    return new SyncSocket.Builder().leasing(true).dataDirectory(data).build();
  }

  private static void flipMiddle(Path file) throws IOException {
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
      long middle = f.length() / 2;
      for (long at = middle; at < middle + 8; at++) {
        f.seek(at);
        int b = f.read();
        f.seek(at);
        f.write(b ^ 0x5a);
      }
    }
  }

  /** Runs {@code action} with what the logger prints to stderr (slf4j-simple) captured too. */
  private static String stderrOf(Runnable action) {
    PrintStream old = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setErr(new PrintStream(new TeeStream(old, captured), true, StandardCharsets.UTF_8));
    try {
      action.run();
    } finally {
      System.setErr(old);
    }
    return captured.toString(StandardCharsets.UTF_8);
  }

  private static final class TeeStream extends java.io.OutputStream {
    private final java.io.OutputStream a;
    private final java.io.OutputStream b;

    TeeStream(java.io.OutputStream a, java.io.OutputStream b) {
      this.a = a;
      this.b = b;
    }

    @Override
    public void write(int c) throws IOException {
      a.write(c);
      b.write(c);
    }

    @Override
    public void write(byte[] buf, int off, int len) throws IOException {
      a.write(buf, off, len);
      b.write(buf, off, len);
    }
  }

  /** A crash image of a node that wrote {@code k0..k(n-1)}, one saved batch each. */
  private Path crashImage(String name, int n) throws IOException {
    Path live = dir.resolve(name + "-live");
    SyncSocket node = net.track(durable(live));
    for (int i = 0; i < n; i++) {
      node.set("k" + i, VALUE + i); // returns once its batch is saved (handed to the OS)
    }
    assertThat(node.durableBacklog()).isZero();
    Path image = dir.resolve(name);
    DataDirectories.copyTree(live, image);
    assertThat(image.resolve("running")).exists();
    return image;
  }

  @Test
  void aTornTail_isDropped_andTheNodeStarts_withEveryCompleteWrite() throws Exception {
    int n = 20;
    Path image = crashImage("torn", n);
    Path wal = DataDirectories.newest(image.resolve("db"), ".log");
    long size = Files.size(wal);
    try (RandomAccessFile f = new RandomAccessFile(wal.toFile(), "rw")) {
      f.setLength(size - 100); // inside the last record (a 1 KB value)
    }

    SyncSocket[] started = new SyncSocket[1];
    String log = stderrOf(() -> started[0] = net.track(durable(image)));
    assertThat(log).contains("was not closed when its node last ran");
    SyncSocket node = started[0];
    for (int i = 0; i < n - 1; i++) {
      assertThat(node.get("k" + i)).as("k" + i).contains(VALUE + i);
    }
    assertThat(node.get("k" + (n - 1))).as("the torn write").isEmpty();
    // and it goes on: writes are saved again
    node.set("after", "yes");
    node.close();
    SyncSocket again = net.track(durable(image));
    assertThat(again.get("after")).contains("yes");
    assertThat(again.get("k0")).contains(VALUE + 0);
  }

  @Test
  void aFlippedBitInATableFile_stopsTheStart_namingTheFile_andLeavesItAsItWas() throws Exception {
    Path data = dir.resolve("sst");
    SyncSocket node = durable(data);
    for (int i = 0; i < 300; i++) {
      node.set("k" + i, VALUE + i);
    }
    node.close(); // flushes: the entries are in a table file now
    Path sst = DataDirectories.newest(data.resolve("db"), ".sst");
    flipMiddle(sst);
    byte[] damaged = Files.readAllBytes(sst);

    assertThatThrownBy(() -> durable(data)).isInstanceOf(StorageException.class)
        .hasMessageContaining(sst.getFileName().toString()).hasMessageContaining("is corrupt");
    assertThat(Files.readAllBytes(sst)).as("left as it was").isEqualTo(damaged);
    // refused again, not repaired by the first attempt; and the directory is released
    assertThatThrownBy(() -> durable(data)).isInstanceOf(StorageException.class)
        .hasMessageContaining(sst.getFileName().toString());
  }

  @Test
  void aFlippedBitInTheMiddleOfTheLog_stopsTheStart_namingTheStore_andLeavesTheLogAsItWas() throws Exception {
    Path image = crashImage("wal", 20);
    Path wal = DataDirectories.newest(image.resolve("db"), ".log");
    flipMiddle(wal);
    byte[] damaged = Files.readAllBytes(wal);

    assertThatThrownBy(() -> durable(image)).isInstanceOf(StorageException.class)
        .hasMessageContaining(image.resolve("db").toString()).hasMessageContaining("is corrupt");
    assertThat(wal).exists();
    assertThat(Files.readAllBytes(wal)).as("left as it was").isEqualTo(damaged);
    assertThatThrownBy(() -> durable(image)).isInstanceOf(StorageException.class);
  }

  @Test
  void aRecordThatIsNotOneThisBuildWrote_stopsTheStart_namingTheKey() throws Exception {
    Path data = dir.resolve("record");
    SyncSocket node = durable(data);
    node.set("good", "fine");
    node.close();
    Properties props = new Properties();
    try (var r = Files.newBufferedReader(data.resolve("syncmesh.properties"))) {
      props.load(r);
    }
    try (DataDirectory d = DataDirectory.open(data, props.getProperty("protocol"), null, () -> "unused")) {
      d.store().write(new KeyValueStore.Batch()
          .put(KeyValueStore.Column.ENTRIES, "bad-key".getBytes(StandardCharsets.UTF_8), new byte[] {(byte) 0xc1, 1, 2}),
          true);
      // valid msgpack, but not a record: an array of 3
      d.store().write(new KeyValueStore.Batch()
          .put(KeyValueStore.Column.ENTRIES, "odd-key".getBytes(StandardCharsets.UTF_8), new byte[] {(byte) 0x93, 1, 2, 3}),
          true);
    }
    assertThatThrownBy(() -> durable(data)).isInstanceOf(StorageException.class)
        .hasMessageContaining("\"bad-key\"").hasMessageContaining("is corrupt");
    try (DataDirectory d = DataDirectory.open(data, props.getProperty("protocol"), null, () -> "unused")) {
      d.store().write(new KeyValueStore.Batch().delete(KeyValueStore.Column.ENTRIES,
          "bad-key".getBytes(StandardCharsets.UTF_8)), true);
    }
    assertThatThrownBy(() -> durable(data)).isInstanceOf(StorageException.class)
        .hasMessageContaining("\"odd-key\"").hasMessageContaining("not an array of 10");
  }

  @Test
  void aRecordUnderAnotherKey_isCaught() throws Exception {
    Path data = dir.resolve("moved");
    SyncSocket node = durable(data);
    node.set("a", "1");
    Map<Bytes, Store.Entry> before = new HashMap<>(node.snapshot());
    node.close();
    Properties props = new Properties();
    try (var r = Files.newBufferedReader(data.resolve("syncmesh.properties"))) {
      props.load(r);
    }
    try (DataDirectory d = DataDirectory.open(data, props.getProperty("protocol"), null, () -> "unused")) {
      byte[] record = d.store().get(KeyValueStore.Column.ENTRIES, "a".getBytes(StandardCharsets.UTF_8));
      assertThat(record).isNotNull();
      assertThat(DiskRecords.decode("a".getBytes(StandardCharsets.UTF_8), record, "x").entry())
          .isEqualTo(before.get(Bytes.utf8("a")));
      d.store().write(new KeyValueStore.Batch().put(KeyValueStore.Column.ENTRIES,
          "b".getBytes(StandardCharsets.UTF_8), record), true);
    }
    assertThatThrownBy(() -> durable(data)).isInstanceOf(StorageException.class)
        .hasMessageContaining("\"b\"").hasMessageContaining("holds key \"a\"");
  }

  /** The record of docs/data-directory.md, byte for byte: `k` = "v" by alice, owner id as str. */
  @Test
  void theDocumentedRecord_decodesAndEncodesToTheSameBytes() {
    byte[] record = Bytes.fromHex(
        "9ac4016ba176cf018bcfe5687b0000a5616c696365ce6553f100c00000c0c2").toByteArray();
    byte[] key = "k".getBytes(StandardCharsets.UTF_8);
    DiskRecords.Loaded loaded = DiskRecords.decode(key, record, "docs");
    Store.Entry e = loaded.entry();
    assertThat(e.value()).isEqualTo("v");
    assertThat(e.version().writer()).isEqualTo("alice");
    assertThat(e.ownerBin()).isFalse();
    assertThat(loaded.signed()).isNull();
    assertThat(DiskRecords.encode(Bytes.utf8("k"), e, null)).isEqualTo(record);
  }

  /** A secure network's record: the same array with the write's public key and signature (§3). */
  @Test
  void aSignedRecord_keepsItsSignature() {
    Store.Entry e = DiskRecords.decode("k".getBytes(StandardCharsets.UTF_8), Bytes.fromHex(
        "9ac4016ba176cf018bcfe5687b0000a5616c696365ce6553f100c00000c0c2").toByteArray(), "docs").entry();
    SignedWrites.Signed signed = new SignedWrites.Signed(e.version(), Bytes.of(new byte[32]), Bytes.of(new byte[64]));
    byte[] record = DiskRecords.encode(Bytes.utf8("k"), e, signed);
    DiskRecords.Loaded back = DiskRecords.decode("k".getBytes(StandardCharsets.UTF_8), record, "test");
    assertThat(back.entry()).isEqualTo(e);
    assertThat(back.signed()).isEqualTo(signed);
  }

  /**
   * A secure network's record of a map made by deltas (§3): 13 elements, nil public key and
   * signature, then the writes that prove it; read back as written. Malformed forms are corrupt.
   */
  @Test
  void aRecordOfAMapMadeByDeltas_keepsItsWrites_andBadFormsAreCorrupt() {
    Version base = new Version(org.syncmesh.Hlc.of(1_700_000_000_000L, 0), "alice");
    Version d = new Version(org.syncmesh.Hlc.of(1_700_000_001_000L, 0), "bob");
    java.util.Map<Object, Object> value = new java.util.LinkedHashMap<>(java.util.Map.of("a", 1L, "b", 2L));
    Store.Entry e = new Store.Entry(value, d, 1_700_000_001L, base, java.util.Map.of("b", d), 0, null, false);
    SignedWrites.Writes writes = new SignedWrites.Writes(java.util.List.of(
        new SignedWrites.Write(org.syncmesh.wire.Flags.SUB_SM_WRITE, java.util.Map.of("a", 1L), base, 1_700_000_000L,
            0, 0L, Bytes.of(new byte[32]), Bytes.of(new byte[64])),
        new SignedWrites.Write(org.syncmesh.wire.Flags.SUB_SM_DELTA, java.util.Map.of("b", 2L), d, 1_700_000_001L,
            0, 0L, Bytes.of(new byte[32]), Bytes.of(new byte[64]))));
    byte[] key = "m".getBytes(StandardCharsets.UTF_8);
    byte[] record = DiskRecords.encode(Bytes.utf8("m"), e, writes);
    assertThat(record[0]).isEqualTo((byte) 0x9d); // an array of 13
    DiskRecords.Loaded back = DiskRecords.decode(key, record, "test");
    assertThat(back.entry()).isEqualTo(e);
    assertThat(back.signed()).isEqualTo(writes);
    assertThat(DiskRecords.encode(Bytes.utf8("m"), back.entry(), back.signed())).isEqualTo(record);

    java.util.List<Object> bad = new java.util.ArrayList<>((java.util.List<?>) org.syncmesh.wire.Packets.decode(record));
    bad.set(10, Bytes.of(new byte[32]));
    assertThatThrownBy(() -> DiskRecords.decode(key, org.syncmesh.wire.Packets.encode(bad), "test"))
        .isInstanceOf(StorageException.class).hasMessageContaining("nil public key and signature");
    bad.set(10, null);
    bad.set(12, java.util.List.of(java.util.List.of(0x21L, "not a map")));
    assertThatThrownBy(() -> DiskRecords.decode(key, org.syncmesh.wire.Packets.encode(bad), "test"))
        .isInstanceOf(StorageException.class).hasMessageContaining("is corrupt");
  }

  /**
   * A secure leasing network's record of a key with a tenure history (§3, docs/extension-v1.md
   * §8.4): 14 elements, the visible state's record of 10 padded with nil, nil, nil, then the other
   * records, each a record of 10, 12 or 13; byte for byte as documented, read back as written. A
   * corrupt other record stops the start as any corrupt record does: nothing is dropped silently.
   */
  @Test
  void aRecordWithATenureHistory_isTheDocumentedOne_andACorruptOtherRecordStopsTheStart() {
    Version va = new Version(org.syncmesh.Hlc.of(1_700_000_000_123L, 0), "alice");
    Version vm = new Version(org.syncmesh.Hlc.of(1_700_000_100_000L, 0), "mallory");
    Store.Entry visible = new Store.Entry("v", va, 1_700_000_000L, va, null, 1, va, false);
    Store.Entry early = new Store.Entry("x", vm, 1_700_000_100L, vm, null, 2, vm, false);
    SignedWrites.Signed sig = new SignedWrites.Signed(vm, Bytes.of(new byte[32]), Bytes.of(new byte[68]));
    java.util.List<History.Record> others = java.util.List.of(new History.Record(early, null));
    byte[] key = "k".getBytes(StandardCharsets.UTF_8);
    byte[] record = DiskRecords.encode(Bytes.utf8("k"), visible, null, others);
    assertThat(record).isEqualTo(Bytes.fromHex(DOCUMENTED_14).toByteArray());
    DiskRecords.Loaded back = DiskRecords.decode(key, record, "docs");
    assertThat(back.entry()).isEqualTo(visible);
    assertThat(back.signed()).isNull();
    assertThat(back.others()).isEqualTo(others);
    assertThat(DiskRecords.encode(Bytes.utf8("k"), visible, null, java.util.List.of())).as("no history: a record of 10")
        .isEqualTo(DiskRecords.encode(Bytes.utf8("k"), visible, null));

    java.util.List<History.Record> signedOthers = java.util.List.of(new History.Record(early, sig));
    DiskRecords.Loaded signedBack = DiskRecords.decode(key, DiskRecords.encode(Bytes.utf8("k"), visible,
        new SignedWrites.Signed(va, Bytes.of(new byte[32]), Bytes.of(new byte[68])), signedOthers), "test");
    assertThat(signedBack.others()).isEqualTo(signedOthers);
    assertThat(signedBack.signed()).isInstanceOf(SignedWrites.Signed.class);

    java.util.List<Object> bad = new java.util.ArrayList<>((java.util.List<?>) org.syncmesh.wire.Packets.decode(record));
    java.util.List<Object> badOther = new java.util.ArrayList<>((java.util.List<?>) ((java.util.List<?>) bad.get(13)).get(0));
    badOther.set(0, Bytes.utf8("other key"));
    bad.set(13, java.util.List.of(badOther));
    assertThatThrownBy(() -> DiskRecords.decode(key, org.syncmesh.wire.Packets.encode(bad), "test"))
        .isInstanceOf(StorageException.class).hasMessageContaining("one of its other records")
        .hasMessageContaining("it holds key \"other key\"");
    bad.set(13, java.util.List.of());
    assertThatThrownBy(() -> DiskRecords.decode(key, org.syncmesh.wire.Packets.encode(bad), "test"))
        .isInstanceOf(StorageException.class).hasMessageContaining("other records");
  }

  /** docs/data-directory.md §3's record of 14. */
  private static final String DOCUMENTED_14 = "9ec4016ba176cf018bcfe5687b0000a5616c696365ce6553f100c001cf018bcfe5687b0000"
      + "c0c2c0c0c0919ac4016ba178cf018bcfe6eea00000a76d616c6c6f7279ce6553f164c002cf018bcfe6eea00000c0c2";
}
