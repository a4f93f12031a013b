package org.syncmesh.bench;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

import org.h2.mvstore.Cursor;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;
import org.lmdbjava.Dbi;
import org.lmdbjava.DbiFlags;
import org.lmdbjava.Env;
import org.lmdbjava.EnvFlags;
import org.lmdbjava.Txn;
import org.rocksdb.FlushOptions;
import org.rocksdb.Options;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

/**
 * Which embedded store behind the durable mode? Measures RocksDB, SQLite, H2 MVStore and LMDB on
 * the journal's workload (one writer thread, batches of 16-byte keys and 130-byte values), reopen
 * and full scan, what each does with a damaged file, and what each costs in jars. Run by
 * {@code bench/stores.sh}; see bench/README.md, "Store choice".
 *
 * <p>{@code StoreChoice [--dir D] [--out FILE] [--reps 3] [--stores rocksdb,sqlite,mvstore,lmdb]
 * [--nosync-records 200000] [--scan-records 1000000] [--cap-s 4] [--command TEXT]}
 *
 * <p>{@code StoreChoice --integrity STORE flip|truncate DIR} is the child process of one integrity
 * case (a store that crashes on a damaged file takes only the child with it).
 */
public final class StoreChoice {

    static final int KEY = 16;
    static final int VALUE = 130;
    static final double OVERWRITES = 0.20;
    static final int[] BATCHES = {1, 16, 256};

    // ---- the candidates ----------------------------------------------------------------------

    /** One open store. write() is one batch: one transaction, fsync'd when opened with sync. */
    interface Store extends AutoCloseable {
        void write(byte[][] keys, byte[][] values, int from, int n) throws Exception;

        /** Iterates everything, copying keys and values into byte[]: {records, sum of all bytes}. */
        long[] scan() throws Exception;

        /** Moves logged data into the store's main files, where it has such a step (RocksDB). */
        default void flush() throws Exception {}

        @Override
        void close() throws Exception;
    }

    interface Opener {
        Store open(Path dir, boolean sync) throws Exception;
    }

    record Candidate(String name, String config, String artifact, List<String> jarPrefixes, Opener opener) {}

    static final List<Candidate> CANDIDATES = List.of(
            new Candidate("rocksdb", "WAL on (default options); sync: WriteOptions.sync", "org.rocksdb:rocksdbjni:10.10.1.1",
                    List.of("rocksdbjni-"), Rocks::new),
            new Candidate("sqlite", "WAL, synchronous NORMAL / FULL, WITHOUT ROWID, upsert", "org.xerial:sqlite-jdbc:3.54.1.0",
                    List.of("sqlite-jdbc-"), Sqlite::new),
            new Candidate("mvstore", "autoCommitDisabled, commit() per batch; sync: + sync()", "com.h2database:h2:2.5.252",
                    List.of("h2-"), MvStore::new),
            new Candidate("lmdb", "MDB_NOSYNC; sync: + env.sync(true)", "org.lmdbjava:lmdbjava:0.9.1",
                    List.of("lmdbjava-", "jnr-", "jffi-", "asm-"), Lmdb::new));

    static final class Rocks implements Store {
        final Options options;
        final RocksDB db;
        final WriteOptions writeOptions;

        Rocks(Path dir, boolean sync) throws Exception {
            RocksDB.loadLibrary();
            options = new Options().setCreateIfMissing(true);
            db = RocksDB.open(options, dir.toString());
            writeOptions = new WriteOptions().setSync(sync); // disableWAL stays false
        }

        @Override
        public void write(byte[][] keys, byte[][] values, int from, int n) throws Exception {
            try (WriteBatch batch = new WriteBatch()) {
                for (int i = from; i < from + n; i++) {
                    batch.put(keys[i], values[i]);
                }
                db.write(writeOptions, batch);
            }
        }

