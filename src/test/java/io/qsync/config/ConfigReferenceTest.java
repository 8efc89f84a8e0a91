package io.qsync.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;

/**
 * The config reference cannot drift from the keys the readers declare: every declared key has a row
 * with its default, and every row names a declared key. The reference is the block between {@value
 * #BEGIN} and {@value #END} in README.md or docs/*.md, wherever it lives.
 */
class ConfigReferenceTest {
  private static final String BEGIN = "<!-- config-reference:begin -->";
  private static final String END = "<!-- config-reference:end -->";

  /** {@code `syncs.NAME.batch_size`} or {@code `connections.NAME.url` (mysql)}. */
  private static final Pattern KEY_CELL = Pattern.compile("`([A-Za-z_.]+)`(?: \\((\\w+)\\))?");

  private static final Pattern CODE = Pattern.compile("`([^`]*)`");

  /** One row of a reference table. */
  private record Row(Path file, int line, String key, String qualifier, String shownDefault) {
    boolean documents(String declaredKey, String declaredQualifier) {
      return key.equals(declaredKey)
          && (qualifier.isEmpty() || qualifier.equals(declaredQualifier));
    }

    @Override
    public String toString() {
      return file + ":" + line + ": " + key + (qualifier.isEmpty() ? "" : " (" + qualifier + ")");
    }
  }

  /** One declared key with where it sits. */
  private record Declared(String key, String qualifier, ConfigKey<?> declaration) {
    @Override
    public String toString() {
      return key + (qualifier.isEmpty() ? "" : " (" + qualifier + ")");
    }
  }

  @Test
  void everyDeclaredKeyIsInTheReferenceWithItsDefault() {
    List<Row> rows = referenceRows();
    List<String> missing = new ArrayList<>();
    List<String> wrongDefaults = new ArrayList<>();
    for (Declared declared : declaredKeys()) {
      List<Row> documenting =
          rows.stream().filter(row -> row.documents(declared.key(), declared.qualifier())).toList();
      if (documenting.isEmpty()) {
        missing.add(declared + " (default: " + shownDefault(declared.declaration()) + ")");
      }
      documenting.stream()
          .filter(row -> !showsDefault(row.shownDefault(), declared.declaration()))
          .forEach(
              row ->
                  wrongDefaults.add(
                      row
                          + " shows \""
                          + row.shownDefault()
                          + "\" but the declared default is "
                          + shownDefault(declared.declaration())));
    }
    SoftAssertions.assertSoftly(
        softly -> {
          softly
              .assertThat(missing)
              .as("declared keys missing from the config reference")
              .isEmpty();
          softly
              .assertThat(wrongDefaults)
              .as("defaults the config reference states wrongly")
              .isEmpty();
        });
  }

  @Test
  void everyKeyInTheReferenceIsDeclared() {
    List<Declared> declared = declaredKeys();
    List<Row> rows = referenceRows();
    assertThat(rows).as("rows of the config reference").isNotEmpty();
    assertThat(rows)
        .as("rows of the config reference that name no declared key")
        .filteredOn(
            row -> declared.stream().noneMatch(key -> row.documents(key.key(), key.qualifier())))
        .isEmpty();
    Map<String, Row> seen = new LinkedHashMap<>();
    assertThat(rows)
        .as("keys the config reference lists twice")
        .filteredOn(row -> seen.putIfAbsent(row.key() + "/" + row.qualifier(), row) != null)
        .isEmpty();
  }

