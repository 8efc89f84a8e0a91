package io.qsync.config;

import static java.util.Objects.requireNonNull;

/** A value that must never be printed, logged or stored: {@link #toString()} hides it. Immutable. */
public final class Secret {
  private final String value;

  public Secret(String value) {
    this.value = requireNonNull(value, "value is null");
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
