package org.syncmesh.mesh;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.HashSet;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node ids a node refuses, read from a file: one id per line, {@code #} starts a comment,
 * blank lines are ignored. {@link #refresh()} reads the file again when its modification time or
 * size changed; a file that cannot be read is logged and the ids read before stay in force.
 *
 * <p>Thread-safe: {@link #isDenied} reads a published immutable set without locking, and
 * refreshes are serialised.
 */
final class DenyList {

  private static final Logger log = LoggerFactory.getLogger(DenyList.class);

  private final Path file;
  private volatile Set<String> denied;
  private long modifiedMillis = Long.MIN_VALUE;
  private long size = -1;

  /** Reads {@code file} now; an unreadable file denies nobody until it can be read. */
  DenyList(Path file) {
    this.file = file;
    this.denied = Set.of();
    refresh();
  }

  /** Whether {@code id} is listed, as of the last read. */
  boolean isDenied(String id) {
    return denied.contains(id);
  }

  /** The listed ids, as of the last read. */
  Set<String> ids() {
    return denied;
  }

  /** Reads the file again if it changed; true if the set of ids changed. */
  synchronized boolean refresh() {
    try {
      BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
      long m = a.lastModifiedTime().toMillis();
      if (m == modifiedMillis && a.size() == size) {
        return false;
      }
      Set<String> ids = parse(Files.readString(file));
      modifiedMillis = m;
      size = a.size();
      if (ids.equals(denied)) {
        return false;
      }
      log.info("deny list {}: {} node id(s) refused", file, ids.size());
      denied = Set.copyOf(ids);
      return true;
    } catch (IOException | RuntimeException e) {
      log.warn("cannot read the deny list {} ({}); keeping the {} id(s) read before", file, e.toString(), denied.size());
      return false;
    }
  }

  static Set<String> parse(String text) {
    Set<String> ids = new HashSet<>();
    for (String line : text.split("\\R")) {
      int hash = line.indexOf('#');
      String id = (hash >= 0 ? line.substring(0, hash) : line).strip();
      if (!id.isEmpty()) {
        ids.add(id);
      }
    }
    return ids;
  }

  @Override
  public String toString() {
    return "deny list " + file;
  }
}
