package org.syncmesh.sync;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.syncmesh.Hlc;
import org.syncmesh.Version;

/** One String per writer id and one Version per recent claim, for what a node decodes and stores. */
final class SharedIdsTest {

  private static String copy(String s) {
    return new String(s.toCharArray());
  }

  @Test
  void equalIds_areOneString_andClaimsOfOneSecondOneVersion() {
    SharedIds ids = new SharedIds();
    String writer = "node-" + "a".repeat(60);
    String first = ids.writer(copy(writer));
    assertThat(ids.writer(copy(writer))).isSameAs(first).isEqualTo(writer);
    long second = Hlc.of(1_700_000_000_000L, 0);
    Version claim = ids.claim(second, copy(writer));
    assertThat(claim.writer()).isSameAs(first);
    assertThat(ids.claim(second, copy(writer))).isSameAs(claim);
    assertThat(ids.claim(new Version(second, copy(writer)))).isSameAs(claim);
    assertThat(ids.claim(0, writer)).isNull();
    assertThat(ids.claim(null)).isNull();
    assertThat(ids.claim(Hlc.of(1_700_000_001_000L, 0), writer)).isNotEqualTo(claim);
  }

  @Test
  void idsThatNameNoVersion_areNotKept() {
    // A peer's malformed ids are refused by the decoder; they must not fill the table first.
    SharedIds ids = new SharedIds();
    for (String bad : new String[] {"", "x".repeat(256), "a\uD800"}) {
      String one = copy(bad);
      assertThat(ids.writer(one)).isSameAs(one);
      String two = copy(bad);
      assertThat(ids.writer(two)).as("not shared: never kept").isSameAs(two);
    }
  }

  @Test
  void none_sharesNothing() {
    String a = copy("alice");
    String b = copy("alice");
    assertThat(SharedIds.NONE.writer(a)).isSameAs(a);
    assertThat(SharedIds.NONE.writer(b)).isSameAs(b);
    long hlc = Hlc.of(1_700_000_000_000L, 0);
    assertThat(SharedIds.NONE.claim(hlc, a)).isNotSameAs(SharedIds.NONE.claim(hlc, a))
        .isEqualTo(new Version(hlc, "alice"));
  }
}
