package io.qsync.cli;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;

/**
 * SIGHUP as a request to reload the config, for {@code qsync serve}: instead of ending the process
 * (the JVM's default), the signal calls a callback. {@code sun.misc.Signal} is reached by
 * reflection, as {@link Signals} does. Thread-safe.
 */
final class Hangups {
  private Hangups() {}

  /**
   * Calls {@code onHangup} on each SIGHUP from now on; whether the handler could be installed (not
   * on a JVM without {@code sun.misc.Signal}, nor where SIGHUP is ignored, as under {@code nohup}).
   */
  static boolean install(Runnable onHangup) {
    try {
      Class<?> signalClass = Class.forName("sun.misc.Signal");
      Class<?> handlerClass = Class.forName("sun.misc.SignalHandler");
      Method handle = signalClass.getMethod("handle", signalClass, handlerClass);
      Object ignored = handlerClass.getField("SIG_IGN").get(null);
      Object signal = signalClass.getConstructor(String.class).newInstance("HUP");
      InvocationHandler calling =
          (proxy, method, args) -> {
            switch (method.getName()) {
              case "equals":
                return proxy == args[0];
              case "hashCode":
                return System.identityHashCode(proxy);
              case "toString":
                return "qsync serve's reload on SIGHUP";
              default:
                onHangup.run();
                return null;
            }
          };
      Object handler =
          Proxy.newProxyInstance(
              handlerClass.getClassLoader(), new Class<?>[] {handlerClass}, calling);
      Object previous = handle.invoke(null, signal, handler);
      if (previous == ignored) {
        handle.invoke(null, signal, ignored); // leave an ignored signal ignored
        return false;
      }
      return true;
    } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
      return false; // no SIGHUP here: the config file is still watched
    }
  }
}
