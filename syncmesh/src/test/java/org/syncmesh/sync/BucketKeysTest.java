package org.syncmesh.sync;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.syncmesh.Bytes;
import org.syncmesh.testing.Seeded;

/** The keys of each digest bucket, as one walk of the store finds them: what rows are read from. */
final class BucketKeysTest {

  @Test
  void aSnapshot_holdsEveryKeyOnce_inTheBucketItsHashNames() {
    long seed = Seeded.seed();
    SplittableRandom random = new SplittableRandom(seed);
    Map<Bytes, Object> store = new LinkedHashMap<>();
    int keys = 20_000 + random.nextInt(20_000); // buckets well past their first arrays
    for (int i = 0; i < keys; i++) {
      store.put(Bytes.utf8("key-" + random.nextLong()), i);
    }
    BucketKeys snapshot = BucketKeys.of(store.entrySet());
    List<Bytes> seen = new ArrayList<>();
    List<String> misplaced = new ArrayList<>();
    for (int b = 0; b < DigestTree.BUCKETS; b++) {
      int bucket = b;
      snapshot.forEach(b, k -> {
        if (DigestTree.bucket(DigestTree.keyHash(k)) != bucket) {
          misplaced.add(k.utf8() + " in bucket " + bucket);
        }
        seen.add(k);
      });
    }
    assertThat(misplaced).as("seed %d", seed).isEmpty();
    assertThat(seen).as("seed %d", seed).hasSize(store.size());
    assertThat(new HashSet<>(seen)).as("seed %d", seed).isEqualTo(store.keySet());
  }

  @Test
  void anEmptyStore_hasNoKeysInAnyBucket() {
    BucketKeys snapshot = BucketKeys.of(Map.<Bytes, Object>of().entrySet());
    List<Bytes> seen = new ArrayList<>();
    for (int b = 0; b < DigestTree.BUCKETS; b++) {
      snapshot.forEach(b, seen::add);
    }
    assertThat(seen).isEmpty();
  }
}
