package org.syncmesh.testing;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.function.Supplier;

/**
 * Random values for property tests, drawn from one seeded {@link SplittableRandom} so that a try replays exactly
 * (see {@link Seeded}). Every draw leans towards edge cases about one time in four: the bounds of a range, empty and
 * maximal sizes, the limits of each integer width, signed zeros, NaN and the infinities, and the code points where
 * UTF-8 and UTF-16 change length. Uniform draws alone almost never hit those.
 *
 * <p>Not thread-safe: one per try.
 */
public final class Gen {
  /** The limits of the 8, 16, 32 and 64-bit widths, signed and unsigned, with their neighbours. */
  private static final long[] LONG_EDGES = longEdges();
  private static final float[] FLOAT_EDGES = {0f, -0f, 1f, -1f, Float.NaN, Float.POSITIVE_INFINITY,
      Float.NEGATIVE_INFINITY, Float.MIN_VALUE, -Float.MIN_VALUE, Float.MIN_NORMAL, Float.MAX_VALUE, -Float.MAX_VALUE};
  private static final double[] DOUBLE_EDGES = {0d, -0d, 1d, -1d, Double.NaN, Double.POSITIVE_INFINITY,
      Double.NEGATIVE_INFINITY, Double.MIN_VALUE, -Double.MIN_VALUE, Double.MIN_NORMAL, Double.MAX_VALUE,
      -Double.MAX_VALUE};
  /** Where UTF-8 grows a byte (0x80, 0x800, 0x10000), the surrogate gap, and the ends of Unicode. */
  private static final int[] CODE_POINT_EDGES = {0, 0x7f, 0x80, 0x7ff, 0x800, 0xd7ff, 0xe000, 0xfffd, 0xffff,
      0x10000, 0x10ffff};
  private static final byte[] BYTE_EDGES = {0, 1, -1, 0x7f, (byte) 0x80};

  private final SplittableRandom random;

  Gen(long seed) {
    this.random = new SplittableRandom(seed);
  }

  /** True about one time in {@code n}. */
  public boolean oneIn(int n) {
    return random.nextInt(n) == 0;
  }

  /** A fair coin. */
  public boolean bool() {
    return random.nextBoolean();
  }

  /** One of {@code values}, uniformly. */
  @SafeVarargs
  public final <T> T pick(T... values) {
    return values[random.nextInt(values.length)];
  }

  /** The value of one of {@code options}, chosen uniformly. */
  @SafeVarargs
  public final <T> T oneOf(Supplier<? extends T>... options) {
    return options[random.nextInt(options.length)].get();
  }

  /** An int in {@code [min, max]}; leans to the bounds and to {@code edges} that lie inside them. */
  public int intBetween(int min, int max, int... edges) {
    return (int) longBetween(min, max, Arrays.stream(edges).asLongStream().toArray());
  }

  /** A long in {@code [min, max]}; leans to the bounds, to 0, ±1 and to {@code edges}, when inside them. */
  public long longBetween(long min, long max, long... edges) {
    if (oneIn(4)) {
      long[] candidates = {min, max, 0, 1, -1};
      long e = oneIn(2) || edges.length == 0 ? candidates[random.nextInt(5)] : edges[random.nextInt(edges.length)];
      if (e >= min && e <= max) {
        return e;
      }
    }
    if (max == Long.MAX_VALUE) { // max + 1 would overflow
      return min == Long.MIN_VALUE ? random.nextLong() : random.nextLong(min - 1, max) + 1;
    }
    return random.nextLong(min, max + 1);
  }

  /** Any long: often a limit of an integer width, otherwise of a random bit length, so every width occurs. */
  public long anyLong() {
    if (oneIn(4)) {
      return LONG_EDGES[random.nextInt(LONG_EDGES.length)];
    }
    int bits = random.nextInt(65);
    long magnitude = bits == 0 ? 0 : random.nextLong() >>> (64 - bits);
    return bool() ? magnitude : ~magnitude;
  }

  /** A BigInteger in {@code [min, max]}; leans to the bounds. */
  public BigInteger bigIntegerBetween(BigInteger min, BigInteger max) {
    BigInteger span = max.subtract(min);
    if (oneIn(4)) {
      return bool() ? min : max;
    }
    BigInteger r;
    do {
      r = new BigInteger(span.bitLength(), new Random(random.nextLong()));
    } while (r.compareTo(span) > 0);
    return min.add(r);
  }

  /** Any float: special values, every bit pattern (NaN payloads too), and ordinary decimal magnitudes. */
  public float anyFloat() {
    if (oneIn(4)) {
      return FLOAT_EDGES[random.nextInt(FLOAT_EDGES.length)];
    }
    return bool() ? Float.intBitsToFloat(random.nextInt()) : (float) ordinary();
  }

