package io.qsync.config;

import static java.util.Comparator.comparingInt;
import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * Reads typed values out of one YAML file's nodes, knowing nothing of qsync's blocks. Every value
 * that cannot be read becomes a {@link ConfigProblem} placed at its node's line and column and
 * named by its key path; the getter then returns empty. An empty result therefore means "absent or
 * invalid", and only the problems collected tell which: a section compares {@link #problemCount()}
 * before and after reading. Any scalar may hold {@code ${VAR}} placeholders, filled from the
 * environment (see {@link Placeholders}).
 *
 * <p>Not thread-safe: one instance reads one file.
 */
final class YamlReader {
  static final String DURATION_EXPECTED =
      "a duration like 30s, 2m or 500ms (a bare number means seconds)";
  private static final Pattern WHOLE_NUMBER = Pattern.compile("[-+]?\\d{1,12}");
  private static final Pattern FRACTION =
      Pattern.compile("[-+]?(\\d{1,6}(\\.\\d{0,9})?|\\.\\d{1,9})");
  private static final Pattern DURATION = Pattern.compile("(-?\\d{1,12})\\s*(ms|s|m|h|d)?");

  private final Path file;
  private final Path folder;
  private final Map<String, String> environment;
  private final List<ConfigProblem> problems = new ArrayList<>();

  YamlReader(Path file, Map<String, String> environment) {
    this.file = requireNonNull(file, "file is null");
    this.folder = file.toAbsolutePath().normalize().getParent();
    this.environment = requireNonNull(environment, "environment is null");
  }

  /** The config file, as the user named it. */
  Path file() {
    return file;
  }

  /** The config file's folder, against which paths in it are resolved. */
  Path folder() {
    return folder;
  }

  int problemCount() {
    return problems.size();
  }

  /** Every problem so far, in the order of the file. */
  List<ConfigProblem> problems() {
    List<ConfigProblem> sorted = new ArrayList<>(problems);
    sorted.sort(comparingInt(ConfigProblem::line).thenComparingInt(ConfigProblem::column));
    return sorted;
  }

  /** The document's root node; empty (with a problem) when the text is no YAML or empty. */
  Optional<Node> compose(String text, String expected) {
    try {
      Node root = new Yaml().compose(new StringReader(text));
      if (root == null) {
        problems.add(
            new ConfigProblem(file, 1, 1, "", "the file holds no YAML; expected " + expected));
      }
      return Optional.ofNullable(root);
    } catch (MarkedYAMLException e) {
      Mark mark = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
      problems.add(
          new ConfigProblem(
              file,
              mark == null ? 0 : mark.getLine() + 1,
              mark == null ? 0 : mark.getColumn() + 1,
              "",
              "invalid YAML: "
                  + (e.getProblem() != null ? e.getProblem() : e.getMessage())
                  + "; check the indentation, colons and quotes here"));
    } catch (YAMLException e) {
      problems.add(
          new ConfigProblem(
              file,
              0,
              0,
              "",
              "invalid YAML: " + e.getMessage() + "; simplify the file to plain maps and lists"));
    }
    return Optional.empty();
  }

  // ---- maps and keys ----

  /** The entries of one YAML map by key, the first of duplicate keys winning. */
  record Fields(MappingNode map, String path, Map<String, NodeTuple> byKey) {
    /** The value node of {@code key}; empty when the key is absent. */
    Optional<Node> value(String key) {
      return Optional.ofNullable(byKey.get(key)).map(NodeTuple::getValueNode);
    }

    /** The value node of {@code key}, or the map itself when the key is absent. */
    Node valueOrMap(String key) {
      return value(key).orElse(map);
    }

    boolean has(String key) {
      return byKey.containsKey(key);
    }

    String pathOf(String key) {
      return path.isEmpty() ? key : path + "." + key;
    }
  }

