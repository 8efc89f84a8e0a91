package io.qsync.config;

import static java.util.Objects.requireNonNull;

/**
 * A value that must never be printed, logged or stored: {@link #toString()} hides it. Immutable.
 */
public final class Secret {
  private final String value;
  private final String origin;

  /** A secret given in code (tests, the demo): its origin is not worth naming. */
  public Secret(String value) {
    this(value, "the password given");
  }

  /**
   * @param origin where the secret came from, in words a message can show (never the secret): "the
   *     environment variable DB_PASSWORD", "the file /run/secrets/db (password_file)"
   */
  public Secret(String value, String origin) {
    this.value = requireNonNull(value, "value is null");
    this.origin = requireNonNull(origin, "origin is null");
  }

  /** Where the secret came from, for a message about a secret that did not work. */
  public String origin() {
    return origin;
  }

  /** The secret itself, for the one place that hands it to a driver. */
  public String reveal() {
    return value;
  }

  public boolean isEmpty() {
    return value.isEmpty();
  }

  @Override
  public String toString() {
    return "****";
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof Secret secret && secret.value.equals(value);
  }

  @Override
  public int hashCode() {
    return value.hashCode();
  }
}
