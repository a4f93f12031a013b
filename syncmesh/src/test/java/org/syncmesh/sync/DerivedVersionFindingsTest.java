package org.syncmesh.sync;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.syncmesh.Bytes;
import org.syncmesh.Hlc;
import org.syncmesh.Version;
import org.syncmesh.wire.InternalMessage;

/**
 * Two ways the 0.7 copy of a syncmesh write, reaching another syncmesh node through a js2p or
 * py2p peer, wins over the versioned copy it duplicates (docs/extension-v1.md §2.5 says it never
 * should). Both failed before the fixes in Store.stamp and Resolution.compareTenure.
 */
final class DerivedVersionFindingsTest {

  private static final String W = "Wwww";
  private static final String X = "Xxxx";
  private static final String JS2P = "Jjjj";
  private static final Bytes K = Bytes.utf8("k");

  /**
   * Leasing on: the 0.7 copy of a claiming write arrives first and claims the key at its derived
   * version, which is earlier than the versioned copy's claim; "the earlier claim wins" then keeps
   * that copy against every later write of the same owner in the same epoch, silently.
   */
  @Test
  void leasing_theZeroSevenCopyOfAClaimArrivingFirst_doesNotHideTheOwnersLaterWrites() {
    StoreTest.Recorder fx = new StoreTest.Recorder();
    LocalStore x = new LocalStore(X, true, fx);
    long s = fx.now;
    Version v1 = new Version(Hlc.of(s * 1000 + 123, 0), W);
    Version v2 = new Version(Hlc.of(s * 1000 + 500, 0), W);
    // W's first write "a" claims the free key k (epoch 1, claim v1); X gets its 0.7 copy first, via a js2p peer.
    x.remoteStore(K, "a", new MetaTuple(W, s), false, false, JS2P);
    x.remote(K, versioned(W, s, "a", v1, 1, v1), W);
    // W writes again in its own tenure.
    x.remote(K, versioned(W, s, "b", v2, 1, v1), W);
    assertThat(x.entry(K).value()).isEqualTo("b");
  }

  /**
   * The Outbox stamps a 0.7 form with the next second when its id was already sent in this one
   * (set a, b, a in one second); the versioned form keeps the version's second. The 0.7 copy's
   * derived version, in the last millisecond of the later second, is then above the versioned
   * copy and above the writer's later writes in the first second.
   */
  @Test
  void theZeroSevenCopyOfAWrite_neverWinsOverItsVersionedCopy_evenWhenTheOutboxMovedItsSecond() {
    StoreTest.Recorder wfx = new StoreTest.Recorder();
    LocalStore w = new LocalStore(W, false, wfx);
    for (String value : List.of("a", "b", "a", "c")) {
      w.set(K, value);
    }
    assertThat(wfx.sent.get(2).time()).as("the Outbox moved the third 0.7 form to the next second")
        .isEqualTo(wfx.now + 1);
    StoreTest.Recorder xfx = new StoreTest.Recorder();
    LocalStore x = new LocalStore(X, false, xfx);
    for (InternalMessage m : wfx.sentExt) {
      ExtMessages.KeyState ks = ExtMessages.readWrite(m.senderId(), m.time(), m.payload());
      x.remote(ks.key(), ks.entry(), W);
    }
    for (InternalMessage m : wfx.sent) { // the 0.7 forms, relayed by a js2p peer
      x.remoteStore(K, m.payload().get(2), new MetaTuple(W, m.time()), false, false, JS2P);
    }
    assertThat(x.entry(K).version()).isEqualTo(w.entry(K).version());
    assertThat(x.entry(K).value()).isEqualTo("c");
  }

  private static Store.Entry versioned(String writer, long seconds, Object value, Version v, int epoch, Version claim) {
    InternalMessage m = ExtMessages.write(writer, seconds, org.syncmesh.wire.Flags.SUB_SM_WRITE, K, value, v.hlc(),
        epoch, claim);
    return ExtMessages.readWrite(writer, seconds, m.payload()).entry();
  }
}