        @Override
        public void flush() throws Exception {
            try (FlushOptions fo = new FlushOptions().setWaitForFlush(true)) {
                db.flush(fo);
            }
        }

        @Override
        public long[] scan() throws Exception {
            long count = 0, sum = 0;
            try (ReadOptions ro = new ReadOptions(); RocksIterator it = db.newIterator(ro)) {
                for (it.seekToFirst(); it.isValid(); it.next()) {
                    sum += sum(it.key()) + sum(it.value());
                    count++;
                }
                it.status(); // throws if the iteration stopped on an error
            }
            return new long[] {count, sum};
        }

        @Override
        public void close() {
            writeOptions.close();
            db.close();
            options.close();
        }
    }

    static final class Sqlite implements Store {
        final Connection conn;
        final PreparedStatement put;

        Sqlite(Path dir, boolean sync) throws Exception {
            conn = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("store.db"));
            try (Statement st = conn.createStatement()) {
                st.execute("PRAGMA journal_mode=WAL");
                st.execute("PRAGMA synchronous=" + (sync ? "FULL" : "NORMAL"));
                st.execute("CREATE TABLE IF NOT EXISTS kv (k BLOB PRIMARY KEY, v BLOB) WITHOUT ROWID");
            }
            conn.setAutoCommit(false);
            put = conn.prepareStatement("INSERT INTO kv (k, v) VALUES (?, ?) ON CONFLICT(k) DO UPDATE SET v = excluded.v");
        }

        @Override
        public void write(byte[][] keys, byte[][] values, int from, int n) throws Exception {
            for (int i = from; i < from + n; i++) {
                put.setBytes(1, keys[i]);
                put.setBytes(2, values[i]);
                put.executeUpdate();
            }
            conn.commit();
        }

        @Override
        public long[] scan() throws Exception {
            long count = 0, sum = 0;
            try (Statement st = conn.createStatement(); ResultSet rs = st.executeQuery("SELECT k, v FROM kv")) {
                while (rs.next()) {
                    sum += sum(rs.getBytes(1)) + sum(rs.getBytes(2));
                    count++;
                }
            }
            conn.commit();
            return new long[] {count, sum};
        }

