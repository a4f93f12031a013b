package org.syncmesh.wire;

import org.syncmesh.Bytes;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
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

  @Test
  void add_saysWhetherTheIdWasNew() {
    Random random = new Random(3);
    IdSet set = new IdSet(0);
    Bytes id = id(random);
    assertThat(set.add(id)).isTrue();
    assertThat(set.add(id)).isFalse();
    assertThat(set.add(Bytes.of(new byte[32]))).isTrue();
    assertThat(set.add(Bytes.of(new byte[32]))).isFalse();
    assertThat(set.size()).isEqualTo(2);
  }

  @Test
  void nextGeneration_keepsTheIdsAddedSinceTheLastOne_andForgetsTheOlder() {
    Random random = new Random(11);
    IdSet set = new IdSet(0);
    Bytes zero = Bytes.of(new byte[32]);
    Set<Bytes> first = new HashSet<>();
    for (int i = 0; i < 5_000; i++) { // grows several times: each id keeps its generation
      Bytes id = id(random);
      set.add(id);
      first.add(id);
    }
    set.add(zero);
    set.nextGeneration();
    Set<Bytes> second = new HashSet<>();
    for (int i = 0; i < 20_000; i++) {
      Bytes id = id(random);
      set.add(id);
      second.add(id);
    }
    Bytes again = first.iterator().next();
    assertThat(set.add(again)).as("already there, in the previous generation").isFalse();
    assertThat(first).allMatch(set::contains);
    assertThat(set.contains(zero)).isTrue();
    assertThat(set.size()).isEqualTo(first.size() + second.size() + 1);

    set.nextGeneration();

    assertThat(first).noneMatch(set::contains); // `again` too: adding it again did not renew it
    assertThat(set.contains(zero)).isFalse();
    assertThat(second).allMatch(set::contains);
    assertThat(set.size()).isEqualTo(second.size());
    set.nextGeneration();
    assertThat(set.size()).isZero();
  }

  @Test
  void generations_agreeWithAModelOfTwoSets_randomized() {
    long seed = new Random().nextLong();
    Random random = new Random(seed);
    IdSet set = new IdSet(0);
    Set<Bytes> current = new HashSet<>();
    Set<Bytes> previous = new HashSet<>();
    List<Bytes> seen = new ArrayList<>();
    for (int step = 0; step < 200_000; step++) {
      int action = random.nextInt(1_000);
      if (action < 2) {
        set.nextGeneration();
        previous = current;
        current = new HashSet<>();
      } else if (action < 600 || seen.isEmpty()) {
        Bytes id = id(random);
        seen.add(id);
        boolean isNew = !current.contains(id) && !previous.contains(id);
        assertThat(set.add(id)).as("seed %d, step %d", seed, step).isEqualTo(isNew);
        if (isNew) {
          current.add(id);
        }
      } else {
        Bytes id = seen.get(random.nextInt(seen.size()));
        boolean expected = current.contains(id) || previous.contains(id);
        assertThat(set.contains(id)).as("seed %d, step %d", seed, step).isEqualTo(expected);
        if (action < 800) {
          assertThat(set.add(id)).as("seed %d, step %d", seed, step).isEqualTo(!expected);
          if (!expected) {
            current.add(id);
          }
        }
      }
      if (step % 10_000 == 0) {
        assertThat(set.size()).as("seed %d, step %d", seed, step).isEqualTo(current.size() + previous.size());
      }
    }
  }
}
