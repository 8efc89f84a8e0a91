package io.qsync.dist;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * "Running as a service" (docs/service.md) shows what the distribution ships: the systemd unit as
 * {@code src/dist/systemd/qsync.service} has it, and YAML (Kubernetes objects, Prometheus config,
 * alert rules) that a reader can paste, so every YAML block of the page, and the example config,
 * parses.
 */
class ServiceDocTest {
  private static final Path ROOT = Path.of("").toAbsolutePath();
  private static final Pattern BLOCK = Pattern.compile("```(\\w+)\\n(.*?)```", Pattern.DOTALL);

  @Test
  void showsTheUnitTheDistributionShips() throws IOException {
    String unit = Files.readString(ROOT.resolve("src/dist/systemd/qsync.service"));

    assertThat(blocks("ini")).as("the ini blocks of docs/service.md").containsExactly(unit);
  }

  @Test
  void everyYamlBlockParses() throws IOException {
    List<String> yaml = blocks("yaml");
    assertThat(yaml).as("Kubernetes objects, scrape config, alert rules").hasSizeGreaterThan(2);
    for (String block : yaml) {
      List<Object> documents = new ArrayList<>();
      new Yaml(new LoaderOptions()).loadAll(block).forEach(documents::add);
      assertThat(documents).as(block).isNotEmpty().doesNotContainNull();
    }
  }

  @Test
  void theExampleConfigParsesAndKeepsItsSecretsOutOfTheFile() throws IOException {
    String example = Files.readString(ROOT.resolve("src/dist/conf/qsync.example.yaml"));

    Object config = new Yaml(new LoaderOptions()).load(example);

    assertThat(config).isInstanceOf(Map.class);
    assertThat(example)
        .contains("password: \"${APP_DB_PASSWORD}\"")
        .contains("token: \"${QSYNC_TOKEN}\"")
        .contains("every: 15m")
        .contains("max_staleness: 2h")
        .contains("\nserve:\n")
        .contains("\nalerts:\n");
  }

  private static List<String> blocks(String language) throws IOException {
    String page = Files.readString(ROOT.resolve("docs/service.md"));
    List<String> blocks = new ArrayList<>();
    Matcher block = BLOCK.matcher(page);
    while (block.find()) {
      if (block.group(1).equals(language)) {
        blocks.add(block.group(2));
      }
    }
    return blocks;
  }
}
