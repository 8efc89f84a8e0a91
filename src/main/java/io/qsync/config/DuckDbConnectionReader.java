package io.qsync.config;

import static java.util.Objects.requireNonNull;

import io.qsync.config.YamlReader.Fields;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** Reads a connection of {@code type: duckdb}. Not thread-safe: it reads one file. */
final class DuckDbConnectionReader {
  static final ConfigKey<Path> PATH =
      ConfigKey.optional(
          "path",
          YamlReader::folderPath,
          "a database file path",
          "in-memory",
          "the DuckDB file, relative to the config file");
  static final ConfigKey<List<String>> SETUP =
      ConfigKey.optional(
          "setup", YamlReader::strings, "a SQL statement", "none", "SQL run after opening");
  static final ConfigSection SECTION =
      ConfigSection.of("connections.NAME.", "duckdb", List.of(ConnectionReader.TYPE, PATH, SETUP));

  private final YamlReader reader;

  DuckDbConnectionReader(YamlReader reader) {
    this.reader = requireNonNull(reader, "reader is null");
  }

  Optional<ConnectionConfig> read(String name, Fields fields) {
    int before = reader.problemCount();
    reader.rejectUnknownKeys(fields, SECTION.names());
    Optional<Path> database = reader.read(fields, PATH);
    Optional<List<String>> setup = reader.read(fields, SETUP, List.of());
    // ":memory:" is DuckDB's own name for "no file", the same as leaving path out
    Optional<Path> databaseFile = database.filter(resolved -> !resolved.endsWith(":memory:"));
    return reader.problemCount() > before
        ? Optional.empty()
        : Optional.of(new DuckDbConnectionConfig(name, databaseFile, setup.get()));
  }
}
