package io.qsync.config;

import static io.qsync.config.YamlReader.or;
import static io.qsync.config.YamlReader.suggestion;
import static java.util.Objects.requireNonNull;

import io.qsync.config.YamlReader.Fields;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.nodes.Node;

/**
 * The rules that tie two or more keys together, each reporting its problems where the file should
 * change: a key that excludes another, a connection that must have the type its role needs, a batch
 * size within the throttle's bounds, two syncs that may not share a table. The section readers read
 * single keys and call these at the point their values are known.
 *
 * <p>Not thread-safe: it reports into one file's {@link YamlReader}.
 */
final class ConfigRules {
  private final YamlReader reader;

  ConfigRules(YamlReader reader) {
    this.reader = requireNonNull(reader, "reader is null");
  }

  /** The connections' names and types, as far as the file tells them (empty: invalid type). */
  record ConnectionTypes(Map<String, Optional<String>> byName) {
    ConnectionTypes {
      requireNonNull(byName, "byName is null");
    }

    ConnectionTypes() {
      this(new LinkedHashMap<>());
    }

    /** The names of the connections whose type is one of {@code types}. */
    List<String> namesOf(List<String> types) {
      return byName.entrySet().stream()
          .filter(entry -> entry.getValue().filter(types::contains).isPresent())
          .map(Map.Entry::getKey)
          .toList();
    }
  }

  // ---- connections ----

  /** A password and a password file exclude each other. */
  void passwordOrPasswordFile(Fields fields, Optional<String> passwordFromFile) {
    if (passwordFromFile.isPresent() && fields.has("password")) {
      reader.problem(
          fields.valueOrMap("password_file"),
          fields.pathOf("password_file"),
          "both password and password_file are set; keep one");
    }
  }

  /** {@code tls} and the driver's own {@code sslMode} property exclude each other. */
  void tlsOrSslMode(Fields fields, Optional<Map<String, String>> properties) {
    if (fields.has("tls")
        && properties.isPresent()
        && properties.get().keySet().stream().anyMatch(name -> name.equalsIgnoreCase("sslMode"))) {
      reader.problem(
          fields.valueOrMap("tls"),
          fields.pathOf("tls"),
          "both tls and properties.sslMode are set; keep tls");
    }
  }

  /** A CA file is for TLS: not with {@code tls: disabled}. */
  void caFileNeedsTls(Fields fields, TlsConfig.Mode mode, Optional<Path> caFile) {
    if (mode == TlsConfig.Mode.DISABLED && caFile.isPresent()) {
      reader.problem(
          fields.valueOrMap("tls"),
          fields.pathOf("tls"),
          "tls is disabled but ca_file" + " is set; use tls: verify-full (or remove ca_file)");
    }
  }

  // ---- syncs ----

  /**
   * A sync's {@code role} ({@code source}, {@code target}) must name a connection that exists and
   * has one of {@code types}; empty after a problem. Without usable connections ({@code
   * connections} empty) there is nothing to check against.
   */
  Optional<String> connectionOfRole(
      Fields fields,
      String role,
      String name,
      List<String> types,
      Optional<ConnectionTypes> connections) {
    if (connections.isEmpty()) {
      return Optional.of(name);
    }
    Map<String, Optional<String>> byName = connections.get().byName();
    Node node = fields.valueOrMap(role);
    String path = fields.pathOf(role);
    if (!byName.containsKey(name)) {
      return reader.reject(
          node,
          path,
          "unknown connection '"
              + name
              + "'"
              + suggestion(name, byName.keySet())
              + "; valid connections: "
              + names(byName.keySet()));
    }
    Optional<String> actualType = byName.get(name);
    if (actualType.isPresent() && !types.contains(actualType.get())) {
      List<String> eligible = connections.get().namesOf(types);
      return reader.reject(
          node,
          path,
          "connection '"
              + name
              + "' has type "
              + actualType.get()
              + ", but a "
              + role
              + " must be a "
              + or(types)
              + " connection; valid "
              + role
              + "s: "
              + names(eligible));
    }
    return Optional.of(name);
  }

