package io.qsync.config;

import static java.util.Objects.requireNonNull;

import java.util.Map;

/**
 * A MySQL 8 or MariaDB 10.6+ database reached over JDBC.
 *
 * @param url a {@code jdbc:mariadb://} or {@code jdbc:mysql://} URL naming the database
 * @param user the user name
 * @param password the password ({@code ${VAR}} in the file); never printed
 * @param properties extra driver properties, passed as they are
 * @param tls whether and how the connection is encrypted
 * @param timeouts time limits of its sessions
 */
public record MySqlConnectionConfig(
    String name,
    String url,
    String user,
    Secret password,
    Map<String, String> properties,
    TlsConfig tls,
    MySqlTimeouts timeouts)
    implements ConnectionConfig {
  public MySqlConnectionConfig {
    requireNonNull(name, "name is null");
    requireNonNull(url, "url is null");
    requireNonNull(user, "user is null");
    requireNonNull(password, "password is null");
    properties = Map.copyOf(requireNonNull(properties, "properties is null"));
    requireNonNull(tls, "tls is null");
    requireNonNull(timeouts, "timeouts is null");
  }

  /** A connection without TLS and with the default timeouts. */
  public MySqlConnectionConfig(
      String name, String url, String user, Secret password, Map<String, String> properties) {
    this(name, url, user, password, properties, TlsConfig.DISABLED, MySqlTimeouts.DEFAULT);
  }

  /** The same connection, everything but the url kept (TLS and timeouts included). */
  public MySqlConnectionConfig withUrl(String newUrl) {
    return new MySqlConnectionConfig(name, newUrl, user, password, properties, tls, timeouts);
  }

  /** Property values may hold secrets (trustStorePassword, ...): only their names are shown. */
  @Override
  public String toString() {
    return "MySqlConnectionConfig[name="
        + name
        + ", url="
        + url
        + ", user="
        + user
        + ", password="
        + password
        + ", properties="
        + properties.keySet()
        + ", tls="
        + tls
        + ", timeouts="
        + timeouts
        + "]";
  }

  @Override
  public String type() {
    return "mysql";
  }
}
