package org.syncmesh.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The node page's static files, served from the jar ({@code org/syncmesh/cli/web/}): read once at
 * start, each with its content type and an ETag (a hash of its bytes), so a browser revalidates
 * with {@code If-None-Match} and gets 304 while the jar is the same. The files carry no version in
 * their names, so each answer says {@code Cache-Control: no-cache}: a browser keeps a copy but asks
 * every time, and a new jar's page is never mixed with an old script.
 *
 * <p>Immutable and thread-safe.
 */
final class WebResources {

  /** The folder of the page's files among the jar's resources. */
  static final String FOLDER = "/org/syncmesh/cli/web/";

  /** The files served, by request path; {@code /} is the page. */
  private static final Map<String, String> FILES = Map.of(
      "/", "index.html",
      "/index.html", "index.html",
      "/app.js", "app.js",
      "/style.css", "style.css",
      "/favicon.svg", "favicon.svg");

  /** One file: its bytes (never modified after loading), content type and ETag (quoted). */
  record Resource(byte[] bytes, String contentType, String etag) {}

  private final Map<String, Resource> byPath;

  private WebResources(Map<String, Resource> byPath) {
    this.byPath = byPath;
  }

  /**
   * Reads every file from the class path.
   *
   * @throws UncheckedIOException if one is missing (a broken jar)
   */
  static WebResources load() {
    Map<String, Resource> loaded = new java.util.HashMap<>();
    for (Map.Entry<String, String> e : FILES.entrySet()) {
      loaded.put(e.getKey(), read(e.getValue()));
    }
    return new WebResources(Map.copyOf(loaded));
  }

  /** The file served at {@code path}, if any. */
  Optional<Resource> get(String path) {
    return Optional.ofNullable(byPath.get(path));
  }

  /** Whether an {@code If-None-Match} header value names {@code resource}'s ETag (or is {@code *}). */
  static boolean notModified(@Nullable String ifNoneMatch, Resource resource) {
    if (ifNoneMatch == null) {
      return false;
    }
    for (String tag : ifNoneMatch.split(",")) {
      String t = tag.strip();
      if (t.startsWith("W/")) {
        t = t.substring(2); // a weak match is enough for GET (RFC 9110 §13.1.2)
      }
      if (t.equals("*") || t.equals(resource.etag())) {
        return true;
      }
    }
    return false;
  }

  /** {@code text/html}, {@code text/css}… by file name, UTF-8 for text. */
  static String contentType(String name) {
    String ext = name.substring(name.lastIndexOf('.') + 1);
    return switch (ext) {
      case "html" -> "text/html; charset=utf-8";
      case "css" -> "text/css; charset=utf-8";
      case "js" -> "text/javascript; charset=utf-8";
      case "svg" -> "image/svg+xml";
      default -> "application/octet-stream";
    };
  }

  private static Resource read(String name) {
    try (InputStream in = WebResources.class.getResourceAsStream(FOLDER + name)) {
      if (in == null) {
        throw new UncheckedIOException(new IOException("resource " + FOLDER + name + " is missing from the jar"));
      }
      byte[] bytes = in.readAllBytes();
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(bytes);
      return new Resource(bytes, contentType(name), "\"" + HexFormat.of().formatHex(digest, 0, 16) + "\"");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read resource " + FOLDER + name, e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java has SHA-256", e);
    }
  }
}
