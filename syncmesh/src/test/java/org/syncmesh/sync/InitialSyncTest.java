package org.syncmesh.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import org.junit.jupiter.api.Test;
import org.syncmesh.Bytes;

/** The payloads of an initial sync are made as they are sent, from the store as it is then. */
final class InitialSyncTest {

  private static final String ME = "Mmmm";

  private final StoreTest.Recorder effects = new StoreTest.Recorder();
  private final LocalStore store = new LocalStore(ME, false, effects);

  private static List<List<?>> drain(InitialSync sync) {
    List<List<?>> out = new ArrayList<>();
    while (sync.hasNext()) {
      out.add(sync.next());
    }
    return out;
  }

  @Test
  void everyKeyGoesOutAsBinWithItsOwnerAndTimestamp() {
    store.set(Bytes.utf8("a"), "x");
    assertThat(drain(new InitialSync(store.store(), false, "peer")))
        .containsExactly(List.of(11, Bytes.utf8("a"), "x", ME, effects.now));
  }

  @Test
  void aKeyChangedOrDeletedAfterTheSyncBegan_goesOutAsItIsWhenItsTurnComes() {
    for (int i = 0; i < 100; i++) {
      store.set(Bytes.utf8("k" + i), i);
    }
    InitialSync sync = new InitialSync(store.store(), false, "peer");
    List<List<?>> sent = new ArrayList<>();
    sent.add(sync.next());
    effects.now++;
    for (int i = 0; i < 100; i++) {
      Bytes key = Bytes.utf8("k" + i);
      if (!sent.get(0).get(1).equals(key)) {
        if (i % 2 == 0) {
          store.set(key, null);
        } else {
          store.set(key, "changed");
        }
      }
    }
    sent.addAll(drain(sync));

    long first = (Long) sent.get(0).get(2); // sent before the changes; of the other 99 keys, the odd ones remain
    int oddOthers = first % 2 == 1 ? 49 : 50;
    assertThat(sent).hasSize(1 + oddOthers);
    for (List<?> payload : sent.subList(1, sent.size())) {
      assertThat(payload.get(2)).as("value of %s", ((Bytes) payload.get(1)).utf8()).isEqualTo("changed");
      assertThat(payload.get(4)).isEqualTo(effects.now);
    }
  }

  @Test
  void keysThatWouldCrashJs2pAreSkippedForJs2pOnly() {
    store.set(Bytes.utf8("constructor"), 1);
    store.set(Bytes.utf8("fine"), 2);
    assertThat(drain(new InitialSync(store.store(), true, "peer"))).extracting(p -> (Object) p.get(1))
        .containsExactly(Bytes.utf8("fine"));
    assertThat(drain(new InitialSync(store.store(), false, "peer"))).hasSize(2);
  }

  @Test
  void nextPastTheEnd_throws() {
    InitialSync sync = new InitialSync(store.store(), false, "peer");
    assertThat(sync.hasNext()).isFalse();
    assertThatThrownBy(sync::next).isInstanceOf(NoSuchElementException.class);
  }
}
