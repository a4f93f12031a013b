package org.syncmesh;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * A subnet and transport, which together with the protocol version name a network (docs/protocol-0.7.md §3.2). Nodes
 * whose {@link #id()} differs refuse each other at the handshake.
 *
 * <p>The sync socket appends its leasing digit to the subnet before making a Protocol ("sync" becomes "sync1");
 * that is done by the sync layer, not here.
 *
 * <p>Immutable and thread-safe; components are never null.
 *
 * @param subnet    any text, possibly empty; hashed as UTF-8
 * @param transport {@link #PLAINTEXT} or {@link #SSL}
 */
public record Protocol(String subnet, String transport) {
  /** The protocol version hashed into every id: major.minor of 0.7. */
  public static final String VERSION = "0.7";
  /** Plain TCP, the default of both reference libraries. */
  public static final String PLAINTEXT = "Plaintext";
  /** TLS over TCP with the same framing inside. */
  public static final String SSL = "SSL";

  private static final List<String> TRANSPORTS = List.of(PLAINTEXT, SSL);

  /**
   * Validates the components.
   *
   * @throws NullPointerException     if either is null
   * @throws IllegalArgumentException if {@code transport} is not one of {@code "Plaintext"}, {@code "SSL"}
   */
  public Protocol {
    Checks.notNull(subnet, "subnet");
    Checks.notNull(transport, "transport");
    Checks.argument(TRANSPORTS.contains(transport), "transport", "\"" + transport + "\"", "one of " + TRANSPORTS);
  }

  /**
   * The protocol id: {@code base58(SHA-256(UTF8(subnet + transport + "0.7")))} with the digest read as an
   * unsigned integer (§3.1–§3.2), e.g. {@code EpAmyZWv9rZUKmjQgU3FTUD4GrJHvVEXizmghVBc8eGD} for
   * ("mesh", "Plaintext"). Computed on each call (about a microsecond); callers on hot paths keep the result.
   */
  public String id() {
    return Ids.base58Digest("SHA-256", (subnet + transport + VERSION).getBytes(StandardCharsets.UTF_8));
  }
}