  /** The entries of a map node, each duplicate key a problem. */
  Optional<Fields> fields(Node node, String path, String expected) {
    if (!(node instanceof MappingNode map)) {
      return reject(node, path, "expected " + expected + ", got " + describe(node));
    }
    Fields fields = new Fields(map, path, new LinkedHashMap<>());
    for (NodeTuple tuple : map.getValue()) {
      if (!(tuple.getKeyNode() instanceof ScalarNode keyNode)) {
        problem(
            tuple.getKeyNode(),
            path,
            "expected a plain name as key, got " + describe(tuple.getKeyNode()));
        continue;
      }
      NodeTuple first = fields.byKey().putIfAbsent(keyNode.getValue(), tuple);
      if (first != null) {
        problem(
            keyNode,
            fields.pathOf(keyNode.getValue()),
            "duplicate key '"
                + keyNode.getValue()
                + "' (first at line "
                + (first.getKeyNode().getStartMark().getLine() + 1)
                + "); keep only one");
      }
    }
    return Optional.of(fields);
  }

  /** Reports each key of {@code fields} not among {@code allowed}, with the nearest valid one. */
  void rejectUnknownKeys(Fields fields, List<String> allowed) {
    fields
        .byKey()
        .forEach(
            (key, tuple) -> {
              if (!allowed.contains(key)) {
                problem(
                    tuple.getKeyNode(),
                    fields.pathOf(key),
                    "unknown key '"
                        + key
                        + "'"
                        + suggestion(key, allowed)
                        + "; valid keys: "
                        + String.join(", ", allowed));
              }
            });
  }

  /**
   * The value of {@code key}: read by its type; when absent, a problem if the key is required, else
   * its default (empty when it has none).
   */
  <T> Optional<T> read(Fields fields, ConfigKey<T> key) {
    Optional<Node> node = fields.value(key.name());
    if (node.isPresent()) {
      return key.type().read(this, node.get(), fields.pathOf(key.name()), key.expected());
    }
    if (key.isRequired()) {
      return reject(
          fields.map(),
          fields.pathOf(key.name()),
          "missing required key '" + key.name() + "'; expected " + key.expected());
    }
    return key.defaultValue();
  }

  /** The value of {@code key}, or {@code fallback} when it is absent (an inherited value). */
  <T> Optional<T> read(Fields fields, ConfigKey<T> key, T fallback) {
    return fields.has(key.name()) ? read(fields, key) : Optional.of(fallback);
  }

  // ---- values; each reports its own problem and returns empty ----

  /** A scalar's text with {@code ${VAR}} replaced. Never quoted in a problem: it may be secret. */
  Optional<String> text(Node node, String path, String expected) {
    if (!(node instanceof ScalarNode scalar) || Tag.NULL.equals(scalar.getTag())) {
      return reject(node, path, "expected " + expected + ", got " + describe(node));
    }
    return Placeholders.substitute(
        scalar.getValue(), environment, message -> problem(node, path, message));
  }

  Optional<String> nonBlank(Node node, String path, String expected) {
    return text(node, path, expected)
        .flatMap(text -> text.isBlank() ? invalid(node, path, expected, text) : Optional.of(text));
  }

  /** One string or a list of them, each non-blank. */
  Optional<List<String>> strings(Node node, String path, String expected) {
    if (!(node instanceof SequenceNode sequence)) {
      return nonBlank(node, path, expected + " or a list of them").map(List::of);
    }
    List<Optional<String>> values = new ArrayList<>();
    for (int i = 0; i < sequence.getValue().size(); i++) {
      values.add(nonBlank(sequence.getValue().get(i), path + "[" + i + "]", expected));
    }
    return values.stream().allMatch(Optional::isPresent)
        ? Optional.of(values.stream().map(Optional::get).toList())
        : Optional.empty();
  }

