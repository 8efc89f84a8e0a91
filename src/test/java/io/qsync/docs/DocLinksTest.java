package io.qsync.docs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every relative link and {@code #anchor} in the README, CONTRIBUTING.md and the manual in {@code
 * docs/} resolves: the file exists, and the anchor is a heading of that file as GitHub names it
 * (lowercase, punctuation but {@code -} and {@code _} dropped, spaces to {@code -}, a repeated
 * heading suffixed {@code -1}, {@code -2}, ...). Links to other sites are not followed. Files only;
 * no network.
 */
class DocLinksTest {
  private static final Path ROOT = Path.of("").toAbsolutePath();

  @Test
  void everyRelativeLinkAndAnchorOfTheDocsResolves() {
    List<Path> docs = docs(ROOT);
    assertThat(docs)
        .contains(ROOT.resolve("README.md"), ROOT.resolve("CONTRIBUTING.md"))
        .anySatisfy(doc -> assertThat(doc.getParent()).isEqualTo(ROOT.resolve("docs")));

    assertThat(brokenLinks(ROOT, docs))
        .as("links that lead nowhere; fix the path or the #anchor (GitHub's heading slug)")
        .isEmpty();
  }

  /**
   * The front page opens with the two commands a newcomer needs, exactly as they always were: CI
   * ({@code .ci/run}) runs the second one.
   */
  @Test
  void theFrontPageOpensWithTheQuickstartAndTheTestSuiteCommand() throws IOException {
    List<String> readme = Files.readAllLines(ROOT.resolve("README.md"), StandardCharsets.UTF_8);

    assertThat(readme.subList(0, 6))
        .containsExactly(
            "# qsync",
            "",
            "```sh",
            "./qsync demo      # the quickstart: build, make a 120k-user warehouse, sync it into"
                + " MariaDB, change it, sync again",
            "mvn -B verify     # the whole test suite (unit + integration against a real MariaDB)",
            "```");
    assertThat(Files.readAllLines(ROOT.resolve(".ci/run"), StandardCharsets.UTF_8))
        .contains("mvn -B verify");
  }

  @Test
  void slugsFollowGitHubsRules() {
    assertThat(anchors("# Diffing in the warehouse (`diff: snapshot`)\n"))
        .containsExactly("diffing-in-the-warehouse-diff-snapshot");
    assertThat(anchors("## What a sync costs the application\n## TLS and credentials ##\n"))
        .containsExactly("what-a-sync-costs-the-application", "tls-and-credentials");
    assertThat(anchors("### `max_pause` and [Guards](x.md) *now*\n"))
        .containsExactly("max_pause-and-guards-now");
    assertThat(anchors("## Notes\n## Notes\n## Notes\n"))
        .containsExactly("notes", "notes-1", "notes-2");
    assertThat(anchors("```sh\n# not a heading\n```\n## A -> B\n")).containsExactly("a---b");
  }

  @Test
  void aMissingFileAMissingAnchorAndAMissingHeadingOfAnotherFileAreEachReported(@TempDir Path dir)
      throws IOException {
    Files.createDirectories(dir.resolve("docs"));
    Files.writeString(
        dir.resolve("README.md"),
        """
        # Front
        [ok](docs/a.md) [ok](docs/a.md#second-part) [ok](#front) `[code](#not-a-link)`
        [gone](docs/missing.md) [bad anchor](#nowhere) [bad remote anchor](docs/a.md#nope)
        [site](https://example.com/#x) ![picture](docs/missing.png)
        """);
    Files.writeString(
        dir.resolve("docs/a.md"),
        """
        # A
        ## Second part
        [back](../README.md#front) [up](../README.md#a)
        """);

    assertThat(brokenLinks(dir, docs(dir)))
        .containsExactlyInAnyOrder(
            "README.md:3: docs/missing.md (no such file)",
            "README.md:3: #nowhere (no heading with that anchor in README.md)",
            "README.md:3: docs/a.md#nope (no heading with that anchor in docs/a.md)",
            "README.md:4: docs/missing.png (no such file)",
            "docs/a.md:3: ../README.md#a (no heading with that anchor in README.md)");
  }

  // ---- the checker ------------------------------------------------------------------------

  private static final Pattern FENCE = Pattern.compile("^\\s{0,3}(```|~~~)");
  private static final Pattern HEADING =
      Pattern.compile("^\\s{0,3}#{1,6}\\s+(.*?)(?:\\s+#+)?\\s*$");
  private static final Pattern CODE_SPAN = Pattern.compile("(`+)(.+?)\\1");
  private static final Pattern INLINE_LINK = Pattern.compile("\\]\\(\\s*<?([^)\\s>]+)>?[^)]*\\)");
  private static final Pattern REFERENCE_DEFINITION =
      Pattern.compile("^\\s{0,3}\\[[^\\]]+\\]:\\s*<?(\\S+?)>?(\\s.*)?$");
  private static final Pattern HTML_ANCHOR =
      Pattern.compile("<a\\s+(?:name|id)=\"([^\"]+)\"", Pattern.CASE_INSENSITIVE);
  private static final Pattern SCHEME = Pattern.compile("^[a-zA-Z][a-zA-Z0-9+.-]*:");