        @Override
        public void close() throws Exception {
            put.close();
            conn.close();
        }
    }

    static final class MvStore implements Store {
        final MVStore store;
        final MVMap<byte[], byte[]> map;
        final boolean sync;

        MvStore(Path dir, boolean sync) {
            this.sync = sync;
            store = new MVStore.Builder().fileName(dir.resolve("store.mv").toString()).autoCommitDisabled().open();
            store.setAutoCommitDelay(0);
            map = store.openMap("kv");
        }

        @Override
        public void write(byte[][] keys, byte[][] values, int from, int n) {
            for (int i = from; i < from + n; i++) {
                map.put(keys[i], values[i]);
            }
            store.commit();
            if (sync) {
                store.sync();
            }
        }

        @Override
        public long[] scan() {
            long count = 0, sum = 0;
            Cursor<byte[], byte[]> c = map.cursor(null);
            while (c.hasNext()) {
                byte[] k = c.next();
                sum += sum(k) + sum(c.getValue());
                count++;
            }
            return new long[] {count, sum};
        }

        @Override
        public void close() {
            store.close();
        }
    }

    static final class Lmdb implements Store {
        final Env<ByteBuffer> env;
        final Dbi<ByteBuffer> dbi;
        final boolean sync;
        final ByteBuffer kb = ByteBuffer.allocateDirect(KEY);
        final ByteBuffer vb = ByteBuffer.allocateDirect(VALUE);

        Lmdb(Path dir, boolean sync) {
            this.sync = sync;
            env = Env.create().setMapSize(2L << 30).setMaxDbs(1).open(dir.toFile(), EnvFlags.MDB_NOSYNC);
            dbi = env.openDbi("kv", DbiFlags.MDB_CREATE);
        }

        @Override
        public void write(byte[][] keys, byte[][] values, int from, int n) {
            try (Txn<ByteBuffer> txn = env.txnWrite()) {
                for (int i = from; i < from + n; i++) {
                    kb.clear();
                    kb.put(keys[i]).flip();
                    vb.clear();
                    vb.put(values[i]).flip();
                    dbi.put(txn, kb, vb);
                }
                txn.commit();
            }
            if (sync) {
                env.sync(true);
            }
        }

        @Override
        public long[] scan() {
            long count = 0, sum = 0;
            try (Txn<ByteBuffer> txn = env.txnRead(); org.lmdbjava.Cursor<ByteBuffer> c = dbi.openCursor(txn)) {
                for (boolean ok = c.first(); ok; ok = c.next()) {
                    ByteBuffer k = c.key(), v = c.val();
                    byte[] kk = new byte[k.remaining()], vv = new byte[v.remaining()];
                    k.get(kk);
                    v.get(vv);
                    sum += sum(kk) + sum(vv);
                    count++;
                }
            }
            return new long[] {count, sum};
        }

        @Override
        public void close() {
            env.close();
        }
    }

    static long sum(byte[] b) {
        long s = 0;
        for (byte x : b) {
            s += x;
        }
        return s;
    }

    // ---- workload ----------------------------------------------------------------------------

    /** n records: new random keys, and with probability 0.2 an overwrite of an earlier key. */
    static byte[][][] records(int n, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        byte[][] keys = new byte[n][], values = new byte[n][];
        for (int i = 0; i < n; i++) {
            if (i > 0 && rnd.nextDouble() < OVERWRITES) {
                keys[i] = keys[rnd.nextInt(i)];
            } else {
                keys[i] = new byte[KEY];
                rnd.nextBytes(keys[i]);
            }
            values[i] = new byte[VALUE];
            rnd.nextBytes(values[i]);
        }
        return new byte[][][] {keys, values};
    }

    /** Writes n distinct records in batches of 256 without sync, generating them as it goes. */
    static void fill(Store s, int n, long seed) throws Exception {
        SplittableRandom rnd = new SplittableRandom(seed);
        for (int done = 0; done < n; ) {
            int b = Math.min(256, n - done);
            // fresh arrays for every batch: MVStore keeps the byte[] it is given, not a copy
            byte[][] keys = new byte[b][KEY], values = new byte[b][VALUE];
            for (int i = 0; i < b; i++) {
                rnd.nextBytes(keys[i]);
                rnd.nextBytes(values[i]);
            }
            s.write(keys, values, 0, b);
            done += b;
        }
    }

    /** One cell: a fresh store, records written in batches; records/s of the writes alone. */
    static double[] writeCell(Candidate c, Path dir, boolean sync, int batch, byte[][][] recs, int count, double capS)
            throws Exception {
        deleteTree(dir);
        Files.createDirectories(dir);
        int written = 0;
        long t0, t1;
        try (Store s = c.opener().open(dir, sync)) {
            long cap = (long) (capS * 1e9);
            t0 = System.nanoTime();
            t1 = t0;
            while (written + batch <= count) {
                s.write(recs[0], recs[1], written, batch);
                written += batch;
                t1 = System.nanoTime();
                if (t1 - t0 > cap) {
                    break;
                }
            }
        }
        deleteTree(dir);
        return new double[] {written / ((t1 - t0) / 1e9), written};
    }

    // ---- integrity and kill -9 (child processes) ---------------------------------------------

    /**
     * One case in a child JVM. flip / flip-flushed / truncate: write 100,000 records, close, damage
     * the largest file (flip-flushed: RocksDB flushed its memtable first, so that file is an SST,
     * not the WAL), reopen, scan. kill9-write: write batches of 16 without sync, printing "ACK n"
     * after each commit, until killed. kill9-verify N: reopen after the kill, scan, compare with N.
     */
    static void child(String mode, String store, Path dir, long acked) throws Exception {
        Candidate c = candidate(store);
        if (mode.equals("kill9-write")) {
            deleteTree(dir);
            Files.createDirectories(dir);
            SplittableRandom rnd = new SplittableRandom(9);
            try (Store s = c.opener().open(dir, false)) {
                for (long n = 0; ; ) {
                    byte[][] keys = new byte[16][KEY], values = new byte[16][VALUE];
                    for (int i = 0; i < 16; i++) {
                        rnd.nextBytes(keys[i]);
                        rnd.nextBytes(values[i]);
                    }
                    s.write(keys, values, 0, 16);
                    n += 16;
                    System.out.println("ACK " + n);
                    System.out.flush();
                }
            }
        }
        if (mode.equals("kill9-verify")) {
            String stage = "open";
            String outcome;
            try (Store s = c.opener().open(dir, false)) {
                stage = "scan";
                long[] got = s.scan();
                stage = "close";
                outcome = (got[0] >= acked && got[0] <= acked + 32 ? "ok: " : "LOST: ") + got[0] + " records after the kill, "
                        + acked + " acknowledged";
            } catch (Throwable t) {
                outcome = "error at " + stage + ": " + oneLine(t);
            }
            System.out.println("RESULT\t—\t" + outcome);
            return;
        }
        deleteTree(dir);
        Files.createDirectories(dir);
        long[] expected;
        try (Store s = c.opener().open(dir, false)) {
            fill(s, 100_000, 7);
            expected = s.scan();
            if (mode.equals("flip-flushed")) {
                s.flush();
            }
        }
        Path victim = largestFile(dir);
        long size = Files.size(victim);
        try (RandomAccessFile f = new RandomAccessFile(victim.toFile(), "rw")) {
            if (mode.startsWith("flip")) {
                long pos = size / 2 - 8;
                byte[] b = new byte[16];
                f.seek(pos);
                f.readFully(b);
                for (int i = 0; i < b.length; i++) {
                    b[i] ^= (byte) 0xFF;
                }
                f.seek(pos);
                f.write(b);
            } else {
                f.setLength(size - 100);
            }
        }
        String what = dir.relativize(victim) + " (" + String.format("%,d", size) + " B)";
        String stage = "open";
        String outcome;
        try (Store s = c.opener().open(dir, false)) {
            stage = "scan";
            long[] got = s.scan();
            stage = "close";
            if (got[0] == expected[0] && got[1] == expected[1]) {
                outcome = "no error; all " + got[0] + " records, same checksum";
            } else {
                outcome = "**silent**: no error; " + got[0] + " of " + expected[0] + " records, checksum "
                        + (got[1] == expected[1] ? "same" : "differs");
            }
        } catch (Throwable t) {
            outcome = "error at " + stage + ": " + oneLine(t);
        }
        System.out.println("RESULT\t" + what + "\t" + outcome);
    }

    static String oneLine(Throwable t) {
        String s = t.getClass().getName() + ": " + t.getMessage();
        s = s.replace('\n', ' ').replace('|', '/');
        return s.length() > 300 ? s.substring(0, 300) + "…" : s;
    }

    /** Runs a child; killAfterMs > 0: SIGKILL it then and return the last "ACK n" it printed. */
    static String runChild(String mode, String store, Path dir, long arg, long killAfterMs) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(
                Paths.get(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m",
                "-XX:ErrorFile=" + dir.getParent().resolve("hs_err_" + store + "_" + mode + ".log"),
                "--add-opens", "java.base/java.nio=ALL-UNNAMED", "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), StoreChoice.class.getName(),
                "--child", mode, store, dir.toString(), Long.toString(arg)));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        List<String> out = new ArrayList<>();
        String[] lastAck = {"ACK 0"};
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String l; (l = r.readLine()) != null; ) {
                    synchronized (out) {
                        if (l.startsWith("ACK ")) {
                            lastAck[0] = l;
                        } else {
                            out.add(l);
                        }
                    }
                }
            } catch (IOException ignored) {
                // the child is gone
            }
        });
        reader.start();
        if (killAfterMs > 0) {
            Thread.sleep(killAfterMs);
            p.destroyForcibly(); // SIGKILL on Linux
            p.waitFor();
            reader.join(5000);
            synchronized (out) {
                return lastAck[0].substring(4);
            }
        }
        boolean done = p.waitFor(120, TimeUnit.SECONDS);
        if (!done) {
            p.destroyForcibly();
        }
        reader.join(5000);
        synchronized (out) {
            for (String l : out) {
                if (l.startsWith("RESULT\t")) {
                    return l.substring(7);
                }
            }
            String tail = out.isEmpty() ? "" : out.get(out.size() - 1);
            return "—\t" + (done ? "**child died**, exit code " + p.exitValue() : "child hung (killed after 120 s)")
                    + (tail.isEmpty() ? "" : "; last output: " + tail.replace('|', '/'));
        }
    }

    // ---- main --------------------------------------------------------------------------------

    public static void main(String[] args) throws Exception {
        if (args.length == 5 && args[0].equals("--child")) {
            child(args[1], args[2], Paths.get(args[3]), Long.parseLong(args[4]));
            return;
        }
        Map<String, String> opt = new LinkedHashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            opt.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        Path base = Paths.get(opt.getOrDefault("dir", "bench/target/stores-data")).toAbsolutePath();
        int reps = Integer.parseInt(opt.getOrDefault("reps", "3"));
        int nosync = Integer.parseInt(opt.getOrDefault("nosync-records", "200000"));
        int scanN = Integer.parseInt(opt.getOrDefault("scan-records", "1000000"));
        double capS = Double.parseDouble(opt.getOrDefault("cap-s", "4"));
        List<String> names = Arrays.asList(opt.getOrDefault("stores", "rocksdb,sqlite,mvstore,lmdb").split(","));
        Files.createDirectories(base);
        StringBuilder md = new StringBuilder();
        String loadBefore = Files.readString(Paths.get("/proc/loadavg")).trim();

        // Which candidates open at all (LMDB's native binding is the likeliest to fail).
        List<Candidate> stores = new ArrayList<>();
        Map<String, String> skipped = new LinkedHashMap<>();
        for (String n : names) {
            Candidate c = candidate(n);
            Path d = base.resolve("probe-" + n);
            try {
                deleteTree(d);
                Files.createDirectories(d);
                try (Store s = c.opener().open(d, false)) {
                    fill(s, 20_000, 1); // also the warm-up of its code paths
                    s.scan();
                }
                stores.add(c);
            } catch (Throwable t) {
                skipped.put(n, oneLine(t));
                log("skip " + n + ": " + oneLine(t));
            } finally {
                deleteTree(d);
            }
        }

        // 1. sustained writes
        int[] syncCounts = {2_000, 16_000, 51_200};
        Map<String, List<double[]>> cells = new LinkedHashMap<>();
        for (int rep = 0; rep < reps; rep++) {
            for (Candidate c : stores) {
                for (boolean sync : new boolean[] {false, true}) {
                    for (int bi = 0; bi < BATCHES.length; bi++) {
                        int b = BATCHES[bi];
                        int count = sync ? syncCounts[bi] : nosync;
                        byte[][][] recs = records(count, 1000L * rep + b);
                        double[] r = writeCell(c, base.resolve("w-" + c.name()), sync, b, recs, count, capS);
                        cells.computeIfAbsent(c.name() + "|" + sync + "|" + b, k -> new ArrayList<>()).add(r);
                        log(String.format("rep %d %-8s sync=%-5s batch=%3d: %,.0f records/s (%,.0f records)", rep + 1,
                                c.name(), sync, b, r[0], r[1]));
                    }
                }
            }
        }

        // 2. reopen + full scan
        Map<String, long[]> sizes = new LinkedHashMap<>();
        Map<String, List<double[]>> scans = new LinkedHashMap<>();
        Map<String, Double> fillS = new LinkedHashMap<>();
        for (Candidate c : stores) {
            Path d = base.resolve("scan-" + c.name());
            deleteTree(d);
            Files.createDirectories(d);
            long tf = System.nanoTime();
            try (Store s = c.opener().open(d, false)) {
                fill(s, scanN, 42);
            }
            fillS.put(c.name(), (System.nanoTime() - tf) / 1e9);
            log(String.format("%s: filled %,d records in %.1f s", c.name(), scanN, fillS.get(c.name())));
            sizes.put(c.name(), new long[] {apparentSize(d), duBytes(d)});
            for (int rep = 0; rep < reps; rep++) {
                long t0 = System.nanoTime();
                long t1, t2;
                long[] got;
                try (Store s = c.opener().open(d, false)) {
                    t1 = System.nanoTime();
                    got = s.scan();
                    t2 = System.nanoTime();
                }
                if (got[0] != scanN) {
                    log("WARNING " + c.name() + " scanned " + got[0] + " records, expected " + scanN);
                }
                scans.computeIfAbsent(c.name(), k -> new ArrayList<>())
                        .add(new double[] {(t1 - t0) / 1e6, (t2 - t1) / 1e6, (t2 - t0) / 1e6, got[0]});
                log(String.format("%s: open %.0f ms, scan %.0f ms (%,d records)", c.name(), (t1 - t0) / 1e6,
                        (t2 - t1) / 1e6, got[0]));
            }
            long[] sz = sizes.get(c.name());
            sizes.put(c.name(), new long[] {sz[0], sz[1], apparentSize(d), duBytes(d)});
            deleteTree(d);
        }

        // 3. integrity, one child process per case
        Map<String, String> integrity = new LinkedHashMap<>();
        for (Candidate c : stores) {
            List<String> modes = c.name().equals("rocksdb") ? List.of("flip", "flip-flushed", "truncate") : List.of("flip", "truncate");
            for (String mode : modes) {
                Path d = base.resolve("i-" + c.name() + "-" + mode);
                String r = runChild(mode, c.name(), d, 0, 0);
                integrity.put(c.name() + "|" + mode, r);
                log(c.name() + " " + mode + ": " + r);
                deleteTree(d);
            }
            // kill -9 while writing without sync: every acknowledged batch must be there
            Path d = base.resolve("k-" + c.name());
            long acked = Long.parseLong(runChild("kill9-write", c.name(), d, 0, 2500));
            String r = runChild("kill9-verify", c.name(), d, acked, 0);
            integrity.put(c.name() + "|kill9", r);
            log(c.name() + " kill -9: " + r);
            deleteTree(d);
        }
        String loadAfter = Files.readString(Paths.get("/proc/loadavg")).trim();

        // ---- report ----
        md.append("# Store choice for the durable mode, ").append(java.time.LocalDate.now()).append("\n\n");
        md.append("Command: `").append(opt.getOrDefault("command", "StoreChoice " + String.join(" ", args))).append("`\n\n");
        md.append("Machine: ").append(Runtime.getRuntime().availableProcessors()).append(" cores, ")
                .append(System.getProperty("java.vm.name")).append(' ').append(System.getProperty("java.version"))
                .append(", ").append(System.getProperty("os.name")).append(' ').append(System.getProperty("os.version"))
                .append("; load average before ").append(loadBefore).append(", after ").append(loadAfter).append(".\n");
        md.append("Directory: `").append(base).append("`\n\n```\n").append(sh("df", "-T", base.toString())).append("```\n\n");
        if (!skipped.isEmpty()) {
            md.append("Skipped: ");
            skipped.forEach((k, v) -> md.append(k).append(" (").append(v).append(") "));
            md.append("\n\n");
        }
        md.append("## 1. Sustained writes, records/s (median of ").append(reps).append(", min–max)\n\n");
        md.append("One writer thread; a batch is one transaction; 16-byte keys, 130-byte random values, 20 % ")
                .append("overwrites of earlier keys. *no sync*: handed to the OS at commit (survives a process ")
                .append("crash, not a power loss). *sync*: fsync per batch. Records per cell: no sync ")
                .append(String.format("%,d", nosync)).append("; sync 2,000 / 16,000 / 51,200 for batch 1 / 16 / 256; ")
                .append("a cell stops after ").append(capS).append(" s of writing (records actually written in the detail below).\n\n");
        md.append("| store | config | no sync, b=1 | no sync, b=16 | no sync, b=256 | sync, b=1 | sync, b=16 | sync, b=256 |\n");
        md.append("|---|---|---:|---:|---:|---:|---:|---:|\n");
        for (Candidate c : stores) {
            md.append("| ").append(c.name()).append(" | ").append(c.config());
            for (boolean sync : new boolean[] {false, true}) {
                for (int b : BATCHES) {
                    md.append(" | ").append(medRange(cells.get(c.name() + "|" + sync + "|" + b), 0, "%,.0f"));
                }
            }
            md.append(" |\n");
        }
        md.append("\nRecords written per cell (median): ");
        for (Candidate c : stores) {
            md.append(c.name()).append(' ');
            for (boolean sync : new boolean[] {false, true}) {
                for (int b : BATCHES) {
                    md.append(String.format("%,.0f", median(cells.get(c.name() + "|" + sync + "|" + b), 1))).append(' ');
                }
            }
            md.append("; ");
        }
        md.append("\n\n## 2. Reopen + full scan of ").append(String.format("%,d", scanN))
                .append(" records (median of ").append(reps).append(", min–max, ms)\n\n");
        md.append("Filled with distinct keys in batches of 256 without sync, closed; then open, iterate everything ")
                .append("(keys and values copied into byte[] and summed), close. Size: apparent bytes / allocated ")
                .append("(du) after the fill's close, and after the scans.\n\n");
        md.append("| store | fill (once, s) | open | scan | open + scan | size after fill (apparent / du) | after reopens |\n|---|---:|---:|---:|---:|---:|---:|\n");
        for (Candidate c : stores) {
            List<double[]> l = scans.get(c.name());
            long[] sz = sizes.get(c.name());
            md.append("| ").append(c.name()).append(" | ").append(String.format("%.1f", fillS.get(c.name()))).append(" | ")
                    .append(medRange(l, 0, "%,.0f")).append(" | ")
                    .append(medRange(l, 1, "%,.0f")).append(" | ").append(medRange(l, 2, "%,.0f")).append(" | ")
                    .append(mb(sz[0])).append(" / ").append(mb(sz[1])).append(" | ").append(mb(sz[2])).append(" / ")
                    .append(mb(sz[3])).append(" |\n");
        }
        md.append("\n## 3. Integrity\n\n100,000 distinct records written (batches of 256, no sync), scanned (count and ")
                .append("byte sum), store closed cleanly. Then either 16 bytes in the middle of the largest file are ")
                .append("inverted, or its last 100 bytes are cut off; reopen and scan everything (in a child JVM). ")
                .append("*silent* = the store opened and scanned without any error but returned other data. ")
                .append("Last row per store: a child JVM writes batches of 16 without sync and prints each commit; ")
                .append("it gets SIGKILL; a fresh JVM reopens and counts (ok = every acknowledged record there).\n\n");
        md.append("| store | damage | file | outcome |\n|---|---|---|---|\n");
        integrity.forEach((k, v) -> {
            String[] kv = k.split("\\|");
            String[] fv = v.split("\t", 2);
            String damage = switch (kv[1]) {
                case "flip" -> "16 bytes inverted mid-file";
                case "flip-flushed" -> "16 bytes inverted mid-file, after a flush (memtable → SST)";
                case "truncate" -> "last 100 bytes cut";
                default -> "kill -9 while writing batches of 16 without sync (2.5 s after start)";
            };
            md.append("| ").append(kv[0]).append(" | ").append(damage)
                    .append(" | ").append(fv[0]).append(" | ").append(fv.length > 1 ? fv[1] : "").append(" |\n");
        });
        md.append("\n## 4. Jars\n\n| store | artifact | jars (with transitive) | total | native code |\n|---|---|---|---:|---|\n");
        for (Candidate c : CANDIDATES) {
            if (!names.contains(c.name())) {
                continue;
            }
            long total = 0;
            List<String> jars = new ArrayList<>();
            int natives = 0;
            for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
                Path p = Paths.get(e);
                String fn = p.getFileName().toString();
                if (!fn.endsWith(".jar") || c.jarPrefixes().stream().noneMatch(fn::startsWith)) {
                    continue;
                }
                long sz = Files.size(p);
                total += sz;
                jars.add(fn + " " + mb(sz));
                natives += countNatives(p);
            }
            md.append("| ").append(c.name()).append(" | ").append(c.artifact()).append(" | ").append(String.join(", ", jars))
                    .append(" | ").append(mb(total)).append(" | ")
                    .append(natives > 0 ? "yes: " + natives + " bundled native libraries (.so/.dll/.jnilib), one per platform" : "no (pure Java)")
                    .append(" |\n");
        }
        String report = md.toString();
        System.out.print(report);
        if (opt.containsKey("out")) {
            Path out = Paths.get(opt.get("out"));
            if (out.getParent() != null) {
                Files.createDirectories(out.getParent());
            }
            Files.writeString(out, report);
            log("wrote " + out);
        }
    }

    // ---- helpers -----------------------------------------------------------------------------

    static Candidate candidate(String name) {
        return CANDIDATES.stream().filter(c -> c.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown store " + name));
    }

    static double median(List<double[]> l, int i) {
        double[] v = l.stream().mapToDouble(a -> a[i]).sorted().toArray();
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    static String medRange(List<double[]> l, int i, String fmt) {
        if (l == null || l.isEmpty()) {
            return "—";
        }
        double min = l.stream().mapToDouble(a -> a[i]).min().orElse(0);
        double max = l.stream().mapToDouble(a -> a[i]).max().orElse(0);
        return String.format(fmt, median(l, i)) + " (" + String.format(fmt, min) + "–" + String.format(fmt, max) + ")";
    }

    static String mb(long bytes) {
        return String.format("%.1f MB", bytes / 1e6);
    }

    static int countNatives(Path jar) throws IOException {
        int n = 0;
        try (ZipFile z = new ZipFile(jar.toFile())) {
            for (var en = z.entries(); en.hasMoreElements(); ) {
                ZipEntry e = en.nextElement();
                String s = e.getName();
                if (!e.isDirectory() && (s.endsWith(".so") || s.endsWith(".dll") || s.endsWith(".jnilib") || s.endsWith(".dylib")
                        || s.contains("/native/") && s.endsWith(".a"))) {
                    n++;
                }
            }
        }
        return n;
    }

    static Path largestFile(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).max(Comparator.comparingLong(p -> p.toFile().length())).orElseThrow();
        }
    }

    static long apparentSize(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        }
    }

    static long duBytes(Path dir) {
        String out = sh("du", "-sk", dir.toString()).trim();
        try {
            return Long.parseLong(out.split("\\s+")[0]) * 1024;
        } catch (RuntimeException e) {
            return -1;
        }
    }

    static String sh(String... cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String s = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor();
            return s;
        } catch (IOException | InterruptedException e) {
            return "(" + String.join(" ", cmd) + ": " + e + ")\n";
        }
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    static void log(String s) {
        System.err.println("stores: " + s);
    }

    private StoreChoice() {}
}
