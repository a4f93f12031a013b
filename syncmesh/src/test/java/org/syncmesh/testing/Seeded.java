package org.syncmesh.testing;

import java.util.Arrays;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;

/**
 * Property tests on plain JUnit 5: runs a check on values drawn by a {@link Gen}, a given number of tries, from one
 * seed. The seed is {@code -Dsyncmesh.seed} when set, else random; every try has a seed of its own derived from it,
 * so {@code -Dsyncmesh.try=K} replays try K alone. A failure names the seed, the try and the input:
 *
 * <pre>
 * property failed on try 17 of 500 (seed -3141592653589793238)
 *   replay: mvn -B -pl syncmesh test -Dtest=WireProperties#packets_roundTrip -Dsyncmesh.seed=-3141592653589793238 -Dsyncmesh.try=17
 *   input: [...]
 *   java.lang.AssertionError: the check's own message
 * </pre>
 *
 * <pre>{@code Seeded.forAll(500, gen -> gen.bytes(0, 255), bytes -> assertThat(...));}</pre>
 *
 * <p>Surefire passes {@code -D} options of the {@code mvn} command line on to the tests.
 *
 * <p>There is no shrinking: generators lean to small sizes and edge cases instead (see {@link Gen}).
 */
public final class Seeded {
  /** System property with the run's seed, a decimal long. */
  public static final String SEED_PROPERTY = "syncmesh.seed";
  /** System property with the one try to run, from 0. */
  public static final String TRY_PROPERTY = "syncmesh.try";

  private static final int INPUT_PREVIEW_CHARS = 2000;

  private Seeded() {}

  /** A check on one generated value; any exception or error fails the property. */
  @FunctionalInterface
  public interface Check<T> {
    /** Throws if the property does not hold for {@code value}. */
    void check(T value) throws Exception;
  }

  /**
   * Runs {@code check} on {@code tries} values from {@code generator}, with the seed and try selection of the system
   * properties.
   *
   * @throws AssertionError on the first try that fails, naming seed, try and input, with the failure as its cause
   */
  public static <T> void forAll(int tries, Function<Gen, T> generator, Check<? super T> check) {
    String only = System.getProperty(TRY_PROPERTY);
    StackWalker.StackFrame caller = StackWalker.getInstance().walk(s -> s.skip(1).findFirst()).orElseThrow();
    String test = caller.getClassName().substring(caller.getClassName().lastIndexOf('.') + 1) + "#"
        + caller.getMethodName();
    run(test, givenOrRandomSeed(), only == null ? -1 : Integer.parseInt(only.trim()), tries, generator, check);
  }

  /**
   * The seed of a randomized test that is not a property (a network history, several writers):
   * {@code -Dsyncmesh.seed=N} replays a run, otherwise a fresh one. Printed at once, so that a run
   * that hangs can be replayed too; the test puts it in its failure messages.
   */
  public static long seed() {
    long seed = givenOrRandomSeed();
    System.out.println("seed " + seed + " (replay with -D" + SEED_PROPERTY + "=" + seed + ")");
    return seed;
  }

  private static long givenOrRandomSeed() {
    String seed = System.getProperty(SEED_PROPERTY);
    return seed == null || seed.isBlank() ? ThreadLocalRandom.current().nextLong() : Long.parseLong(seed.trim());
  }

  /**
   * As {@link #forAll}, with the run's seed and the one try to run (or -1 for all) given; {@code test} names the
   * test method for the replay command.
   */
  static <T> void run(String test, long seed, int onlyTry, int tries, Function<Gen, T> generator,
      Check<? super T> check) {
    int first = onlyTry < 0 ? 0 : onlyTry;
    int last = onlyTry < 0 ? tries - 1 : onlyTry;
    for (int t = first; t <= last; t++) {
      T value = generator.apply(new Gen(trySeed(seed, t)));
      try {
        check.check(value);
      } catch (Exception | Error e) { // errors too: a StackOverflowError needs its seed as much as a failed assertion
        throw new AssertionError("property failed on try " + t + " of " + tries + " (seed " + seed + ")"
            + "\n  replay: mvn -B " + moduleOption() + "test -Dtest=" + test + " -D" + SEED_PROPERTY + "=" + seed
            + " -D" + TRY_PROPERTY + "=" + t
            + "\n  input: " + describe(value) + "\n  " + e, e);
      }
    }
  }

  /** A well-mixed seed for try {@code t} (SplitMix64's finaliser), so neighbouring tries share no structure. */
  static long trySeed(long seed, int t) {
    long z = seed + (t + 1) * 0x9E3779B97F4A7C15L;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  private static String describe(Object value) {
    String s = value instanceof byte[] b ? "byte[" + b.length + "] " + Arrays.toString(b) : String.valueOf(value);
    if (s.length() <= INPUT_PREVIEW_CHARS) {
      return s;
    }
    return s.substring(0, INPUT_PREVIEW_CHARS) + "… (" + s.length() + " chars)";
  }

  /**
   * {@code -pl MODULE } for the replay command, run from the repository root: tests run in their module's folder
   * (syncmesh/ or syncmesh-cli/), whose name is the module's.
   */
  static String moduleOption() {
    java.nio.file.Path dir = java.nio.file.Path.of(System.getProperty("user.dir")).toAbsolutePath().getFileName();
    return dir == null ? "" : "-pl " + dir + " ";
  }
}
