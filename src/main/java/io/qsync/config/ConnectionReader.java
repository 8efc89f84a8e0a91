package io.qsync.config;

import static io.qsync.config.YamlReader.or;
import static java.util.Objects.requireNonNull;

import io.qsync.config.ConfigRules.ConnectionTypes;
import io.qsync.config.YamlReader.Fields;
import java.util.List;
import java.util.Optional;
import org.yaml.snakeyaml.nodes.Node;

/**
 * Reads one named connection: its {@code type} chooses the reader of its other keys. Not
 * thread-safe: it reads one file.
 */
final class ConnectionReader {
  static final List<String> TYPES = List.of("duckdb", "mysql", "bigquery");
  static final ConfigKey<String> TYPE =
      ConfigKey.required(
          "type",
          YamlReader.choice(TYPES),
          or(TYPES),
          "bigquery or duckdb (a source), or mysql (a target)");

  private final YamlReader reader;
  private final DuckDbConnectionReader duckDb;
  private final MySqlConnectionReader mySql;
  private final BigQueryConnectionReader bigQuery;

  ConnectionReader(YamlReader reader, ConfigRules rules) {
    this.reader = requireNonNull(reader, "reader is null");
    this.duckDb = new DuckDbConnectionReader(reader);
    this.mySql = new MySqlConnectionReader(reader, rules);
    this.bigQuery = new BigQueryConnectionReader(reader);
  }

  /** The connection {@code name}; its type (empty when invalid) goes into {@code types}. */
  Optional<ConnectionConfig> read(String name, Node node, String path, ConnectionTypes types) {
    int before = reader.problemCount();
    types.byName().put(name, Optional.empty());
    Optional<Fields> fields =
        reader.fields(node, path, "a map with type: duckdb, type: mysql or type: bigquery");
    Optional<String> type = fields.flatMap(block -> reader.read(block, TYPE));
    if (type.isEmpty()) {
      return Optional.empty();
    }
    types.byName().put(name, type);
    Optional<ConnectionConfig> connection =
        switch (type.get()) {
          case "bigquery" -> bigQuery.read(name, fields.get());
          case "duckdb" -> duckDb.read(name, fields.get());
          default -> mySql.read(name, fields.get());
        };
    return reader.problemCount() > before ? Optional.empty() : connection;
  }
}
