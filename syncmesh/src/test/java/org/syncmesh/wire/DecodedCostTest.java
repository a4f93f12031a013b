package org.syncmesh.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A peer cannot make this node decode a message into more memory than {@link DecodedCost#MAX_BYTES}
 * (one input byte can stand for a whole container), and this node never encodes what its peers
 * would refuse for that reason.
 */
final class DecodedCostTest {

  /** {0: 0}, three bytes of msgpack. */
  private static final byte[] SMALL_MAP = {(byte) 0x81, 0, 0};
  /** What one {0: 0} costs: the reference to it, the map, and its key and value. */
  private static final long SMALL_MAP_COST = DecodedCost.NUMBER + DecodedCost.map(1) + 2 * DecodedCost.NUMBER;

  /** An array32 of {@code n} copies of {0: 0}. */
  private static byte[] arrayOf(int n) {
    return DecodeAllocationTest.arrayOf(n, SMALL_MAP);
  }

  /** The most {0: 0}s one array may hold, the array's own cost taken into account. */
  private static int smallMapsPerMessage() {
    long n = DecodedCost.MAX_BYTES / SMALL_MAP_COST;
    while (DecodedCost.NUMBER + DecodedCost.array((int) n) + n * SMALL_MAP_COST > DecodedCost.MAX_BYTES) {
      n--;
    }
    return (int) n;
  }

  @Test
  void aMillionSmallMaps_threeMegabytesOfInput_areRefusedByBothDecoders() {
    byte[] bomb = arrayOf(1_000_000);
    assertThatThrownBy(() -> Packets.decode(bomb)).isInstanceOf(MalformedMsgpackException.class)
        .hasMessageContaining("bytes of memory (estimated), over the limit of " + DecodedCost.MAX_BYTES);
    assertThatThrownBy(() -> Packets.unpack(org.msgpack.core.MessagePack.newDefaultUnpacker(bomb), bomb.length))
        .isInstanceOf(MalformedMsgpackException.class).hasMessageContaining("bytes of memory");
  }

  @Test
  void justUnderTheLimit_decodesWithBothDecoders_andOneMoreDoesNot() {
    int n = smallMapsPerMessage();
    byte[] fits = arrayOf(n);
    assertThat((List<?>) Packets.decode(fits)).hasSize(n);
    assertThat((List<?>) Packets.unpack(org.msgpack.core.MessagePack.newDefaultUnpacker(fits), fits.length)).hasSize(n);
    byte[] over = arrayOf(n + 1);
    assertThatThrownBy(() -> Packets.decode(over)).isInstanceOf(MalformedMsgpackException.class);
  }

  @Test
  void theEncoder_refusesWhatPeersWouldRefuse_andAcceptsWhatTheyAccept() {
    List<Object> tooMany = Collections.nCopies(1_000_000, Map.of(0, 0));
    assertThatThrownBy(() -> Packets.requireEncodable(List.of(tooMany))).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("bytes of memory").hasMessageContaining("peers would refuse it");
    List<Object> fits = Collections.nCopies(smallMapsPerMessage() - 16, Map.of(0, 0));
    Packets.requireEncodable(fits);
  }
}
