package io.qsync.serve;

import static java.util.Objects.requireNonNull;

import io.qsync.Sha256;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Tells whether the config file's content changed since it was last looked at, by its hash (a
 * touched file with the same content is no change; a file replaced by an editor is). Thread-safe.
 */
public final class ConfigWatch {
  private final Path file;
  private String seen;

  /** Watches {@code file}, its content now counting as seen. */
  public ConfigWatch(Path file) {
    this.file = requireNonNull(file, "file is null");
    this.seen = hash();
  }

  /** Whether the content differs from the last look; either way, it now counts as seen. */
  public synchronized boolean changed() {
    String now = hash();
    boolean changed = !now.equals(seen);
    seen = now;
    return changed;
  }

  private String hash() {
    try {
      return Sha256.hex(Files.readString(file));
    } catch (IOException | RuntimeException e) {
      return "unreadable: " + e.getClass().getName();
    }
  }
}
