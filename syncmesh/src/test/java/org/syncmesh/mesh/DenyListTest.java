package org.syncmesh.mesh;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The deny list file's format and its re-reading. */
final class DenyListTest {

  @TempDir Path dir;

  @Test
  void parsesIdsIgnoringCommentsAndBlankLines() {
    assertThat(DenyList.parse("# header\n\n  abc  \r\ndef # why\n#ghi\n   \n")).isEqualTo(Set.of("abc", "def"));
  }

  @Test
  void refreshReportsAChangeOnlyWhenTheIdsChange() throws Exception {
    Path file = dir.resolve("deny");
    Files.writeString(file, "a\n");
    DenyList list = new DenyList(file);
    assertThat(list.isDenied("a")).isTrue();
    assertThat(list.refresh()).isFalse();

    Files.writeString(file, "a\nb\n");
    Files.setLastModifiedTime(file, FileTime.from(Instant.now().plusSeconds(10)));
    assertThat(list.refresh()).isTrue();
    assertThat(list.isDenied("b")).isTrue();

    Files.writeString(file, "b\na\n# same ids\n");
    Files.setLastModifiedTime(file, FileTime.from(Instant.now().plusSeconds(20)));
    assertThat(list.refresh()).isFalse();

    Files.delete(file);
    assertThat(list.refresh()).isFalse();
    assertThat(list.ids()).as("an unreadable file keeps what was read").containsExactlyInAnyOrder("a", "b");
  }
}
