package org.syncmesh.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** {@link Seeded} replays what it reports, and {@link Gen} reaches its edge cases. */
final class SeededTest {
  private static final long SEED = 20261126L;

  @Test
  void runsEveryTryOnce() {
    List<Long> seen = new ArrayList<>();
    Seeded.run("T#m", SEED, -1, 37, Gen::anyLong, seen::add);
    assertThat(seen).hasSize(37);
  }

  @Test
  void aFailureNamesTheSeedTheTryAndTheInput_andThatTryReplaysAlone() {
    List<byte[]> inputs = new ArrayList<>();
    Throwable failure = catchThrowable(() -> Seeded.run("SeededTest#x", SEED, -1, 1000,
        gen -> gen.bytes(0, 64), bytes -> {
          inputs.add(bytes);
          assertThat(bytes.length).isLessThan(60);
        }));
    int failedTry = inputs.size() - 1;
    byte[] failedInput = inputs.get(failedTry);

    assertThat(failure).isInstanceOf(AssertionError.class)
        .hasMessageContaining("on try " + failedTry + " of 1000 (seed " + SEED + ")")
        .hasMessageContaining(
            "mvn -B -pl syncmesh test -Dtest=SeededTest#x -Dsyncmesh.seed=" + SEED + " -Dsyncmesh.try=" + failedTry)
        .hasMessageContaining("byte[" + failedInput.length + "]")
        .hasCauseInstanceOf(AssertionError.class);

    List<byte[]> replayed = new ArrayList<>();
    catchThrowable(() -> Seeded.run("SeededTest#x", SEED, failedTry, 1000, gen -> gen.bytes(0, 64), replayed::add));
    assertThat(replayed).hasSize(1);
    assertThat(replayed.get(0)).isEqualTo(failedInput);
  }

  @Test
  void theSameSeedDrawsTheSameValues_anotherSeedOthers() {
    assertThat(draw(SEED)).isEqualTo(draw(SEED)).isNotEqualTo(draw(SEED + 1));
  }

  @Test
  void exceptionsFailThePropertyToo() {
    Throwable failure = catchThrowable(() -> Seeded.run("T#m", SEED, -1, 5, Gen::bool, b -> {
      throw new java.io.IOException("boom");
    }));
    assertThat(failure).isInstanceOf(AssertionError.class).hasMessageContaining("on try 0 of 5")
        .hasMessageContaining("java.io.IOException: boom");
  }

  @Test
  void edgeCasesAppearWithinAFewThousandDraws() {
    Set<Object> longs = new HashSet<>();
    Set<Integer> sizes = new HashSet<>();
    Set<Float> floats = new HashSet<>();
    Set<Integer> codePoints = new HashSet<>();
    Seeded.run("T#m", SEED, -1, 2000, gen -> gen, gen -> {
      longs.add(gen.anyLong());
      sizes.add(gen.bytes(0, 70000, 65535, 65536).length);
      floats.add(gen.anyFloat());
      gen.text(24).codePoints().forEach(codePoints::add);
    });
    assertThat(longs).contains(0L, -1L, Long.MIN_VALUE, Long.MAX_VALUE, (long) Integer.MIN_VALUE, 0xffffffffL, 256L);
    assertThat(sizes).contains(0, 1, 65535, 65536, 70000);
    assertThat(floats).contains(Float.NaN, -0f, Float.NEGATIVE_INFINITY, Float.MAX_VALUE);
    assertThat(codePoints).contains(0, 0x80, 0x800, 0xffff, 0x10000, 0x10ffff)
        .allSatisfy(cp -> assertThat(Character.isSurrogate((char) (int) cp) && cp <= 0xffff).isFalse());
  }

  @Test
  void mutateChangesItsInputAndKeepsTheOriginal() {
    byte[] valid = {1, 2, 3, 4, 5, 6, 7, 8};
    Seeded.run("T#m", SEED, -1, 200, gen -> gen.mutate(valid), mutated -> assertThat(mutated).isNotEqualTo(valid));
    Seeded.run("T#m", SEED, -1, 20, gen -> gen.mutate(new byte[0]), mutated -> assertThat(mutated).isNotEmpty());
    assertThat(valid).containsExactly(1, 2, 3, 4, 5, 6, 7, 8);
  }

  private static List<Object> draw(long seed) {
    List<Object> out = new ArrayList<>();
    Seeded.run("T#m", seed, -1, 20, gen -> List.of(gen.anyLong(), gen.anyDouble(), gen.text(10),
        java.util.Arrays.toString(gen.bytes(0, 50))), out::add);
    return out;
  }
}
