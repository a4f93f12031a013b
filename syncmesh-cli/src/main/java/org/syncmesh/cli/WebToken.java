package org.syncmesh.cli;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.cookie.Cookie;
import io.netty.handler.codec.http.cookie.DefaultCookie;
import io.netty.handler.codec.http.cookie.ServerCookieDecoder;
import io.netty.handler.codec.http.cookie.ServerCookieEncoder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The secret that every request to a node's HTTP server must carry (docs/http.md, "Token"): in the
 * {@code Authorization: Bearer} header, in the {@value #COOKIE} cookie the page's response sets
 * (for {@code EventSource}, which cannot send headers), or, for the page itself only, in the
 * {@code ?token=} of the URL the node prints.
 *
 * <p>Comparison takes the same time whatever the guess: both sides are hashed (SHA-256) and the
 * hashes compared with {@link MessageDigest#isEqual}, so neither a prefix nor the length leaks.
 *
 * <p>Immutable and thread-safe.
 */
final class WebToken {

  /** The cookie that carries the token for the page's scripts. */
  static final String COOKIE = "syncmesh_token";

  /** Random bytes of a generated token (256 bits), written as unpadded base64url. */
  private static final int RANDOM_BYTES = 32;

  /** What a token may hold: base64 and base64url text, or anything else safe in a header, cookie and URL. */
  private static final java.util.regex.Pattern TOKEN_CHARS = java.util.regex.Pattern.compile("[A-Za-z0-9._~+/=-]{1,1024}");

  private final String token;
  private final byte[] hash;

  private WebToken(String token) {
    if (!TOKEN_CHARS.matcher(token).matches()) {
      throw new IllegalArgumentException("the HTTP token must be 1 to 1024 of the characters A-Z a-z 0-9 - . _ ~ + / = "
          + "(it goes in a header, a cookie and a URL)");
    }
    this.token = token;
    this.hash = sha256(token);
  }

  /** A token made now from {@link SecureRandom}. */
  static WebToken random() {
    byte[] bytes = new byte[RANDOM_BYTES];
    new SecureRandom().nextBytes(bytes);
    return new WebToken(Base64.getUrlEncoder().withoutPadding().encodeToString(bytes));
  }

  /**
   * {@code token} itself (tests, and a token given another way).
   *
   * @throws IllegalArgumentException if it is empty or has a character a token may not have
   */
  static WebToken of(String token) {
    return new WebToken(token);
  }

  /**
   * The trimmed content of {@code file} ({@code --http-token-file}).
   *
   * @throws UncheckedIOException naming the file if it cannot be read
   * @throws IllegalArgumentException naming the file if it holds only whitespace or a character a
   *     token may not have
   */
  static WebToken read(Path file) {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8).strip();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read --http-token-file " + file + ": " + e, e);
    }
    if (text.isEmpty()) {
      throw new IllegalArgumentException("--http-token-file " + file + " is empty: put the token in it");
    }
    try {
      return new WebToken(text);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--http-token-file " + file + ": " + e.getMessage(), e);
    }
  }

  /** The token's text, for the URL printed at start. */
  String text() {
    return token;
  }

  /**
   * Whether {@code request} carries the token: as a bearer, as the cookie, or ({@code queryAllowed})
   * as the {@code token} query parameter.
   */
  boolean admits(HttpRequest request, boolean queryAllowed) {
    boolean ok = false;
    String authorization = request.headers().get(HttpHeaderNames.AUTHORIZATION);
    if (authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
      ok = matches(authorization.substring(7).strip());
    }
    for (String header : request.headers().getAll(HttpHeaderNames.COOKIE)) {
      for (Cookie cookie : ServerCookieDecoder.LAX.decodeAll(header)) {
        ok |= cookie.name().equals(COOKIE) && matches(cookie.value());
      }
    }
    if (queryAllowed) {
      List<String> given = new QueryStringDecoder(request.uri()).parameters().get("token");
      ok |= given != null && given.size() == 1 && matches(given.get(0));
    }
    return ok;
  }

  /** Whether {@code guess} is the token, in time independent of where they differ. */
  boolean matches(@Nullable String guess) {
    return guess != null && MessageDigest.isEqual(hash, sha256(guess));
  }

  /**
   * The {@code Set-Cookie} value that hands the token to the page's scripts: HttpOnly, so no
   * script can read it, and SameSite=Strict, so no other site's page can make the browser send it.
   */
  String setCookie() {
    DefaultCookie cookie = new DefaultCookie(COOKIE, token);
    cookie.setHttpOnly(true);
    cookie.setPath("/");
    cookie.setSameSite(io.netty.handler.codec.http.cookie.CookieHeaderNames.SameSite.Strict);
    return ServerCookieEncoder.STRICT.encode(cookie);
  }

  private static byte[] sha256(String text) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java has SHA-256", e);
    }
  }

  @Override
  public String toString() {
    return "WebToken[hidden]"; // never the secret, in a log or an assertion message
  }
}
