package org.syncmesh.sync;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.syncmesh.Bytes;

/** The keys of each digest bucket: what anti-entropy reads instead of scanning the store. */
final class BucketKeysTest {

  private static final int BUCKETS = 8;

  private static Bytes key(int i) {
    return Bytes.utf8("k" + i);
  }

  private static List<Bytes> read(BucketKeys index, int bucket) {
    List<Bytes> keys = new ArrayList<>();
    index.forEach(bucket, keys::add);
    return keys;
  }

  @Test
  void seededAddsAndRemoves_leaveExactlyTheKeysHeld() {
    long seed = new SplittableRandom().nextLong();
    SplittableRandom random = new SplittableRandom(seed);
    BucketKeys index = new BucketKeys(BUCKETS);
    Map<Integer, Set<Bytes>> model = new HashMap<>();
    for (int b = 0; b < BUCKETS; b++) {
      model.put(b, new HashSet<>());
    }
    // grow the buckets well past their first arrays, then empty most of them (their arrays shrink)
    for (int step = 0; step < 40_000; step++) {
      int i = random.nextInt(3_000);
      int b = i % BUCKETS;
      boolean emptying = step >= 20_000;
      Set<Bytes> held = model.get(b);
      if (held.contains(key(i))) {
        if (emptying || random.nextInt(3) == 0) {
          assertThat(index.remove(b, key(i))).as("seed %d", seed).isTrue();
          held.remove(key(i));
        }
      } else if (!emptying || random.nextInt(8) == 0) {
        index.add(b, key(i));
        held.add(key(i));
      }
      if (step % 5_000 == 0 || step == 39_999) {
        for (int c = 0; c < BUCKETS; c++) {
          assertThat(read(index, c)).as("seed %d, step %d, bucket %d", seed, step, c)
              .doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(model.get(c));
        }
      }
    }
    assertThat(index.remove(0, Bytes.utf8("never added"))).isFalse();
  }

  @Test
  void aReaderRacingTheWriter_meetsOnlyKeysThatWereAdded_andAllOnceItStops() throws Exception {
    long seed = new SplittableRandom().nextLong();
    BucketKeys index = new BucketKeys(1);
    AtomicBoolean writing = new AtomicBoolean(true);
    AtomicReference<Throwable> failure = new AtomicReference<>();
    CountDownLatch readerStarted = new CountDownLatch(1);
    Thread reader = new Thread(() -> {
      readerStarted.countDown();
      try {
        while (writing.get()) {
          index.forEach(0, k -> {
            String s = k.utf8();
            if (!s.startsWith("k") || Integer.parseInt(s.substring(1)) >= 2_000) {
              throw new AssertionError("a key never added: " + s);
            }
          });
        }
      } catch (Throwable t) {
        failure.set(t);
      }
    }, "bucket-keys-reader");
    reader.start();
    assertThat(readerStarted.await(10, TimeUnit.SECONDS)).isTrue();
    SplittableRandom random = new SplittableRandom(seed);
    Set<Bytes> held = new HashSet<>();
    try {
      for (int step = 0; step < 200_000; step++) {
        Bytes k = key(random.nextInt(2_000));
        if (held.remove(k)) {
          index.remove(0, k);
        } else {
          held.add(k);
          index.add(0, k);
        }
      }
    } finally {
      writing.set(false);
      reader.join(TimeUnit.SECONDS.toMillis(10));
    }
    assertThat(reader.isAlive()).isFalse();
    assertThat(failure.get()).as("seed %d", seed).isNull();
    assertThat(read(index, 0)).as("seed %d", seed).containsExactlyInAnyOrderElementsOf(held);
  }
}