  @Test
  void declaredDefaultsAreTheRecordsDefaults() {
    // the declarations take their values from the records' constants; reading an empty block
    // must give those records, so the declared defaults are the ones in force
    QsyncConfig config =
        ConfigLoader.parse(
            Path.of("qsync.yaml"),
            """
        throttle: {}
        retries: {}
        connections:
          warehouse: {type: duckdb}
          app: {type: mysql, url: "jdbc:mariadb://h/app", user: u}
        syncs:
          s: {source: warehouse, query: SELECT 1, target: app, table: t, key: id}
        """,
            Map.of());
    SyncConfig sync = config.sync("s").orElseThrow();
    assertThat(sync.throttle()).isEqualTo(ThrottleConfig.DEFAULT);
    assertThat(sync.retries()).isEqualTo(RetryConfig.DEFAULT);
    assertThat(sync.deleteGuard()).isEqualTo(DeleteGuard.DEFAULT);
    assertThat(sync.batchSize()).isEqualTo(SyncConfig.DEFAULT_BATCH_SIZE);
    assertThat(sync.lockTimeout()).isEqualTo(SyncConfig.DEFAULT_LOCK_TIMEOUT);
    assertThat(sync.mode()).isEqualTo(Mode.MIRROR);
    assertThat(sync.diff()).isEqualTo(Diff.TARGET);
    assertThat(((MySqlConnectionConfig) config.connection("app")).timeouts())
        .isEqualTo(MySqlTimeouts.DEFAULT);
  }

  private static List<Declared> declaredKeys() {
    return ConfigLoader.SECTIONS.stream()
        .flatMap(
            section ->
                section.keys().stream()
                    .filter(key -> !key.block())
                    .map(
                        key ->
                            new Declared(section.prefix() + key.name(), section.qualifier(), key)))
        .toList();
  }

  /** The default cell shows the declared value first (as a code span), or the declared words. */
  private static boolean showsDefault(String cell, ConfigKey<?> key) {
    if (key.defaultValue().isEmpty()) {
      return cell.startsWith(key.shownDefault());
    }
    Matcher code = CODE.matcher(cell);
    return code.lookingAt()
        && YamlReader.parse(key.type(), code.group(1)).equals(key.defaultValue());
  }

  private static String shownDefault(ConfigKey<?> key) {
    return key.defaultValue().map(value -> "`" + value + "`").orElse(key.shownDefault());
  }

  /** Every table row between the markers, in README.md and docs/*.md. */
  private static List<Row> referenceRows() {
    List<Row> rows = new ArrayList<>();
    int blocks = 0;
    for (Path file : markdownFiles()) {
      List<String> lines = lines(file);
      boolean inside = false;
      for (int i = 0; i < lines.size(); i++) {
        String line = lines.get(i).strip();
        if (line.equals(BEGIN)) {
          assertThat(inside).as("%s:%d: a second %s before %s", file, i + 1, BEGIN, END).isFalse();
          inside = true;
          blocks++;
        } else if (line.equals(END)) {
          inside = false;
        } else if (inside && line.startsWith("|") && !isHeader(line)) {
          rows.add(row(file, i + 1, line));
        }
      }
      assertThat(inside).as("%s: %s without %s", file, BEGIN, END).isFalse();
    }
    assertThat(blocks)
        .as("blocks marked %s ... %s in README.md and docs/*.md", BEGIN, END)
        .isPositive();
    return rows;
  }

  private static boolean isHeader(String line) {
    return line.startsWith("| key ") || line.startsWith("| ---");
  }

  private static Row row(Path file, int line, String text) {
    String[] cells = text.substring(1).split("\\|", -1);
    assertThat(cells.length)
        .as("%s:%d: a row of key, default and meaning", file, line)
        .isGreaterThanOrEqualTo(3);
    Matcher key = KEY_CELL.matcher(cells[0].strip());
    assertThat(key.matches())
        .as(
            "%s:%d: the first cell names one key, like `syncs.NAME.mode` or"
                + " `connections.NAME.url` (mysql); got %s",
            file, line, cells[0].strip())
        .isTrue();
    return new Row(
        file, line, key.group(1), Optional.ofNullable(key.group(2)).orElse(""), cells[1].strip());
  }

  private static List<Path> markdownFiles() {
    List<Path> files = new ArrayList<>();
    if (Files.isRegularFile(Path.of("README.md"))) {
      files.add(Path.of("README.md"));
    }
    Path docs = Path.of("docs");
    if (Files.isDirectory(docs)) {
      try (Stream<Path> walk = Files.walk(docs)) {
        walk.filter(path -> path.toString().endsWith(".md")).sorted().forEach(files::add);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return files;
  }

  private static List<String> lines(Path file) {
    try {
      return Files.readAllLines(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