  /** README.md, CONTRIBUTING.md and every Markdown file under docs/. */
  static List<Path> docs(Path root) {
    List<Path> docs = new ArrayList<>();
    for (String name : List.of("README.md", "CONTRIBUTING.md")) {
      if (Files.isRegularFile(root.resolve(name))) {
        docs.add(root.resolve(name));
      }
    }
    Path folder = root.resolve("docs");
    if (Files.isDirectory(folder)) {
      try (Stream<Path> files = Files.walk(folder)) {
        files.filter(p -> p.toString().endsWith(".md")).sorted().forEach(docs::add);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return docs;
  }

  /** Each broken link as {@code file:line: target (why)}, the file relative to root. */
  static List<String> brokenLinks(Path root, List<Path> docs) {
    Map<Path, Set<String>> anchorsByFile = new HashMap<>();
    List<String> broken = new ArrayList<>();
    for (Path doc : docs) {
      List<String> lines = read(doc).lines().toList();
      boolean fenced = false;
      for (int i = 0; i < lines.size(); i++) {
        String line = lines.get(i);
        if (FENCE.matcher(line).find()) {
          fenced = !fenced;
          continue;
        }
        if (fenced) {
          continue;
        }
        for (String target : linkTargets(line)) {
          String problem = problem(root, doc, target, anchorsByFile);
          if (problem != null) {
            broken.add(relative(root, doc) + ":" + (i + 1) + ": " + target + " (" + problem + ")");
          }
        }
      }
    }
    return broken;
  }

  private static List<String> linkTargets(String line) {
    String text = CODE_SPAN.matcher(line).replaceAll("code");
    List<String> targets = new ArrayList<>();
    Matcher inline = INLINE_LINK.matcher(text);
    while (inline.find()) {
      targets.add(inline.group(1));
    }
    Matcher definition = REFERENCE_DEFINITION.matcher(text);
    if (definition.matches()) {
      targets.add(definition.group(1));
    }
    targets.removeIf(target -> SCHEME.matcher(target).find() || target.startsWith("//"));
    return targets;
  }

  /** Why a relative link does not resolve, or null when it does. */
  private static String problem(
      Path root, Path from, String target, Map<Path, Set<String>> anchorsByFile) {
    int hash = target.indexOf('#');
    String path = hash < 0 ? target : target.substring(0, hash);
    String anchor = hash < 0 ? null : target.substring(hash + 1);
    int query = path.indexOf('?');
    if (query >= 0) {
      path = path.substring(0, query);
    }
    Path file =
        path.isEmpty() ? from : from.getParent().resolve(path.replace("%20", " ")).normalize();
    if (!file.startsWith(root)) {
      return "outside the repository";
    }
    if (!Files.exists(file)) {
      return "no such file";
    }
    if (anchor == null || anchor.isEmpty()) {
      return null;
    }
    if (!file.toString().endsWith(".md")) {
      return "an anchor into a file that is not Markdown";
    }
    Set<String> anchors = anchorsByFile.computeIfAbsent(file, f -> anchors(read(f)));
    return anchors.contains(anchor)
        ? null
        : "no heading with that anchor in " + relative(root, file);
  }

  /** The anchors GitHub gives a Markdown file's headings (and its {@code <a name/id>} tags). */
  static Set<String> anchors(String markdown) {
    Set<String> anchors = new LinkedHashSet<>();
    Map<String, Integer> seen = new LinkedHashMap<>();
    boolean fenced = false;
    for (String line : markdown.lines().toList()) {
      if (FENCE.matcher(line).find()) {
        fenced = !fenced;
        continue;
      }
      if (fenced) {
        continue;
      }
      Matcher html = HTML_ANCHOR.matcher(line);
      while (html.find()) {
        anchors.add(html.group(1));
      }
      Matcher heading = HEADING.matcher(line);
      if (heading.matches()) {
        String slug = slug(heading.group(1));
        int count = seen.merge(slug, 1, Integer::sum);
        anchors.add(count == 1 ? slug : slug + "-" + (count - 1));
      }
    }
    return anchors;
  }

  /**
   * GitHub's slug of a heading's text: the rendered text (links as their text, no backticks or
   * emphasis), lowercase, every character but letters, digits, {@code _}, {@code -} and spaces
   * dropped, each space a {@code -}.
   */
  static String slug(String heading) {
    String text =
        heading
            .replaceAll("!?\\[([^\\]]*)\\]\\([^)]*\\)", "$1")
            .replace("`", "")
            .replaceAll("\\*+", "");
    return text.toLowerCase(Locale.ROOT)
        .replaceAll("[^\\p{L}\\p{M}\\p{N}\\p{Pc} -]", "")
        .replace(' ', '-');
  }

  private static String relative(Path root, Path file) {
    return root.relativize(file).toString().replace('\\', '/');
  }

  private static String read(Path file) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
