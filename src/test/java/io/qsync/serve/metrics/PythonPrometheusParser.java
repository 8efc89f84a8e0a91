package io.qsync.serve.metrics;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The official Prometheus Python client's parsers ({@code prometheus_client.parser} for the text
 * format 0.0.4, {@code prometheus_client.openmetrics.parser} for OpenMetrics), run in a child
 * {@code python3}: the Java client has no parser of the text format. The interpreter is {@code
 * -Dqsync.python}, else Debian's {@code /usr/bin/python3} (which sees Debian's {@code
 * python3-prometheus-client}), else {@code python3} on the PATH. Without it a test fails and says
 * how to install it; it never skips. Thread-safe.
 */
final class PythonPrometheusParser {
  /** One metric family as the parser read it. */
  record Family(String name, String type, String help, List<Sample> samples) {}

  /** One sample; {@code value} is NaN or an infinity spelled as Python spells it otherwise. */
  record Sample(String name, Map<String, String> labels, double value) {}

  enum Format {
    TEXT("prometheus_client.parser"),
    OPEN_METRICS("prometheus_client.openmetrics.parser");

    final String module;

    Format(String module) {
      this.module = module;
    }
  }

  static final String INSTALL =
      "Install the Prometheus Python client the /metrics test parses with: scripts/ensure-prometheus-parser"
          + " (Debian: apt-get install python3-prometheus-client), or name a python3 that has it"
          + " with -Dqsync.python=/path/to/python3";

  private static final String SCRIPT =
      String.join(
          "\n",
          "import json, math, sys",
          "try:",
          "    module = __import__(sys.argv[1], fromlist=['text_string_to_metric_families'])",
          "except ImportError as e:",
          "    print('cannot import ' + sys.argv[1] + ': ' + str(e), file=sys.stderr)",
          "    sys.exit(3)",
          "families = []",
          "for f in module.text_string_to_metric_families(sys.stdin.read()):",
          "    samples = []",
          "    for s in f.samples:",
          "        v = float(s.value)",
          "        samples.append({'name': s.name, 'labels': s.labels,",
          "                        'value': v if math.isfinite(v) else str(v)})",
          "    families.append({'name': f.name, 'type': f.type, 'help': f.documentation,",
          "                     'samples': samples})",
          "json.dump(families, sys.stdout)",
          "");

  private PythonPrometheusParser() {}

  /** The families of {@code exposition}, in the parser's order. */
  static List<Family> parse(String exposition, Format format) {
    String python = python();
    Process process;
    try {
      process = new ProcessBuilder(python, "-c", SCRIPT, format.module).start();
    } catch (IOException e) {
      throw new AssertionError("cannot start " + python + " (" + e.getMessage() + ")\n" + INSTALL);
    }
    CompletableFuture<byte[]> out = CompletableFuture.supplyAsync(() -> readAll(process, true));
    CompletableFuture<byte[]> err = CompletableFuture.supplyAsync(() -> readAll(process, false));
    try (OutputStream in = process.getOutputStream()) {
      in.write(exposition.getBytes(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new AssertionError("cannot write the exposition to " + python, e);
    }
    try {
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new AssertionError(python + " did not parse the exposition within 60 s");
      }
      String errors = new String(err.get(), StandardCharsets.UTF_8);
      if (process.exitValue() == 3) {
        throw new AssertionError(python + ": " + errors.strip() + "\n" + INSTALL);
      }
      if (process.exitValue() != 0) {
        throw new AssertionError(
            "the Prometheus parser (" + format.module + ") refused the exposition:\n" + errors);
      }
      return families(new ObjectMapper().readTree(out.get()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    } catch (IOException | java.util.concurrent.ExecutionException e) {
      throw new AssertionError("cannot read the parser's answer", e);
    }
  }

  private static List<Family> families(JsonNode json) {
    List<Family> families = new ArrayList<>();
    for (JsonNode family : json) {
      List<Sample> samples = new ArrayList<>();
      for (JsonNode sample : family.get("samples")) {
        Map<String, String> labels = new LinkedHashMap<>();
        sample
            .get("labels")
            .properties()
            .forEach(e -> labels.put(e.getKey(), e.getValue().asText()));
        JsonNode value = sample.get("value");
        samples.add(
            new Sample(
                sample.get("name").asText(),
                labels,
                value.isNumber() ? value.asDouble() : Double.NaN));
      }
      families.add(
          new Family(
              family.get("name").asText(),
              family.get("type").asText(),
              family.get("help").asText(),
              samples));
    }
    return families;
  }

  private static String python() {
    String chosen = System.getProperty("qsync.python");
    if (chosen != null && !chosen.isBlank()) {
      return chosen;
    }
    return Files.isExecutable(Path.of("/usr/bin/python3")) ? "/usr/bin/python3" : "python3";
  }

  private static byte[] readAll(Process process, boolean stdout) {
    try (InputStream stream = stdout ? process.getInputStream() : process.getErrorStream()) {
      return stream.readAllBytes();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
