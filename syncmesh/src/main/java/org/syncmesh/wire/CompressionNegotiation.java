package org.syncmesh.wire;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;
import org.syncmesh.Compression;

/**
 * The compression choices of docs/protocol-0.7.md §11: what to advertise, what to send with, and what to try on receive.
 *
 * <p>Stateless and thread-safe. Peer-advertised lists come straight from decoded msgpack, so they may hold any
 * values; anything that is not an integer naming a known method is ignored, the syncmesh extension marker
 * ({@link ExtensionOffer}) included: every marker is above 2^30, far from any method's id.
 */
public final class CompressionNegotiation {
  /**
   * Our preference and advertisement order of every method: snappy first because it is the cheapest for Java↔Java
   * links; js2p and py2p without their optional snappy module then get zlib, the method both of them prefer after
   * snappy.
   */
  public static final List<Compression> ALL_METHODS =
      List.of(Compression.SNAPPY, Compression.ZLIB, Compression.GZIP, Compression.BZ2, Compression.LZMA);

  /**
   * The default: {@link #ALL_METHODS} whose library this process has ({@link Compressors#isAvailable}), so a node
   * never offers, and so never accepts, a method it cannot decode. zlib and gzip are always there.
   */
  public static final List<Compression> DEFAULT_PREFERENCE = preference(Compressors::isAvailable);

  private CompressionNegotiation() {}

  /** {@link #ALL_METHODS} in order, keeping those {@code available} accepts. */
  public static List<Compression> preference(Predicate<Compression> available) {
    Checks.notNull(available, "available");
    List<Compression> kept = new ArrayList<>(ALL_METHODS.size());
    for (Compression c : ALL_METHODS) {
      if (available.test(c)) {
        kept.add(c);
      }
    }
    return List.copyOf(kept);
  }

  /**
   * The method to send with: the first of {@code ourPreference} that the peer advertised, or empty to send
   * uncompressed. Elements of {@code peerAdvertisedIds} that are not integers are ignored.
   */
  public static Optional<Compression> choose(List<Compression> ourPreference, List<?> peerAdvertisedIds) {
    Checks.notNull(ourPreference, "ourPreference");
    EnumSet<Compression> advertised = known(peerAdvertisedIds);
    for (Compression c : ourPreference) {
      if (advertised.contains(c)) {
        return Optional.of(c);
      }
    }
    return Optional.empty();
  }

  /**
   * The methods to try, in order, on a frame from a peer: the peer's advertised list order intersected with
   * {@code ourSupported}, unknown ids and duplicates dropped.
   */
  public static List<Compression> decodeOrder(List<?> peerAdvertisedIds, Collection<Compression> ourSupported) {
    Checks.notNull(peerAdvertisedIds, "peerAdvertisedIds");
    Checks.notNull(ourSupported, "ourSupported");
    List<Compression> order = new ArrayList<>(peerAdvertisedIds.size());
    for (Object id : peerAdvertisedIds) {
      Compression c = toCompression(id);
      if (c != null && ourSupported.contains(c) && !order.contains(c)) {
        order.add(c);
      }
    }
    return List.copyOf(order);
  }

  /** The wire ids of {@code methods}, in order, as the list that goes into a handshake or renegotiate message. */
  public static List<Long> ids(List<Compression> methods) {
    Checks.notNull(methods, "methods");
    List<Long> ids = new ArrayList<>(methods.size());
    for (Compression c : methods) {
      ids.add((long) Checks.notNull(c, "methods[" + ids.size() + "]").id());
    }
    return List.copyOf(ids);
  }

  private static EnumSet<Compression> known(List<?> peerAdvertisedIds) {
    Checks.notNull(peerAdvertisedIds, "peerAdvertisedIds");
    EnumSet<Compression> set = EnumSet.noneOf(Compression.class);
    for (Object id : peerAdvertisedIds) {
      Compression c = toCompression(id);
      if (c != null) {
        set.add(c);
      }
    }
    return set;
  }

  private static @Nullable Compression toCompression(@Nullable Object id) {
    if (id instanceof Long || id instanceof Integer || id instanceof Short || id instanceof Byte) {
      return Compression.fromId(((Number) id).longValue()).orElse(null);
    }
    if (id instanceof BigInteger) {
      return null; // beyond 2^63: no method has such an id
    }
    if (id instanceof Compression c) {
      return c;
    }
    return null;
  }
}
