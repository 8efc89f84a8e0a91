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
 */
public record MySqlConnectionConfig(
    String name, String url, String user, Secret password, Map<String, String> properties)
    implements ConnectionConfig {
  public MySqlConnectionConfig {
    requireNonNull(name, "name is null");
    requireNonNull(url, "url is null");
    requireNonNull(user, "user is null");
    requireNonNull(password, "password is null");
    properties = Map.copyOf(requireNonNull(properties, "properties is null"));
  }

  /** Property values may hold secrets (trustStorePassword, ...): only their names are shown. */
  @Override
  public String toString() {
    return "MySqlConnectionConfig[name=" + name + ", url=" + url + ", user=" + user
        + ", password=" + password + ", properties=" + properties.keySet() + "]";
  }

  @Override
  public String type() {
    return "mysql";
  }
}
