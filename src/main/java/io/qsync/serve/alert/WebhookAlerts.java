package io.qsync.serve.alert;

import static java.util.Objects.requireNonNull;

import io.qsync.ErrorKind;
import io.qsync.Messages;
import io.qsync.Sleeper;
import io.qsync.config.Alerts;
import io.qsync.config.Secret;
import io.qsync.serve.RunListener;
import io.qsync.serve.RunOutcome;
import io.qsync.serve.SyncBoard;
import io.qsync.state.RunRecord;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * The {@code on_failure} and {@code on_stale} webhooks of {@code qsync serve}: a JSON POST when a
 * run fails ({@link #runFinished}, once per failed run) and when a sync's last success grows older
 * than its {@code max_staleness} ({@link #check}, once each time it turns stale). Alerts wait in a
 * bounded queue for a daemon thread of their own ({@code qsync-alerts}), so a slow or dead endpoint
 * never holds up a run; a full queue drops an alert with a line on stderr. Delivery and retries:
 * {@link WebhookDelivery}. Payload and behaviour: docs/metrics-and-alerts.md.
 *
 * <p>The constructor starts the delivery thread; {@link #close} stops it, giving what is queued 5 s
 * to go out. Thread-safe.
 */
public final class WebhookAlerts implements RunListener, AutoCloseable {
  /** How many alerts may wait for delivery. */
  static final int QUEUE_CAPACITY = 100;

  /** How long {@link #close} lets queued alerts go out. */
  static final Duration CLOSE_GRACE = Duration.ofSeconds(5);

  /** An alert and where it goes. */
  private record Pending(Alert alert, Secret url) {}

  private final Function<String, Alerts> alertsOf;
  private final SyncBoard board;
  private final PrintStream errors;
  private final WebhookDelivery delivery;
  private final BlockingQueue<Pending> queue;
  private final Thread thread;
  private volatile boolean closing;

  /** The syncs posted as stale and not fresh since. Guarded by this. */
  private final Set<String> stale = new HashSet<>();

  /**
   * When {@link #check} first saw each sync, for one that never succeeded and whose board entry
   * does not say since when it is watched. Guarded by this.
   */
  private final Map<String, Instant> watchedSince = new HashMap<>();

  /**
   * The first line of the error last posted for each sync that has failed since its last success:
   * the same failure again is not posted again. Guarded by this.
   */
  private final Map<String, String> failingWith = new HashMap<>();

  /**
   * @param alertsOf each sync's webhooks as the config in force says them ({@code
   *     SyncConfig.service().alerts()}, the top level's merged in; {@link Alerts#NONE} for a sync
   *     no longer in the config): asked at every alert, so a reloaded config counts from then on
   * @param board what the service knows of each sync: the age of its last success, its {@code
   *     max_staleness}, its newest run
   */
  public WebhookAlerts(Function<String, Alerts> alertsOf, SyncBoard board) {
    this(
        alertsOf,
        board,
        WebhookDelivery.Policy.DEFAULT,
        QUEUE_CAPACITY,
        Sleeper.system(),
        System.err);
  }

  /**
   * @param sleeper how the delivery thread waits between tries
   * @param errors where failed deliveries and dropped alerts are told
   */
  WebhookAlerts(
      Function<String, Alerts> alertsOf,
      SyncBoard board,
      WebhookDelivery.Policy policy,
      int capacity,
      Sleeper sleeper,
      PrintStream errors) {
    this.alertsOf = requireNonNull(alertsOf, "alertsOf is null");
    this.board = requireNonNull(board, "board is null");
    this.errors = requireNonNull(errors, "errors is null");
    this.delivery = new WebhookDelivery(policy, sleeper, errors);
    this.queue = new ArrayBlockingQueue<>(capacity);
    this.thread = new Thread(this::deliverQueued, "qsync-alerts");
    thread.setDaemon(true);
    thread.start();
  }

  /**
   * Posts {@code on_failure} for a run that failed, once per failure: a sync that fails again with
   * the same error (the same first line) is not posted again until it succeeded or failed
   * otherwise, so a sync failing every 15 minutes does not flood a channel. Returns at once; never
   * throws.
   */
  @Override
  public void runFinished(RunOutcome outcome) {
    try {
      if (outcome.succeeded()) {
        synchronized (this) {
          failingWith.remove(outcome.sync());
        }
        return;
      }
      if (!failed(outcome)) {
        return;
      }
      String error = outcome.error().orElse("(no message)");
      String firstLine = Messages.firstLine(error);
      synchronized (this) {
        if (firstLine.equals(failingWith.get(outcome.sync()))) {
          return; // posted already: the same failure again
        }
      }
      Optional<Secret> url = alertsOf.apply(outcome.sync()).onFailure();
      if (url.isEmpty()) {
        return;
      }
      synchronized (this) {
        failingWith.put(outcome.sync(), firstLine);
      }
      Optional<SyncBoard.Entry> entry = board.entry(outcome.sync());
      enqueue(
          Alert.failure(
              outcome.sync(),
              outcome.runId(),
              outcome.exitCode(),
              error,
              entry.flatMap(known -> known.age(outcome.finishedAt())),
              entry.flatMap(SyncBoard.Entry::maxStaleness)),
          url.get());
    } catch (RuntimeException e) {
      errors.println(
          "qsync serve: the failure alert of sync '"
              + outcome.sync()
              + "' could not be made ("
              + e.getClass().getSimpleName()
              + "); please report this bug");
    }
  }

  /**
   * A run that failed: neither one that found the sync's lock held (another process runs it) nor
   * one interrupted by a stop (it resumes).
   */
  static boolean failed(RunOutcome outcome) {
    return outcome
        .errorKind()
        .filter(kind -> kind != ErrorKind.LOCK_HELD && kind != ErrorKind.INTERRUPTED)
        .isPresent();
  }

  /**
   * Looks at every sync on the board at {@code now}, and posts {@code on_stale} for each that
   * turned stale ({@link SyncBoard.Entry#freshness}) since it was last fresh (or since the service
   * started): once per stale spell. A sync that never succeeded turns stale once its {@code
   * max_staleness} has passed since the service started watching it. A stale sync without an {@code
   * on_stale} webhook is posted once one is configured. The scheduler calls it periodically; it
   * returns at once.
   */
  public synchronized void check(Instant now) {
    for (SyncBoard.Entry listed : board.entries()) {
      String sync = listed.sync();
      Instant since = watchedSince.computeIfAbsent(sync, name -> now);
      SyncBoard.Entry entry =
          listed.watchedSince().isPresent() ? listed : listed.withWatchedSince(since);
      if (entry.freshness(now) != SyncBoard.Freshness.STALE) {
        stale.remove(sync);
        continue;
      }
      if (stale.contains(sync)) {
        continue; // posted already in this stale spell
      }
      Optional<Secret> url = alertsOf.apply(sync).onStale();
      if (url.isPresent()) {
        stale.add(sync);
        enqueue(
            Alert.stale(
                sync,
                entry.lastRun().map(RunRecord::runId),
                entry.lastError(),
                entry.age(now),
                Duration.between(entry.watchedSince().orElseThrow(), now),
                entry.maxStaleness().orElseThrow()),
            url.get());
      }
    }
    List<String> onBoard = board.entries().stream().map(SyncBoard.Entry::sync).toList();
    watchedSince.keySet().retainAll(onBoard);
    stale.retainAll(onBoard);
    failingWith.keySet().retainAll(onBoard);
  }

  private void enqueue(Alert alert, Secret url) {
    if (closing || !queue.offer(new Pending(alert, url))) {
      errors.println(
          "qsync serve: alert '"
              + alert.event().wire()
              + "' of sync '"
              + alert.sync()
              + "' dropped: "
              + (closing
                  ? "the service is stopping"
                  : queue.size() + " alerts are waiting to be delivered already"));
    }
  }

  private void deliverQueued() {
    try {
      while (!closing || !queue.isEmpty()) {
        Pending next = queue.poll(200, TimeUnit.MILLISECONDS);
        if (next != null) {
          deliver(next);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void deliver(Pending next) throws InterruptedException {
    try {
      delivery.deliver(next.alert(), next.url());
    } catch (RuntimeException e) {
      // a bug must not end the delivery thread: the alerts after it still go out
      errors.println(
          "qsync serve: alert '"
              + next.alert().event().wire()
              + "' of sync '"
              + next.alert().sync()
              + "' not delivered ("
              + e.getClass().getSimpleName()
              + "); please report this bug");
    }
  }

  /**
   * Stops taking alerts, lets the queued ones go out for up to {@link #CLOSE_GRACE}, then stops the
   * delivery thread; what is still queued is dropped, with a line on stderr.
   */
  @Override
  public void close() {
    closing = true;
    try {
      thread.join(CLOSE_GRACE.toMillis());
      if (thread.isAlive()) {
        thread.interrupt();
        thread.join(1000);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    int left = queue.size();
    queue.clear();
    if (left > 0) {
      errors.println(
          "qsync serve: " + left + " alert(s) dropped: not delivered before the service stopped");
    }
  }
}
