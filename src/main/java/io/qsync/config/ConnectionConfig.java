package io.qsync.config;

/** A named connection from the config file: where a query runs or where a table lives. */
public sealed interface ConnectionConfig
    permits DuckDbConnectionConfig, MySqlConnectionConfig, BigQueryConnectionConfig {
  String name();

  /** The config's {@code type:} value. */
  String type();
}
