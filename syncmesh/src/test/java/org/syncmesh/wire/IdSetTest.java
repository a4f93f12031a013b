package org.syncmesh.wire;

import org.syncmesh.Bytes;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

final class IdSetTest {

  private static Bytes id(Random random) {
    byte[] b = new byte[32];
    random.nextBytes(b);
    return Bytes.of(b);
  }

  @Test
  void agreesWithAHashSetOfPrefixes_throughSeveralGrowths() {
    Random random = new Random(42);
    IdSet set = new IdSet(0);
    Set<Bytes> added = new HashSet<>();
    for (int i = 0; i < 50_000; i++) {
      Bytes id = id(random);
      set.add(id);
      added.add(id);
    }
    set.add(added.iterator().next()); // again: no effect
    assertThat(set.size()).isEqualTo(added.size());
    for (Bytes id : added) {
      assertThat(set.contains(id)).isTrue();
    }
    for (int i = 0; i < 50_000; i++) {
      assertThat(set.contains(id(random))).isFalse();
    }
  }

  @Test
  void onlyTheFirst16BytesCount_andTheAllZeroPrefixIsAnId() {
    IdSet set = new IdSet(4);
    byte[] zero = new byte[32];
    assertThat(set.contains(Bytes.of(zero))).isFalse();
    set.add(Bytes.of(zero));
    byte[] sameStart = zero.clone();
    sameStart[31] = 7;
    assertThat(set.contains(Bytes.of(sameStart))).isTrue();
    byte[] differs = zero.clone();
    differs[15] = 1;
    assertThat(set.contains(Bytes.of(differs))).isFalse();
    assertThat(set.size()).isEqualTo(1);
  }

  @Test
  void cleared_isEmptyAndUsableAgain() {
    Random random = new Random(7);
    IdSet set = new IdSet(0);
    Bytes kept = id(random);
    for (int i = 0; i < 10_000; i++) {
      set.add(id(random));
    }
    set.add(kept);
    assertThat(set.cleared(10).size()).isZero();
    assertThat(set.contains(kept)).isFalse();
    set.add(kept);
    assertThat(set.contains(kept)).isTrue();
    assertThat(set.size()).isEqualTo(1);
  }
}