  /** One of {@code allowed}, with the nearest one suggested. */
  static ConfigKey.ValueType<String> choice(List<String> allowed) {
    return (reader, node, path, expected) ->
        reader
            .text(node, path, expected)
            .flatMap(
                text ->
                    allowed.contains(text)
                        ? Optional.of(text)
                        : reader.reject(
                            node,
                            path,
                            "expected "
                                + expected
                                + ", got "
                                + quote(text)
                                + suggestion(text, allowed)));
  }

  Optional<Boolean> bool(Node node, String path, String expected) {
    // YAML 1.1's yes/no/on/off are refused on purpose
    return text(node, path, expected)
        .flatMap(
            text ->
                text.equalsIgnoreCase("true") || text.equalsIgnoreCase("false")
                    ? Optional.of(Boolean.parseBoolean(text))
                    : invalid(node, path, expected, text));
  }

  /** A whole number from 1 to {@code max}. */
  Optional<Integer> wholeNumberUpTo(int max, Node node, String path, String expected) {
    return text(node, path, expected)
        .flatMap(
            text -> {
              if (!WHOLE_NUMBER.matcher(text.strip()).matches()) {
                return invalid(node, path, expected, text);
              }
              long value = Long.parseLong(text.strip());
              return value >= 1 && value <= max
                  ? Optional.of((int) value)
                  : invalid(node, path, "a whole number from 1 to " + max, text);
            });
  }

  /** A whole number, 0 or more. */
  Optional<Long> wholeNumber(Node node, String path, String expected) {
    return text(node, path, expected)
        .flatMap(
            text -> {
              if (!WHOLE_NUMBER.matcher(text.strip()).matches()) {
                return invalid(node, path, expected, text);
              }
              long value = Long.parseLong(text.strip());
              return value < 0 ? invalid(node, path, expected, text) : Optional.of(value);
            });
  }

  /** A whole number, 1 or more. */
  Optional<Long> positiveLong(Node node, String path, String expected) {
    return text(node, path, expected)
        .flatMap(
            text ->
                !text.strip().matches("\\d{1,18}") || Long.parseLong(text.strip()) < 1
                    ? invalid(node, path, expected, text)
                    : Optional.of(Long.parseLong(text.strip())));
  }

  Optional<Double> fraction(Node node, String path, String expected) {
    return text(node, path, expected)
        .flatMap(
            text -> {
              if (!FRACTION.matcher(text.strip()).matches()) {
                return invalid(node, path, expected, text);
              }
              double value = Double.parseDouble(text.strip());
              return value >= 0 && value <= 1
                  ? Optional.of(value)
                  : invalid(node, path, expected, text);
            });
  }

  Optional<Duration> duration(Node node, String path, String expected) {
    return text(node, path, expected)
        .flatMap(
            text -> {
              Matcher matcher = DURATION.matcher(text.strip());
              if (!matcher.matches()) {
                return invalid(node, path, expected, text);
              }
              long amount = Long.parseLong(matcher.group(1));
              if (amount < 0) {
                return invalid(node, path, "a duration of 0s or more", text);
              }
              return Optional.of(
                  switch (matcher.group(2) == null ? "s" : matcher.group(2)) {
                    case "ms" -> Duration.ofMillis(amount);
                    case "m" -> Duration.ofMinutes(amount);
                    case "h" -> Duration.ofHours(amount);
                    case "d" -> Duration.ofDays(amount);
                    default -> Duration.ofSeconds(amount);
                  });
            });
  }

  /** A path resolved against the config file's folder. */
  Optional<Path> folderPath(Node node, String path, String expected) {
    return nonBlank(node, path, expected)
        .flatMap(
            text -> {
              try {
                return Optional.of(folder.resolve(text).normalize());
              } catch (InvalidPathException e) {
                return reject(
                    node, path, e.getReason() + "; expected " + expected + ", got " + quote(text));
              }
            });
  }

