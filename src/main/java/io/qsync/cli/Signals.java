package io.qsync.cli;

import io.qsync.ErrorKind;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Which signal asked qsync to stop, so that an interrupted run reports the exit code the process
 * ends with: 143 for SIGTERM (a service manager, {@code kill}), 130 for SIGINT (Ctrl-C).
 *
 * <p>The JVM's own handlers still run (they start the shutdown hooks and set the exit code);
 * qsync's handler only notes the signal's name first. {@code sun.misc.Signal} is reached by
 * reflection: it is the JDK's only way to tell the two apart, and naming it in code makes javac
 * warn about an internal API. Where it is missing, or the signal is ignored (a job started with
 * {@code nohup}), nothing is installed and an interruption reports 130.
 */
final class Signals {
  private static final AtomicReference<String> RECEIVED = new AtomicReference<>();

  private Signals() {}

  /** Notes SIGTERM and SIGINT from now on. */
  static void record() {
    try {
      Class<?> signalClass = Class.forName("sun.misc.Signal");
      Class<?> handlerClass = Class.forName("sun.misc.SignalHandler");
      Method handle = signalClass.getMethod("handle", signalClass, handlerClass);
      Method delegate = handlerClass.getMethod("handle", signalClass);
      Object ignored = handlerClass.getField("SIG_IGN").get(null);
      Object byDefault = handlerClass.getField("SIG_DFL").get(null);
      Method number = signalClass.getMethod("getNumber");
      for (String name : List.of("TERM", "INT")) {
        Object signal = signalClass.getConstructor(String.class).newInstance(name);
        Object[] previous = new Object[1];
        InvocationHandler noting =
            (proxy, method, args) -> {
              switch (method.getName()) {
                case "equals":
                  return proxy == args[0];
                case "hashCode":
                  return System.identityHashCode(proxy);
                case "toString":
                  return "qsync's note of SIG" + name;
                default:
                  break;
              }
              RECEIVED.compareAndSet(null, name);
              if (previous[0] == byDefault) {
                Runtime.getRuntime().exit(128 + (int) number.invoke(args[0]));
              } else {
                delegate.invoke(previous[0], args[0]);
              }
              return null;
            };
        Object handler =
            Proxy.newProxyInstance(
                handlerClass.getClassLoader(), new Class<?>[] {handlerClass}, noting);
        previous[0] = handle.invoke(null, signal, handler);
        if (previous[0] == ignored) {
          handle.invoke(null, signal, ignored); // leave an ignored signal ignored
        }
      }
    } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
      // no signal names on this JVM: an interrupted run reports 130, as INTERRUPTED says
    }
  }

  /**
   * The exit code of an error of this kind: an interruption by SIGTERM ends the process with 143,
   * and so reports it; every other kind its own.
   */
  static int exitCode(ErrorKind kind) {
    return kind == ErrorKind.INTERRUPTED && "TERM".equals(RECEIVED.get()) ? 143 : kind.exitCode();
  }
}
