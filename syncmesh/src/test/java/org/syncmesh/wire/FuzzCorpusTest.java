package org.syncmesh.wire;

import org.syncmesh.Bytes;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The seed corpus of the fuzz tests: the real frames and bodies of the golden vectors
 * ({@code src/test/resources/protocol/vectors.json}), one file each, in the inputs folders Jazzer reads. This test
 * checks that the committed files are exactly those; after the vectors change, write them again with
 *
 * <pre>mvn -B -pl syncmesh test -Dtest=FuzzCorpusTest -Dsyncmesh.fuzz.writeCorpus=true</pre>
 */
final class FuzzCorpusTest {
  private static final String WRITE_PROPERTY = "syncmesh.fuzz.writeCorpus";
  private static final Path RESOURCES = Path.of("src", "test", "resources");
  private static final int MAX_NAME_CHARS = 60;

  @Test
  void seedCorpusHoldsTheGoldenVectors() throws IOException {
    Map<String, byte[]> corpus = corpus();
    assertThat(corpus).hasSizeGreaterThan(40);
    boolean write = Boolean.getBoolean(WRITE_PROPERTY);
    for (Map.Entry<String, byte[]> file : corpus.entrySet()) {
      if (write) {
        Path path = RESOURCES.resolve(file.getKey());
        Files.createDirectories(path.getParent());
        Files.write(path, file.getValue());
        continue;
      }
      try (InputStream in = FuzzCorpusTest.class.getResourceAsStream("/" + file.getKey())) {
        assertThat(in).as("%s on the test classpath (write it with -D%s=true)", file.getKey(), WRITE_PROPERTY)
            .isNotNull();
        assertThat(Bytes.of(in.readAllBytes())).as(file.getKey()).isEqualTo(Bytes.of(file.getValue()));
      }
    }
  }

  /** Resource path → content: frames, bodies, msgpack values and framed streams of the vectors. */
  private static Map<String, byte[]> corpus() {
    Map<String, byte[]> out = new LinkedHashMap<>();
    Map<Bytes, String> seenBodies = new LinkedHashMap<>();
    List<Object> frames = Vectors.list(Vectors.load().get("frames"));
    ByteArrayOutputStream allFrames = new ByteArrayOutputStream();
    for (int i = 0; i < frames.size(); i++) {
      Map<String, Object> f = Vectors.map(frames.get(i));
      String name = String.format(Locale.ROOT, "v%02d-%s", i, slug((String) f.get("name")));
      byte[] frame = Bytes.fromHex((String) f.get("frame_hex")).toByteArray();
      Bytes body = Bytes.fromHex((String) f.get("body_hex"));
      out.put("org/syncmesh/wire/FrameFuzzTestInputs/frame/" + name, frame);
      if (seenBodies.putIfAbsent(body, name) == null) { // compressed vectors repeat the canonical body
        out.put("org/syncmesh/wire/FrameFuzzTestInputs/bodyBehindValidChecksum/" + name, body.toByteArray());
        out.put("org/syncmesh/wire/MsgpackFuzzTestInputs/packets/" + name, body.toByteArray());
      }
      // FrameDecoderFuzzTest reads a chunk size (byte + 1) first: byte by byte, then assorted sizes.
      out.put("org/syncmesh/net/FrameDecoderFuzzTestInputs/stream/" + name, prefixed((byte) (i * 37), frame));
      allFrames.writeBytes(frame);
    }
    out.put("org/syncmesh/net/FrameDecoderFuzzTestInputs/stream/all-frames-in-a-row",
        prefixed((byte) 6, allFrames.toByteArray()));
    return out;
  }

  private static byte[] prefixed(byte first, byte[] rest) {
    byte[] out = new byte[1 + rest.length];
    out[0] = first;
    System.arraycopy(rest, 0, out, 1, rest.length);
    return out;
  }

  private static String slug(String name) {
    String s = name.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("^-|-$", "");
    return s.length() <= MAX_NAME_CHARS ? s : s.substring(0, MAX_NAME_CHARS).replaceAll("-$", "");
  }
}