  /** A readable file, resolved against the config file's folder. */
  Optional<Path> existingFile(Node node, String path, String expected) {
    return folderPath(node, path, expected)
        .flatMap(
            file ->
                Files.isReadable(file)
                    ? Optional.of(file)
                    : reject(
                        node,
                        path,
                        "cannot read "
                            + file
                            + ": "
                            + (Files.exists(file) ? "permission denied" : "no such file")
                            + "; fix the path"));
  }

  /** Where {@code node} is in the file, as {@code qsync.yaml:13}. */
  String where(Node node) {
    return file + ":" + (node.getStartMark().getLine() + 1);
  }

  // ---- problems ----

  void problem(Node node, String path, String message) {
    Mark mark = node.getStartMark();
    problems.add(new ConfigProblem(file, mark.getLine() + 1, mark.getColumn() + 1, path, message));
  }

  /** Records a problem and returns empty, for {@code return reject(...)}. */
  <T> Optional<T> reject(Node node, String path, String message) {
    problem(node, path, message);
    return Optional.empty();
  }

  <T> Optional<T> invalid(Node node, String path, String expected, String got) {
    return reject(node, path, "expected " + expected + ", got " + quote(got));
  }

  /**
   * {@code text} read as a value of {@code type}, as if it were a plain scalar of a file; empty
   * when it is not one. For holding documentation to the declarations.
   */
  static <T> Optional<T> parse(ConfigKey.ValueType<T> type, String text) {
    Mark mark = new Mark("text", 0, 0, 0, new int[0], 0);
    Node node = new ScalarNode(Tag.STR, text, mark, mark, DumperOptions.ScalarStyle.PLAIN);
    YamlReader reader = new YamlReader(Path.of("text"), Map.of());
    Optional<T> value = type.read(reader, node, "", "");
    return reader.problems.isEmpty() ? value : Optional.empty();
  }

  static String describe(Node node) {
    if (node instanceof ScalarNode scalar) {
      return Tag.NULL.equals(scalar.getTag()) ? "nothing" : quote(scalar.getValue());
    }
    return node instanceof SequenceNode ? "a list" : "a map";
  }

  static boolean isNull(Node node) {
    return node instanceof ScalarNode scalar && Tag.NULL.equals(scalar.getTag());
  }

  static String quote(String text) {
    return '"' + text.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n") + '"';
  }

  /** "a or b", "a, b or c". */
  static String or(List<String> alternatives) {
    int last = alternatives.size() - 1;
    if (last == 0) {
      return alternatives.get(0);
    }
    return String.join(", ", alternatives.subList(0, last)) + " or " + alternatives.get(last);
  }

  static String mapWithKeys(List<String> keys) {
    return "a map with the keys " + String.join(", ", keys);
  }

  /** Why a file could not be read, in a few words. */
  static String reason(IOException e) {
    return e instanceof java.nio.file.NoSuchFileException
        ? "no such file"
        : e instanceof java.nio.file.AccessDeniedException
            ? "permission denied"
            : e instanceof java.nio.charset.CharacterCodingException
                ? "it is not UTF-8 text"
                : String.valueOf(e.getMessage());
  }

  /** " (did you mean 'x'?)" for the candidate within two edits of {@code given}, else "". */
  static String suggestion(String given, Collection<String> candidates) {
    String best = null;
    int bestDistance = 3;
    for (String candidate : candidates) {
      int distance =
          editDistance(given.toLowerCase(Locale.ROOT), candidate.toLowerCase(Locale.ROOT));
      if (distance < bestDistance) {
        best = candidate;
        bestDistance = distance;
      }
    }
    return best == null ? "" : " (did you mean '" + best + "'?)";
  }

  /** Levenshtein distance: the fewest one-character inserts, deletes and changes from a to b. */
  private static int editDistance(String a, String b) {
    int[] row = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      row[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      int diagonal = row[0];
      row[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int above = row[j];
        row[j] =
            Math.min(
                diagonal + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1),
                Math.min(above, row[j - 1]) + 1);
        diagonal = above;
      }
    }
    return row[b.length()];
  }
}
