package io.qsync.config;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * An embedded DuckDB warehouse: a database file opened read-only, or (no path) an in-memory
 * database prepared by {@code setup} statements.
 *
 * @param path the database file, resolved against the config file's folder; empty for in-memory
 * @param setup SQL statements run once after opening, in order
 */
public record DuckDbConnectionConfig(String name, Optional<Path> path, List<String> setup)
    implements ConnectionConfig {
  public DuckDbConnectionConfig {
    requireNonNull(name, "name is null");
    requireNonNull(path, "path is null");
    setup = List.copyOf(requireNonNull(setup, "setup is null"));
  }

  @Override
  public String type() {
    return "duckdb";
  }
}
