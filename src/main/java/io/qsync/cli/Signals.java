package io.qsync.cli;

import io.qsync.ErrorKind;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Which signal asked qsync to stop, so that an interrupted run reports the exit code the process
 * ends with: 143 for SIGTERM (a service manager, {@code kill}), 130 for SIGINT (Ctrl-C).
 *
 * <p>The JVM's own handlers still run (they start the shutdown hooks and set the exit code);
 * qsync's handler only notes the signal's name first. SIGHUP, for {@code qsync serve}, asks for a
 * reload ({@link #onHangup}). {@code sun.misc.Signal} is reached by reflection: it is the JDK's
 * only way to tell the two apart, and naming it in code makes javac warn about an internal API.
 * Where it is missing, or the signal is ignored (a job started with {@code nohup}), nothing is
 * installed and an interruption reports 130.
 */
final class Signals {
  private static final AtomicReference<String> RECEIVED = new AtomicReference<>();

  private Signals() {}

  /** Notes SIGTERM and SIGINT from now on. */
  static void record() {
    for (String name : List.of("TERM", "INT")) {
      Object[] previous = new Object[1];
      previous[0] =
          install(
                  name,
                  "qsync's note of SIG" + name,
                  signal -> {
                    RECEIVED.compareAndSet(null, name);
                    if (previous[0] == defaultHandler()) {
                      Runtime.getRuntime().exit(128 + number(signal));
                    } else {
                      Class<?> handlerClass = Class.forName("sun.misc.SignalHandler");
                      handlerClass
                          .getMethod("handle", Class.forName("sun.misc.Signal"))
                          .invoke(previous[0], signal);
                    }
                  })
              .orElse(null);
    }
  }

  /**
   * Calls {@code onHangup} on each SIGHUP from now on, instead of ending the process (the JVM's
   * default): {@code qsync serve} reloads its config. Whether the handler could be installed (not
   * on a JVM without {@code sun.misc.Signal}, nor where SIGHUP is ignored, as under {@code nohup}).
   */
  static boolean onHangup(Runnable onHangup) {
    return install("HUP", "qsync serve's reload on SIGHUP", signal -> onHangup.run()).isPresent();
  }

  /** What a handler does when its signal comes. */
  private interface Handling {
    void handle(Object signal) throws Exception;
  }

  /**
   * Installs a handler of SIG{@code name} that calls {@code handling}; the handler it replaced, or
   * empty when none was installed: the JVM has no {@code sun.misc.Signal}, or the signal is ignored
   * (a job started with {@code nohup}), which it stays.
   */
  private static Optional<Object> install(String name, String description, Handling handling) {
    try {
      Class<?> signalClass = Class.forName("sun.misc.Signal");
      Class<?> handlerClass = Class.forName("sun.misc.SignalHandler");
      Method handle = signalClass.getMethod("handle", signalClass, handlerClass);
      Object ignored = handlerClass.getField("SIG_IGN").get(null);
      Object signal = signalClass.getConstructor(String.class).newInstance(name);
      InvocationHandler calling =
          (proxy, method, args) -> {
            switch (method.getName()) {
              case "equals":
                return proxy == args[0];
              case "hashCode":
                return System.identityHashCode(proxy);
              case "toString":
                return description;
              default:
                handling.handle(args[0]);
                return null;
            }
          };
      Object handler =
          Proxy.newProxyInstance(
              handlerClass.getClassLoader(), new Class<?>[] {handlerClass}, calling);
      Object previous = handle.invoke(null, signal, handler);
      if (previous == ignored) {
        handle.invoke(null, signal, ignored); // leave an ignored signal ignored
        return Optional.empty();
      }
      return Optional.of(previous);
    } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
      return Optional.empty(); // no signal handling on this JVM
    }
  }

  /** The JVM's own handler ({@code SIG_DFL}). */
  private static Object defaultHandler() throws ReflectiveOperationException {
    return Class.forName("sun.misc.SignalHandler").getField("SIG_DFL").get(null);
  }

  private static int number(Object signal) throws ReflectiveOperationException {
    return (int) signal.getClass().getMethod("getNumber").invoke(signal);
  }

  /**
   * The exit code of an error of this kind: an interruption by SIGTERM ends the process with 143,
   * and so reports it; every other kind its own.
   */
  static int exitCode(ErrorKind kind) {
    return kind == ErrorKind.INTERRUPTED && "TERM".equals(RECEIVED.get()) ? 143 : kind.exitCode();
  }
}
