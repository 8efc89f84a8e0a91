package io.qsync.serve.web;

import static java.util.Objects.requireNonNull;

import io.qsync.config.Secret;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Comparator;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The signed-in sessions of the status page: a random id (the cookie) per person who gave the
 * token, each with its own CSRF value, forgotten after {@link #LIFETIME} or when too many are open.
 * Thread-safe.
 */
final class Sessions {
  /** How long a sign-in lasts. */
  static final Duration LIFETIME = Duration.ofHours(12);

  /** At most this many sessions are kept; a new one pushes out the oldest. */
  static final int MAX = 1000;

  /** One signed-in person. Immutable. */
  record Session(String csrf, Instant created) {
    Session {
      requireNonNull(csrf, "csrf is null");
      requireNonNull(created, "created is null");
    }
  }

  private final Map<String, Session> sessions = new ConcurrentHashMap<>();
  private final SecureRandom random = new SecureRandom();
  private final Clock clock;

  Sessions(Clock clock) {
    this.clock = requireNonNull(clock, "clock is null");
  }

  /** Opens a session and returns its id, the cookie's value. */
  synchronized String open() {
    Instant now = clock.instant();
    sessions.values().removeIf(session -> expired(session, now));
    while (sessions.size() >= MAX) {
      sessions.entrySet().stream()
          .min(Comparator.comparing(entry -> entry.getValue().created()))
          .ifPresent(oldest -> sessions.remove(oldest.getKey()));
    }
    String id = randomValue();
    sessions.put(id, new Session(randomValue(), now));
    return id;
  }

  /** The live session with this id, if any. */
  Optional<Session> find(String id) {
    Session session = sessions.get(id);
    if (session == null) {
      return Optional.empty();
    }
    if (expired(session, clock.instant())) {
      sessions.remove(id, session);
      return Optional.empty();
    }
    return Optional.of(session);
  }

  void close(String id) {
    sessions.remove(id);
  }

  private static boolean expired(Session session, Instant now) {
    return !session.created().plus(LIFETIME).isAfter(now);
  }

  private String randomValue() {
    byte[] bytes = new byte[32];
    random.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  /**
   * Whether {@code given} is the token, compared in constant time: both are hashed first, so
   * neither their contents nor their lengths show in the time taken.
   */
  static boolean sameSecret(String given, Secret token) {
    return MessageDigest.isEqual(sha256(given), sha256(token.reveal()));
  }

  /** Whether two values are equal, in constant time. */
  static boolean sameValue(String given, String expected) {
    return MessageDigest.isEqual(sha256(given), sha256(expected));
  }

  private static byte[] sha256(String value) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
  }
}
