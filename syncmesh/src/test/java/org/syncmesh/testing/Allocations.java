package org.syncmesh.testing;

import java.lang.management.ManagementFactory;

/**
 * The bytes the current thread has allocated so far, from HotSpot's per-thread counter: for checking that hostile
 * input costs a bounded amount of memory, which an OutOfMemoryError-free run under a large heap does not show.
 */
public final class Allocations {
  private static final com.sun.management.ThreadMXBean THREADS =
      (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

  private Allocations() {}

  /** Bytes allocated by the current thread since it started; only differences are meaningful. */
  public static long ofCurrentThread() {
    return THREADS.getCurrentThreadAllocatedBytes();
  }
}