  /** BigQuery runs GoogleSQL only: a query asking for legacy SQL is refused. */
  void noLegacySql(
      Fields fields,
      Optional<String> query,
      Optional<String> source,
      Optional<ConnectionTypes> connections) {
    if (query.isPresent()
        && source.isPresent()
        && connections.isPresent()
        && connections
            .get()
            .byName()
            .getOrDefault(source.get(), Optional.empty())
            .filter("bigquery"::equals)
            .isPresent()
        && query.get().strip().toLowerCase(Locale.ROOT).startsWith("#legacysql")) {
      reader.problem(
          fields.valueOrMap("query"),
          fields.pathOf("query"),
          "legacy SQL is not"
              + " supported: qsync runs BigQuery queries as GoogleSQL (standard SQL); rewrite the query"
              + " in GoogleSQL (`project.dataset.table` instead of [project:dataset.table]) and drop"
              + " #legacySQL");
    }
  }

  /** Every mode but {@code append} needs a key: present and not empty. */
  void keyForMode(
      Fields fields, Optional<Mode> mode, Optional<List<String>> columns, String expected) {
    if (mode.filter(Mode::needsKey).isEmpty()) {
      return;
    }
    if (!fields.has("key")) {
      reader.problem(
          fields.map(), fields.pathOf("key"), "missing required key 'key'; expected " + expected);
    } else if (columns.filter(List::isEmpty).isPresent()) {
      reader.problem(
          fields.valueOrMap("key"),
          fields.pathOf("key"),
          "expected " + expected + ", got an empty list");
    }
  }

  /** {@code batch_size} must lie within the throttle's batch bounds. */
  void batchSizeWithinThrottle(Fields fields, int batchSize, ThrottleConfig throttle) {
    int min = throttle.minBatchSize(batchSize);
    int max = throttle.maxBatchSize(batchSize);
    if (min > max || batchSize < min || batchSize > max) {
      reader.problem(
          fields.valueOrMap("batch_size"),
          fields.pathOf("batch_size"),
          "batch_size "
              + batchSize
              + " must lie within min_batch_size "
              + min
              + " and max_batch_size "
              + max
              + " (the throttle's bounds); change batch_size or the bounds");
    }
  }

  /**
   * {@code diff} and {@code state_dataset}: a snapshot needs a dataset and a keyed, diffing mode; a
   * dataset needs a snapshot. Empty after a problem, or when either value is invalid.
   */
  Optional<Diff> diff(
      Fields fields,
      Optional<String> strategy,
      Optional<String> dataset,
      Optional<VerifyEvery> verifyEvery,
      Optional<Mode> mode) {
    if (strategy.isEmpty()
        || (fields.has("state_dataset") && dataset.isEmpty())
        || (fields.has("verify_every") && verifyEvery.isEmpty())) {
      return Optional.empty();
    }
    if (strategy.get().equals(Diff.Strategy.TARGET.configName())) {
      if (verifyEvery.isPresent()) {
        reader.problem(
            fields.valueOrMap("verify_every"),
            fields.pathOf("verify_every"),
            "verify_every is for diff: snapshot, whose runs do not read the table; a run with"
                + " diff: target compares every row of the table already; remove verify_every");
      }
      if (dataset.isPresent()) {
        reader.problem(
            fields.valueOrMap("state_dataset"),
            fields.pathOf("state_dataset"),
            "state_dataset is used only with diff: snapshot; add diff: snapshot, or remove"
                + " state_dataset");
      }
      return Optional.of(Diff.TARGET);
    }
    Node where = fields.valueOrMap("diff");
    if (mode.isPresent() && mode.get() != Mode.MIRROR && mode.get() != Mode.UPSERT) {
      return reader.reject(
          where,
          fields.pathOf("diff"),
          "diff: snapshot works with mode mirror"
              + " or upsert, not "
              + mode.get().configName()
              + " (which writes the whole result every"
              + " run); remove diff: snapshot or change the mode");
    }
    if (dataset.isEmpty()) {
      return reader.reject(
          where,
          fields.pathOf("state_dataset"),
          "diff: snapshot needs"
              + " state_dataset: the warehouse dataset (a DuckDB schema) where qsync keeps the sync's"
              + " state and change sets, e.g. state_dataset: qsync_state; qsync must be allowed to"
              + " create tables there");
    }
    return Optional.of(Diff.snapshot(dataset.get()).withVerifyEvery(verifyEvery));
  }

