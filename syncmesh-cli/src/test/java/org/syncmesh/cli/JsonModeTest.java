package org.syncmesh.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.InstanceOfAssertFactories.MAP;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.syncmesh.testing.Json;
import picocli.CommandLine;

/** {@code syncmesh node --json} on in-memory standard input and output, one node on an ephemeral port of 127.0.0.1. */
@Timeout(30)
final class JsonModeTest {

  /** Runs a node on {@code input} to its end; the replies after the start line. */
  private static List<String> run(byte[] input) {
    NodeCommand command = new NodeCommand();
    new CommandLine(command).parseArgs("--host", "127.0.0.1", "--port", "0", "--json");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int status = JsonMode.run(command.options(), new ByteArrayInputStream(input),
        new PrintStream(out, true, StandardCharsets.UTF_8), s -> { });
    String text = out.toString(StandardCharsets.UTF_8);
    assertThat(status).as(text).isZero();
    List<String> lines = new ArrayList<>(List.of(text.split("\n", -1)));
    assertThat(lines.remove(lines.size() - 1)).isEmpty(); // every line ends in \n
    assertThat(Json.parseWithJavaNulls(lines.remove(0))).asInstanceOf(MAP).containsEntry("ok", true);
    return lines;
  }

  private static byte[] bytes(Object... parts) {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    for (Object p : parts) {
      b.writeBytes(p instanceof String s ? s.getBytes(StandardCharsets.UTF_8) : (byte[]) p);
    }
    return b.toByteArray();
  }

  @Test
  void invalidUtf8_failsItsLine_andStoresNothing() {
    List<String> replies = run(bytes(
        "set k \"caf", new byte[] {(byte) 0xe9}, "\"\n", // Latin-1 é
        "set ", new byte[] {(byte) 0xed, (byte) 0xa0, (byte) 0x80}, " 1\n", // an encoded surrogate (CESU-8)
        "set v [1,\"", new byte[] {(byte) 0xf0, (byte) 0x9f, (byte) 0x98}, "\"]\n", // a truncated 4-byte sequence
        "keys\n",
        "set k \"café \uD83D\uDE00 \uDBFF\uDFFF\"\n", // valid: é, 😀 and U+10FFFF, whose low half is the mark's char
        "get k\n",
        "quit\n"));
    assertThat(replies).containsExactly(
        "{\"ok\":false,\"error\":\"the line is not valid UTF-8: a malformed byte sequence at offset 10\"}",
        "{\"ok\":false,\"error\":\"the line is not valid UTF-8: a malformed byte sequence at offset 4\"}",
        "{\"ok\":false,\"error\":\"the line is not valid UTF-8: a malformed byte sequence at offset 10\"}",
        "{\"ok\":true,\"result\":[]}",
        "{\"ok\":true,\"result\":null}",
        "{\"ok\":true,\"result\":\"café \uD83D\uDE00 \uDBFF\uDFFF\"}",
        "{\"ok\":true,\"result\":null}");
  }

  @Test
  void malformedJson_andLoneSurrogateEscapes_areErrorLines_andTheNodeGoesOn() {
    List<String> replies = run(bytes(
        "set k " + "[".repeat(600) + "\n",
        "set k {\"a\":1,\"a\":2}\n",
        "set \"\\udc00\" 1\n",
        "set k 1e999\n",
        "count\n"));
    assertThat(replies).hasSize(5);
    assertThat(replies.subList(0, 4))
        .allSatisfy(r -> assertThat(Json.parseWithJavaNulls(r)).asInstanceOf(MAP).containsEntry("ok", false));
    assertThat(replies.get(0)).contains("nested deeper than 512 levels at offset 512");
    assertThat(replies.get(1)).contains("duplicate key \\\"a\\\" at offset 7");
    assertThat(replies.get(2)).contains("unpaired surrogate \\\\udc00 at offset 0");
    assertThat(replies.get(3)).contains("too large for a float64");
    assertThat(replies.get(4)).isEqualTo("{\"ok\":true,\"result\":0}");
  }

  @Test
  void malformedAt_findsOnlyUnpairedMarks() {
    assertThat(JsonMode.malformedAt("plain")).isEqualTo(-1);
    assertThat(JsonMode.malformedAt("\uDBFF\uDFFF")).isEqualTo(-1);
    assertThat(JsonMode.malformedAt("\uDFFF")).isZero();
    assertThat(JsonMode.malformedAt("a\uDBFF\uDFFF\uDFFF")).isEqualTo(3);
  }
}
