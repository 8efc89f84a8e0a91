package io.qsync.config;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;

/**
 * TLS to a MySQL connection. Immutable.
 *
 * @param mode whether to encrypt, and how much of the server's certificate to check
 * @param caFile the CA certificate the server's certificate must chain to (PEM); without one, the
 *     JVM's trusted CAs
 */
public record TlsConfig(Mode mode, Optional<Path> caFile) {

  public static final TlsConfig DISABLED = new TlsConfig(Mode.DISABLED, Optional.empty());

  public TlsConfig {
    requireNonNull(mode, "mode is null");
    requireNonNull(caFile, "caFile is null");
  }

  /** From no encryption to a fully checked server certificate (CA and host name). */
  public enum Mode {
    DISABLED,
    /** Encrypted, the server's certificate not checked. */
    REQUIRED,
    /** Encrypted, the certificate must chain to a trusted CA; its host name is not checked. */
    VERIFY_CA,
    /** Encrypted, the certificate must chain to a trusted CA and name the host. */
    VERIFY_FULL;

    /** As the config file spells it: {@code verify-full}. */
    public String configName() {
      return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
  }
}
