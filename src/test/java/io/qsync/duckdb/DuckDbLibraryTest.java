package io.qsync.duckdb;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Method;
import org.junit.jupiter.api.Test;

/** The names and options by which qsync and DuckDB's driver agree where the library is. */
class DuckDbLibraryTest {
  @Test
  void namesThePlatformsLibraryAsTheDriverDoes() throws Exception {
    // The driver's own name for it, which a newer driver might change: the jar folder it looks in
    // holds the file qsync unpacked only under this name.
    Method driversName =
        Class.forName("org.duckdb.DuckDBNative", false, getClass().getClassLoader())
            .getDeclaredMethod("nativeLibName");
    driversName.setAccessible(true);

    assertThat(DuckDbLibrary.platformFile()).contains((String) driversName.invoke(null));
  }

  @Test
  void aChildJvmIsToldTheFolderTheLauncherNamed() {
    String before = System.getProperty(DuckDbLibrary.FOLDER_PROPERTY);
    try {
      System.clearProperty(DuckDbLibrary.FOLDER_PROPERTY);
      assertThat(DuckDbLibrary.childOptions()).as("beside the jar: nothing to say").isEmpty();

      System.setProperty(DuckDbLibrary.FOLDER_PROPERTY, "/home/someone/.cache/qsync");
      assertThat(DuckDbLibrary.childOptions())
          .containsExactly(
              "-Dqsync.native.dir=/home/someone/.cache/qsync",
              "-Djava.library.path=" + System.getProperty("java.library.path"));
    } finally {
      if (before == null) {
        System.clearProperty(DuckDbLibrary.FOLDER_PROPERTY);
      } else {
        System.setProperty(DuckDbLibrary.FOLDER_PROPERTY, before);
      }
    }
  }
}
