package io.qsync.tools.bench;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;

/**
 * What one benchmark invocation measures, and where.
 *
 * @param host the MariaDB or MySQL server
 * @param port its port
 * @param user a user that may create and drop {@code database}
 * @param password the user's password (empty for none); never printed
 * @param database a scratch database the benchmark creates and drops; must not exist
 * @param rows rows of the generated result
 * @param repeat repetitions of each measurement; figures are medians
 * @param batchSize the sync's {@code batch_size}
 * @param childHeap the {@code -Xmx} of the measured qsync process, e.g. {@code 256m}
 * @param dir the folder for the generated warehouse, the sync's config, stage and logs
 * @param only the figures to measure besides the ceiling and the first load, which every other is a
 *     ratio to ({@link BenchReport}'s names); empty for all
 */
public record BenchOptions(
    String host,
    int port,
    String user,
    String password,
    String database,
    long rows,
    int repeat,
    int batchSize,
    String childHeap,
    Path dir,
    java.util.Set<String> only) {
  public BenchOptions {
    requireNonNull(host, "host is null");
    requireNonNull(user, "user is null");
    requireNonNull(password, "password is null");
    requireNonNull(database, "database is null");
    requireNonNull(childHeap, "childHeap is null");
    requireNonNull(dir, "dir is null");
    only = java.util.Set.copyOf(requireNonNull(only, "only is null"));
    for (String name : only) {
      if (!BenchReport.FIGURES.contains(name)) {
        throw new IllegalArgumentException(
            "no figure " + name + "; the figures are " + String.join(", ", BenchReport.FIGURES));
      }
    }
    if (rows < 100) {
      throw new IllegalArgumentException("rows must be at least 100: " + rows);
    }
    if (repeat < 1) {
      throw new IllegalArgumentException("repeat must be positive: " + repeat);
    }
    if (!database.matches("[A-Za-z0-9_]+")) {
      throw new IllegalArgumentException("database must be letters, digits and _: " + database);
    }
  }

  /** Whether this invocation measures figure {@code name}. */
  boolean measures(String name) {
    return only.isEmpty()
        || only.contains(name)
        || name.equals(BenchReport.CEILING)
        || name.equals(BenchReport.FIRST_LOAD);
  }

  /** The server's URL without a database, for the benchmark's own sessions. */
  String serverUrl() {
    return "jdbc:mariadb://" + host + ":" + port + "/";
  }

  /** The scratch database's URL, as the sync's config names it. */
  String databaseUrl() {
    return serverUrl() + database;
  }

  @Override
  public String toString() {
    return "BenchOptions[host="
        + host
        + ", port="
        + port
        + ", user="
        + user
        + ", password="
        + (password.isEmpty() ? "" : "***")
        + ", database="
        + database
        + ", rows="
        + rows
        + ", repeat="
        + repeat
        + ", batchSize="
        + batchSize
        + ", childHeap="
        + childHeap
        + ", dir="
        + dir
        + ", only="
        + only
        + "]";
  }
}