  /**
   * Each sync's table is in the database its target's url names, and no other sync writes it. A url
   * that names no database would pass until the first statement, then fail every run alike (no
   * database selected), which no retry gets past. Two syncs writing one table would undo each
   * other's rows run after run (and trip the delete guard): the database is told by the target
   * connections' hosts, ports and database, not by their names, so two connections to one database
   * count as one.
   */
  /** A problem at {@code sync}'s {@code table:} line. */
  private void tableProblem(SyncConfig sync, Map<String, Node> tableNodes, String message) {
    reader.problem(tableNodes.get(sync.name()), "syncs." + sync.name() + ".table", message);
  }

  void targetTables(
      Collection<SyncConfig> syncs,
      Map<String, ConnectionConfig> connections,
      Map<String, Node> tableNodes) {
    Map<String, SyncConfig> firstByTable = new LinkedHashMap<>();
    for (SyncConfig sync : syncs) {
      if (!(connections.get(sync.target()) instanceof MySqlConnectionConfig target)) {
        continue;
      }
      JdbcUrl url = new JdbcUrl(target.url());
      if (!url.namesDatabase()) {
        tableProblem(
            sync,
            tableNodes,
            "table "
                + sync.table()
                + " would be in no database: the url of connection '"
                + sync.target()
                + "' ("
                + url.forMessages()
                + ") names none; add the database to it, like "
                + url.forMessagesWithDatabase("app"));
        continue;
      }
      String database = url.database();
      SyncConfig first = firstByTable.putIfAbsent(database + "\0" + sync.table(), sync);
      if (first != null) {
        Mark firstMark = tableNodes.get(first.name()).getStartMark();
        tableProblem(
            sync,
            tableNodes,
            "syncs '"
                + first.name()
                + "' ("
                + reader.file()
                + ":"
                + (firstMark.getLine() + 1)
                + ":"
                + (firstMark.getColumn() + 1)
                + ") and '"
                + sync.name()
                + "' both write table "
                + sync.table()
                + " in "
                + database
                + ", and each run would undo the other's rows;"
                + " give each sync its own table, or join the queries into one sync");
      }
    }
  }

  // ---- throttle ----

  /** Replicas are watched over mysql connections of the file. */
  void replicasAreMySql(
      Fields fields, List<String> replicas, Optional<ConnectionTypes> connections) {
    for (int i = 0; connections.isPresent() && i < replicas.size(); i++) {
      String replica = replicas.get(i);
      Optional<String> type = connections.get().byName().getOrDefault(replica, Optional.empty());
      if (!type.equals(Optional.of("mysql"))) {
        List<String> mysql = connections.get().namesOf(List.of("mysql"));
        reader.problem(
            fields.valueOrMap("replicas"),
            fields.pathOf("replicas"),
            "replica '"
                + replica
                + "' is not a mysql connection"
                + suggestion(replica, mysql)
                + "; list connections (type: mysql) that reach the replicas");
      }
    }
  }

  /** The critical threshold, when set, stops above the pausing one. */
  void criticalAbovePause(
      Fields fields,
      Optional<Long> threads,
      Optional<Long> criticalThreads,
      Optional<Duration> lag,
      Optional<Duration> criticalLag) {
    if (threads.isPresent()
        && criticalThreads.isPresent()
        && criticalThreads.get() > 0
        && criticalThreads.get() <= threads.get()) {
      reader.problem(
          fields.valueOrMap("critical_threads_running"),
          fields.pathOf("critical_threads_running"),
          "critical_threads_running "
              + criticalThreads.get()
              + " must be above max_threads_running "
              + threads.get()
              + " (the run pauses at the one, stops at the other)");
    }
    if (lag.isPresent()
        && criticalLag.isPresent()
        && !criticalLag.get().isZero()
        && criticalLag.get().compareTo(lag.get()) <= 0) {
      reader.problem(
          fields.valueOrMap("critical_replica_lag"),
          fields.pathOf("critical_replica_lag"),
          "critical_replica_lag must be longer than"
              + " max_replica_lag (the run pauses at the one, stops at the other)");
    }
  }

  static String names(Collection<String> names) {
    return names.isEmpty() ? "none yet (add one under connections)" : String.join(", ", names);
  }
}