  /** Any double, as {@link #anyFloat()}. */
  public double anyDouble() {
    if (oneIn(4)) {
      return DOUBLE_EDGES[random.nextInt(DOUBLE_EDGES.length)];
    }
    return bool() ? Double.longBitsToDouble(random.nextLong()) : ordinary();
  }

  private double ordinary() {
    return (random.nextDouble() - 0.5) * Math.pow(10, random.nextInt(-6, 10));
  }

  /** A size in {@code [min, max]} that leans to small sizes, to both bounds and to {@code edges}. */
  public int size(int min, int max, int... edges) {
    return oneIn(2) ? intBetween(min, Math.min(max, min + 32)) : intBetween(min, max, edges);
  }

  /** Bytes of a {@link #size} in {@code [min, max]}: random, or one repeated edge byte. */
  public byte[] bytes(int min, int max, int... sizeEdges) {
    byte[] out = new byte[size(min, max, sizeEdges)];
    if (oneIn(8)) {
      Arrays.fill(out, BYTE_EDGES[random.nextInt(BYTE_EDGES.length)]);
    } else {
      random.nextBytes(out);
    }
    return out;
  }

  /** Text of up to {@code maxCodePoints}: ASCII, the BMP without surrogates, astral planes, and edge code points. */
  public String text(int maxCodePoints) {
    int n = size(0, maxCodePoints);
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < n; i++) {
      sb.appendCodePoint(switch (random.nextInt(5)) {
        case 0 -> random.nextInt(0x20, 0x7f);
        case 1 -> random.nextInt(0, 0xd800);
        case 2 -> random.nextInt(0xe000, 0x10000);
        case 3 -> random.nextInt(0x10000, 0x110000); // a surrogate pair in Java
        default -> CODE_POINT_EDGES[random.nextInt(CODE_POINT_EDGES.length)];
      });
    }
    return sb.toString();
  }

  /** A string of {@link #size} in {@code [min, max]} made of characters of {@code alphabet}. */
  public String chars(String alphabet, int min, int max, int... sizeEdges) {
    char[] out = new char[size(min, max, sizeEdges)];
    for (int i = 0; i < out.length; i++) {
      out[i] = alphabet.charAt(random.nextInt(alphabet.length()));
    }
    return new String(out);
  }

  /** A list of up to {@code maxSize} elements. */
  public <T> List<T> listOf(int maxSize, Supplier<? extends T> element) {
    int n = size(0, maxSize);
    List<T> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(element.get());
    }
    return out;
  }

  /**
   * {@code valid} with one to three small corruptions, never equal to it: a flipped bit, a changed, inserted or
   * deleted byte, or the tail cut off. Such inputs reach deeper into a decoder than random bytes do.
   */
  public byte[] mutate(byte[] valid) {
    byte[] b;
    do {
      b = valid.clone();
      for (int k = intBetween(1, 3); k > 0; k--) {
        int at = b.length == 0 ? 0 : random.nextInt(b.length);
        switch (b.length == 0 ? 2 : random.nextInt(5)) {
          case 0 -> b[at] ^= (byte) (1 << random.nextInt(8));
          case 1 -> b[at] ^= (byte) random.nextInt(1, 256);
          case 2 -> b = splice(b, at, at, (byte) random.nextInt(256));
          case 3 -> b = splice(b, at, at + 1);
          default -> b = Arrays.copyOf(b, at);
        }
      }
    } while (Arrays.equals(b, valid)); // two changes can undo each other
    return b;
  }

  /** {@code b} with {@code b[from, to)} replaced by {@code insert}. */
  private static byte[] splice(byte[] b, int from, int to, byte... insert) {
    byte[] out = new byte[b.length - (to - from) + insert.length];
    System.arraycopy(b, 0, out, 0, from);
    System.arraycopy(insert, 0, out, from, insert.length);
    System.arraycopy(b, to, out, from + insert.length, b.length - to);
    return out;
  }

  private static long[] longEdges() {
    List<Long> edges = new ArrayList<>(List.of(0L, 1L, -1L));
    for (int bits : new int[] {8, 16, 32}) {
      long signedMax = (1L << (bits - 1)) - 1;
      long unsignedMax = (1L << bits) - 1;
      for (long e : new long[] {signedMax, -signedMax - 1, unsignedMax}) {
        edges.addAll(List.of(e - 1, e, e + 1));
      }
    }
    edges.addAll(List.of(Long.MAX_VALUE, Long.MAX_VALUE - 1, Long.MIN_VALUE, Long.MIN_VALUE + 1));
    return edges.stream().mapToLong(Long::longValue).toArray();
  }
}
