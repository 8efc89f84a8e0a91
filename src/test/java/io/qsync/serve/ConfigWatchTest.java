package io.qsync.serve;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigWatchTest {
  @TempDir Path dir;

  @Test
  void aChangedContentIsAChangeOnceAndATouchIsNone() throws Exception {
    Path file = dir.resolve("qsync.yaml");
    Files.writeString(file, "syncs: {}\n");
    ConfigWatch watch = new ConfigWatch(file);
    assertThat(watch.changed()).isFalse();

    Files.setLastModifiedTime(file, FileTime.from(Instant.parse("2030-01-01T00:00:00Z")));
    assertThat(watch.changed()).as("the same content, touched").isFalse();

    Files.writeString(file, "syncs: {a: {}}\n");
    assertThat(watch.changed()).isTrue();
    assertThat(watch.changed()).as("seen now").isFalse();
  }

  @Test
  void aFileThatGoesAndComesBackIsTwoChanges() throws Exception {
    Path file = dir.resolve("qsync.yaml");
    Files.writeString(file, "syncs: {}\n");
    ConfigWatch watch = new ConfigWatch(file);

    Files.delete(file);
    assertThat(watch.changed()).isTrue();
    assertThat(watch.changed()).isFalse();
    Files.writeString(file, "syncs: {}\n");
    assertThat(watch.changed()).isTrue();
  }
}
