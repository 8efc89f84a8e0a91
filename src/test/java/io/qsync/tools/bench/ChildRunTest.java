package io.qsync.tools.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChildRunTest {
  @TempDir Path dir;

  @Test
  void mapsTheClassDataArchiveTheLauncherMadeForTheJar() throws IOException {
    Path jar = Files.writeString(dir.resolve("qsync.jar"), "jar");
    Path archive = Files.writeString(dir.resolve("qsync.jsa"), "archive");
    Files.setLastModifiedTime(jar, FileTime.from(Instant.parse("2026-12-05T10:00:00Z")));
    Files.setLastModifiedTime(archive, FileTime.from(Instant.parse("2026-12-05T10:00:01Z")));

    assertThat(ChildRun.classDataArchive(jar.toString()))
        .containsExactly("-XX:SharedArchiveFile=" + archive);
  }

  @Test
  void startsWithoutAnArchiveOlderThanTheJarOrMissingOrForAClassPathOfMany() throws IOException {
    Path jar = Files.writeString(dir.resolve("qsync.jar"), "jar");
    assertThat(ChildRun.classDataArchive(jar.toString())).as("no archive").isEmpty();

    Path archive = Files.writeString(dir.resolve("qsync.jsa"), "archive");
    Files.setLastModifiedTime(archive, FileTime.from(Instant.parse("2026-12-05T10:00:00Z")));
    Files.setLastModifiedTime(jar, FileTime.from(Instant.parse("2026-12-05T10:00:01Z")));
    assertThat(ChildRun.classDataArchive(jar.toString()))
        .as("archive older than the jar")
        .isEmpty();

    Files.setLastModifiedTime(jar, FileTime.from(Instant.parse("2026-12-05T09:00:00Z")));
    assertThat(ChildRun.classDataArchive(jar + File.pathSeparator + dir.resolve("classes")))
        .as("a class path of more than the jar")
        .isEmpty();
    assertThat(ChildRun.classDataArchive(dir.resolve("classes").toString()))
        .as("classes, no jar")
        .isEmpty();
  }
}
