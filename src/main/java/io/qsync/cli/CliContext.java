package io.qsync.cli;

import static java.util.Objects.requireNonNull;

import io.qsync.config.QsyncConfig;
import io.qsync.engine.FaultPoint;
import io.qsync.engine.Progress;
import io.qsync.engine.Qsync;
import java.lang.reflect.InvocationTargetException;
import java.time.Clock;
import picocli.CommandLine;

/**
 * What commands need from the process around them, handed to each command's constructor by {@link
 * Factory} so tests can replace it.
 *
 * @param terminal whether stderr is a terminal (progress redraws one line) or a log
 */
record CliContext(boolean terminal, Clock clock) {
  CliContext {
    requireNonNull(clock, "clock is null");
  }

  /** The commands over a config, showing progress as given. */
  Qsync qsync(QsyncConfig config, Progress progress) {
    return new Qsync(config, clock, progress, FaultPoint.NONE);
  }

  /** Builds commands, giving the context to those whose constructor takes it. */
  record Factory(CliContext context) implements CommandLine.IFactory {
    @Override
    public <K> K create(Class<K> type) throws Exception {
      try {
        var constructor = type.getDeclaredConstructor(CliContext.class);
        constructor.setAccessible(true);
        return constructor.newInstance(context);
      } catch (NoSuchMethodException e) {
        return CommandLine.defaultFactory().create(type);
      } catch (InvocationTargetException e) {
        throw e.getCause() instanceof Exception cause ? cause : e;
      }
    }
  }
}
