package io.qsync.config;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;

/**
 * One thing wrong with a config file, placed where an editor can jump to it. Immutable.
 *
 * @param file the config file, as the user named it
 * @param line 1-based line of the offending node; 0 when the problem concerns the whole file
 * @param column 1-based column of the offending node; 0 when the line is 0
 * @param keyPath where in the file, like {@code syncs.experiment_targets.batch_size}; empty for the
 *     whole file
 * @param message what is wrong, ending with what would be valid
 */
public record ConfigProblem(Path file, int line, int column, String keyPath, String message) {
  public ConfigProblem {
    requireNonNull(file, "file is null");
    requireNonNull(keyPath, "keyPath is null");
    requireNonNull(message, "message is null");
    if (line < 0 || column < 0) {
      throw new IllegalArgumentException("negative line or column: " + line + ":" + column);
    }
  }

  /** Renders {@code qsync.yaml:12:5: syncs.x.batch_size: expected ..., got "lots"}. */
  @Override
  public String toString() {
    String position = line > 0 ? ":" + line + ":" + column : "";
    String where = keyPath.isEmpty() ? "" : keyPath + ": ";
    return file + position + ": " + where + message;
  }
}
