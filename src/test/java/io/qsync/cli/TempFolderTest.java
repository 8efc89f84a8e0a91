package io.qsync.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TempFolderTest {
  @TempDir Path system;

  @Test
  void claimsAFolderOfThisProcessAndRemovesOnlyThoseOfProcessesThatAreGone() throws Exception {
    Path base = Files.createDirectories(system.resolve("qsync-ann"));
    Path dead = Files.createDirectories(base.resolve("999999999"));
    Files.writeString(dead.resolve("libduckdb_java1.so"), "57 MB once");
    long living = ProcessHandle.current().parent().orElseThrow().pid();
    Path alive = Files.createDirectories(base.resolve(Long.toString(living)));
    Path reused = Files.createDirectories(base.resolve("1"));
    Files.setLastModifiedTime(reused, FileTime.from(Instant.parse("1971-01-01T00:00:00Z")));
    Path notOurs = Files.createDirectories(base.resolve("notes"));

    Path own = TempFolder.claim(system, "ann", ProcessHandle.current()).orElseThrow();

    assertThat(own)
        .isEqualTo(base.resolve(Long.toString(ProcessHandle.current().pid())))
        .isDirectory();
    assertThat(dead).as("its process is gone").doesNotExist();
    assertThat(reused).as("pid 1 now belongs to a process younger than the folder").doesNotExist();
    assertThat(alive).as("its process runs").isDirectory();
    assertThat(notOurs).isDirectory();

    TempFolder.deleteTree(own);
    assertThat(own).doesNotExist();
  }

  @Test
  void aFolderNamePlantedAsALinkIsNotUsed() throws Exception {
    Path elsewhere = Files.createDirectories(system.resolve("elsewhere"));
    Files.createSymbolicLink(system.resolve("qsync-ann"), elsewhere);

    assertThat(TempFolder.claim(system, "ann", ProcessHandle.current())).isEmpty();
    assertThat(elsewhere).isEmptyDirectory();
  }
}
