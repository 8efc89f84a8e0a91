package io.qsync.config;

import static java.util.Objects.requireNonNull;

import java.util.Optional;

/**
 * The {@code serve:} block: where {@code qsync serve} listens and how many runs it lets go at once.
 * Immutable.
 *
 * @param host the address the status page, {@code /metrics} and the probes listen on
 * @param port their port
 * @param maxConcurrentRuns how many syncs may run side by side
 * @param token what a person must give to start a run from the page; none: the page's actions are
 *     off
 */
public record ServeConfig(String host, int port, int maxConcurrentRuns, Optional<Secret> token) {
  public static final String DEFAULT_HOST = "127.0.0.1";
  public static final int DEFAULT_PORT = 8080;
  public static final int DEFAULT_MAX_CONCURRENT_RUNS = 2;
  public static final ServeConfig DEFAULT =
      new ServeConfig(DEFAULT_HOST, DEFAULT_PORT, DEFAULT_MAX_CONCURRENT_RUNS, Optional.empty());

  public ServeConfig {
    requireNonNull(host, "host is null");
    requireNonNull(token, "token is null");
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port out of range: " + port);
    }
    if (maxConcurrentRuns < 1) {
      throw new IllegalArgumentException(
          "maxConcurrentRuns must be positive: " + maxConcurrentRuns);
    }
  }
}
