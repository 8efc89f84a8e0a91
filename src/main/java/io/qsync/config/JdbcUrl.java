package io.qsync.config;

import static java.util.Objects.requireNonNull;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * A {@code jdbc:mariadb://} or {@code jdbc:mysql://} url as qsync shows and compares it: the one
 * place that renders such a url for a message. A message never carries the url's parameters (a
 * driver property may hold a secret) nor the password of its {@code user:password@host} form.
 * Immutable; thread-safe.
 *
 * @param url the url as written
 */
public record JdbcUrl(String url) {
  /** MySQL's and MariaDB's port when the url names none. */
  private static final String DEFAULT_PORT = "3306";

  private static final String HIDDEN = "****";

  public JdbcUrl {
    requireNonNull(url, "url is null");
  }

  /** The url for messages: without parameters, a password in its user info replaced by ****. */
  public String forMessages() {
    String shown = url.substring(0, parametersStart());
    int at = userInfoEnd();
    return at < 0 || !hasPassword()
        ? shown
        : shown.substring(0, passwordStart()) + HIDDEN + shown.substring(at);
  }

  /**
   * The url for messages ({@link #forMessages}) with {@code database} as its database, for saying
   * how to name one in the user's own url: {@code jdbc:mariadb://db:3306/} gives {@code
   * jdbc:mariadb://db:3306/app}.
   */
  public String forMessagesWithDatabase(String database) {
    String shown = forMessages();
    int path = shown.indexOf('/', authorityStart());
    return (path < 0 ? shown : shown.substring(0, path)) + "/" + database;
  }

  /** Whether the url holds a password: {@code user:password@host}. */
  public boolean hasPassword() {
    return passwordStart() >= 0;
  }

  /**
   * {@code text} with the url's password, if it has one, replaced by ****: for a driver's message,
   * which may quote the url it could not parse.
   */
  public String hidePassword(String text) {
    int from = passwordStart();
    String password = from < 0 ? "" : url.substring(from, userInfoEnd());
    return text == null || password.isEmpty() ? text : text.replace(password, HIDDEN);
  }

  /**
   * Which database the url reaches, for telling whether two urls name the same one: the hosts in
   * lower case, each with its port (3306 when none is written), and the database, without user info
   * and parameters. Two spellings of one host ({@code localhost}, {@code 127.0.0.1}) stay
   * different: telling them equal would need a connection.
   */
  public String database() {
    String rest = hostsAndDatabase();
    int slash = rest.indexOf('/');
    String hosts = slash < 0 ? rest : rest.substring(0, slash);
    String withPorts =
        Arrays.stream(hosts.split(",", -1))
            .map(host -> host.strip().toLowerCase(Locale.ROOT))
            .map(
                host ->
                    host.startsWith("address=") || host.matches(".*:\\d+")
                        ? host
                        : host + ":" + DEFAULT_PORT)
            .collect(Collectors.joining(","));
    return withPorts + "/" + (slash < 0 ? "" : rest.substring(slash + 1));
  }

  /**
   * Whether the url names a database ({@code jdbc:mysql://host:3306/app}): the tables qsync writes,
   * and its run history, are in it (a table name is one identifier, never {@code db.table}).
   */
  public boolean namesDatabase() {
    String rest = hostsAndDatabase();
    int slash = rest.indexOf('/');
    return slash >= 0 && !rest.substring(slash + 1).isBlank();
  }

  /** The hosts, a slash and the database, without the scheme, user info and parameters. */
  private String hostsAndDatabase() {
    int at = userInfoEnd();
    return url.substring(at < 0 ? authorityStart() : at + 1, parametersStart());
  }

  @Override
  public String toString() {
    return forMessages();
  }

  /** Where the hosts (or the user info) begin: after {@code scheme://}. */
  private int authorityStart() {
    int slashes = url.indexOf("//");
    return slashes < 0 ? 0 : slashes + 2;
  }

  /** Where the parameters begin: the first '?', or the url's end. */
  private int parametersStart() {
    int query = url.indexOf('?');
    return query < 0 ? url.length() : query;
  }

  /**
   * The '@' ending the user info ({@code user@} or {@code user:password@}), or -1: the last '@'
   * before the parameters, so that a password may hold '@' and '/' (but not '?').
   */
  private int userInfoEnd() {
    int at = url.lastIndexOf('@', parametersStart() - 1);
    return at >= authorityStart() ? at : -1;
  }

  /** Where the password of {@code user:password@} begins, or -1. */
  private int passwordStart() {
    int at = userInfoEnd();
    int colon = at < 0 ? -1 : url.indexOf(':', authorityStart());
    return colon >= 0 && colon < at ? colon + 1 : -1;
  }
}
