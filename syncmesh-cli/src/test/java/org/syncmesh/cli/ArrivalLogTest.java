package org.syncmesh.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.syncmesh.Bytes;

class ArrivalLogTest {

  @Test
  void take_givesEveryArrivalInOrder_pastTheFirstCapacity_thenStartsAfresh() {
    ArrivalLog log = new ArrivalLog();
    for (int i = 0; i < 1_000; i++) {
      log.add(key("k" + i), 10_000L + i);
    }

    List<ArrivalLog.Arrival> taken = log.take();
    log.add(key("later"), 5);

    assertThat(taken).hasSize(1_000);
    for (int i = 0; i < 1_000; i++) {
      assertThat(taken.get(i)).isEqualTo(new ArrivalLog.Arrival("k" + i, 10_000L + i));
    }
    assertThat(log.take()).containsExactly(new ArrivalLog.Arrival("later", 5));
    assertThat(log.take()).isEmpty();
  }

  private static Bytes key(String text) {
    return Bytes.utf8(text);
  }
}
