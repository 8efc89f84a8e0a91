package io.qsync.resume;

import io.qsync.config.ConnectionConfig;
import io.qsync.config.QsyncConfig;
import io.qsync.config.SyncConfig;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.UnaryOperator;

/** A test's config changed in its one sync, with connections added or replaced by name. */
final class EditedConfig {
  private EditedConfig() {}

  static QsyncConfig of(
      QsyncConfig base, UnaryOperator<SyncConfig> change, ConnectionConfig... connections) {
    SyncConfig sync = change.apply(base.syncs().values().iterator().next());
    Map<String, ConnectionConfig> all = new LinkedHashMap<>(base.connections());
    for (ConnectionConfig connection : connections) {
      all.put(connection.name(), connection);
    }
    return new QsyncConfig(base.file(), base.stageDir(), all, Map.of(sync.name(), sync));
  }
}
