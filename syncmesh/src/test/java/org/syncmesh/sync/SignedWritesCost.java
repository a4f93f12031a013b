package org.syncmesh.sync;

import org.syncmesh.Bytes;
import org.syncmesh.Hlc;
import org.syncmesh.NodeIdentity;
import org.syncmesh.Version;

/**
 * A micro-measure, not a test: the cost per write of signing (on the writer's thread) and of
 * checking (on a verifier) a signed store, for a small and a 1 KiB value, one thread. Run with
 * {@code java -cp target/classes:target/test-classes:<deps> org.syncmesh.sync.SignedWritesCost}.
 */
final class SignedWritesCost {

  public static void main(String[] args) {
    NodeIdentity key = NodeIdentity.generate();
    SignedWrites s = new SignedWrites(key, "ANBM6pF8DhyLoKw2PEj8wwg9WbmxbYvmZt4d9ca3nJ7B", id -> false);
    for (Object value : new Object[] {"v", "x".repeat(1024)}) {
      int n = 20_000;
      Bytes k = Bytes.utf8("some/key/42");
      long t = Hlc.of(1_700_000_000_123L, 0);
      Version v = new Version(t, key.id());
      Resolution.Tenure tenure = new Resolution.Tenure(1, v);
      Store.Entry e = new Store.Entry(value, v, 1_700_000_000L, v, null, 1, v, false);
      SignedWrites.Signed signed = s.sign(k, value, v, 1_700_000_000L, tenure);
      for (int round = 0; round < 3; round++) { // the last round counts; the first ones warm up
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
          signed = s.sign(k, value, v, 1_700_000_000L, tenure);
        }
        long t1 = System.nanoTime();
        for (int i = 0; i < n; i++) {
          if (s.refusal(k, e, signed) != null) {
            throw new AssertionError();
          }
        }
        long t2 = System.nanoTime();
        if (round == 2) {
          System.out.printf("value %d B: sign %.1f us/write (%.0f/s), verify %.1f us/write (%.0f/s)%n",
              value.toString().length(), (t1 - t0) / 1e3 / n, n * 1e9 / (t1 - t0), (t2 - t1) / 1e3 / n,
              n * 1e9 / (t2 - t1));
        }
      }
    }
  }
}
