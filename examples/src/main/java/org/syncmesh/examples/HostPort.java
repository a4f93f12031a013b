package org.syncmesh.examples;

/**
 * A {@code HOST:PORT} command-line argument, such as {@code --connect 127.0.0.1:4444}. Immutable.
 *
 * @param host a host name or address, never empty
 * @param port 1–65535
 */
record HostPort(String host, int port) {

  /**
   * Parses {@code HOST:PORT}; the last colon separates them, so {@code ::1:4444} is IPv6's loopback.
   *
   * @throws IllegalArgumentException naming {@code option} and the value if it is not HOST:PORT
   */
  static HostPort parse(String value, String option) {
    int colon = value.lastIndexOf(':');
    if (colon <= 0) {
      throw new IllegalArgumentException(option + " wants HOST:PORT, got " + value);
    }
    return new HostPort(value.substring(0, colon), port(value.substring(colon + 1), 1, option + "'s port"));
  }

  /**
   * Parses a port number from {@code min} (0 for "any free port") to 65535.
   *
   * @throws IllegalArgumentException naming {@code what} and the value if it is not one
   */
  static int port(String value, int min, String what) {
    int port;
    try {
      port = Integer.parseInt(value);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(what + " wants a number from " + min + " to 65535, got " + value);
    }
    if (port < min || port > 65_535) {
      throw new IllegalArgumentException(what + " wants a number from " + min + " to 65535, got " + value);
    }
    return port;
  }

  @Override
  public String toString() {
    return host + ":" + port;
  }
}
