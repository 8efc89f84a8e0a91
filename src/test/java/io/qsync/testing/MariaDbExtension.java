package io.qsync.testing;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Gives each test method a fresh, empty {@link TestDatabase} parameter on the real MariaDB, and
 * drops it after the test, so tests run in any order and leave nothing behind.
 */
public final class MariaDbExtension implements ParameterResolver, AfterEachCallback {
  private static final ExtensionContext.Namespace NAMESPACE =
      ExtensionContext.Namespace.create(MariaDbExtension.class);

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == TestDatabase.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    return context
        .getStore(NAMESPACE)
        .getOrComputeIfAbsent(
            "database", key -> MariaDbServer.createDatabase(), TestDatabase.class);
  }

  @Override
  public void afterEach(ExtensionContext context) {
    TestDatabase database = context.getStore(NAMESPACE).remove("database", TestDatabase.class);
    if (database != null) {
      MariaDbServer.dropDatabase(database);
    }
  }
}
