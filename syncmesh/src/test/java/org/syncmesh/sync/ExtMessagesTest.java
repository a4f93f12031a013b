package org.syncmesh.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.syncmesh.wire.Flags;
import org.syncmesh.wire.MessageShapeException;

/** Shapes the parsers of extension v1 refuse (docs/extension-v1.md §3, §5) beyond what the fuzz corpus shows. */
final class ExtMessagesTest {

  @Test
  void anAntiEntropyKindIsReadWhole_notCutToAnInt() {
    long treeAfterACut = (1L << 32) + ExtMessages.TREE;
    List<Object> p = Arrays.asList(Flags.SUB_SM_SYNC, treeAfterACut, 1L, 0L, 0L, 0L, 0L, null, null);
    assertThatThrownBy(() -> ExtMessages.readSync(p)).isInstanceOf(MessageShapeException.class)
        .hasMessageContaining("unknown anti-entropy kind " + treeAfterACut);
  }

  @Test
  void aVersionedWriteHasItsOwnSubFlag() {
    List<Object> p = Arrays.asList((long) Flags.SUB_SM_SYNC, "k", "v", 1L, 0L, 0L);
    assertThatThrownBy(() -> ExtMessages.readWrite("alice", 0, p)).isInstanceOf(MessageShapeException.class)
        .hasMessageContaining("sub-flag");
  }

  @Test
  void aVersionedWriteIsSentAtItsVersionsSecond() {
    long hlc = org.syncmesh.Hlc.of(1_700_000_000_123L, 0);
    List<Object> p = Arrays.asList((long) Flags.SUB_SM_WRITE, "k", "v", hlc, 0L, 0L);
    assertThat(ExtMessages.readWrite("alice", 1_700_000_000L, p).entry().timestamp()).isEqualTo(1_700_000_000L);
    for (long other : new long[] {1_700_000_001L, 1_699_999_999L, -3}) {
      assertThatThrownBy(() -> ExtMessages.readWrite("alice", other, p)).isInstanceOf(MessageShapeException.class)
          .hasMessageContaining("version's second");
    }
  }

  @Test
  void aWriterThatNamesNoVersionIsAShapeError() {
    List<Object> p = Arrays.asList((long) Flags.SUB_SM_WRITE, "k", "v", 1L, 0L, 0L);
    assertThatThrownBy(() -> ExtMessages.readWrite("", 0, p)).isInstanceOf(MessageShapeException.class)
        .hasMessageContaining("writer");
  }
}
