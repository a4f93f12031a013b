package org.syncmesh.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

final class AbbrevTest {

  @Test
  void shortInput_isQuotedWhole() {
    assertThat(Abbrev.quote("")).isEmpty();
    assertThat(Abbrev.quote("x".repeat(200))).isEqualTo("x".repeat(200));
  }

  @Test
  void longInput_keepsTwoHundredCharacters_andSaysHowLong() {
    assertThat(Abbrev.quote("y".repeat(201))).isEqualTo("y".repeat(200) + "… (201 characters)");
    assertThat(Abbrev.quote("z".repeat(10_000_000))).hasSize(200 + "… (10000000 characters)".length());
  }

  @Test
  void neverCutsASurrogatePairInHalf() {
    String text = "a".repeat(199) + "😀" + "b".repeat(50);
    assertThat(Abbrev.quote(text)).isEqualTo("a".repeat(199) + "… (" + text.length() + " characters)");
  }

  @Test
  void anotherLimit_forWholeMessages() {
    assertThat(Abbrev.quote("m".repeat(500), 400)).startsWith("m".repeat(400) + "…");
    assertThat(Abbrev.quote("m".repeat(400), 400)).isEqualTo("m".repeat(400));
  }
}
