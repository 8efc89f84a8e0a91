package io.qsync.config;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * A whole config file, validated: every sync names connections that exist and have the right role.
 * Immutable; maps keep the file's order.
 *
 * @param file the file it was read from
 * @param stageDir the folder for per-run stage files, resolved against the file's folder
 * @param serve how {@code qsync serve} listens and runs syncs
 */
public record QsyncConfig(
    Path file,
    Path stageDir,
    Map<String, ConnectionConfig> connections,
    Map<String, SyncConfig> syncs,
    ServeConfig serve) {
  public QsyncConfig {
    requireNonNull(file, "file is null");
    requireNonNull(stageDir, "stageDir is null");
    connections = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(connections));
    syncs = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(syncs));
    requireNonNull(serve, "serve is null");
  }

  /** A config without a {@code serve:} block. */
  public QsyncConfig(
      Path file,
      Path stageDir,
      Map<String, ConnectionConfig> connections,
      Map<String, SyncConfig> syncs) {
    this(file, stageDir, connections, syncs, ServeConfig.DEFAULT);
  }

  public Optional<SyncConfig> sync(String name) {
    return Optional.ofNullable(syncs.get(name));
  }

  public ConnectionConfig connection(String name) {
    ConnectionConfig connection = connections.get(name);
    if (connection == null) {
      throw new IllegalArgumentException("no connection named " + name);
    }
    return connection;
  }
}
