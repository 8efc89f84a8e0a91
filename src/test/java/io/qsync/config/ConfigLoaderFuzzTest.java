package io.qsync.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * Combined mistakes: seeded random mutations of a valid config that uses every key (wrong types,
 * unknown and missing keys, bad references, unknown connection types, renamed connections, blank
 * and out-of-range values), several at once. Whatever the file, the loader answers with a config or
 * with a {@link ConfigException} whose every problem names file and line, never with another
 * exception.
 */
class ConfigLoaderFuzzTest {
  private static final int CONFIGS = 2000;
  private static final Map<String, String> ENVIRONMENT = Map.of("DB_PASSWORD", "pw");

  /** Every key the loader knows, each in a valid form. */
  private static final String VALID =
      """
      stage_dir: stage
      throttle:
        max_rows_per_second: 5000
        batch_time: 500ms
        min_batch_size: 10
        max_batch_size: 5000
        max_threads_running: 40
        critical_threads_running: 80
        replicas: [replica]
        max_replica_lag: 5s
        critical_replica_lag: 60s
        pause_file: pause
        max_pause: 1h
        probe_interval: 1s
      retries: { max_attempts: 5, max_backoff: 30s }
      connections:
        warehouse: { type: duckdb, path: warehouse.duckdb, setup: [CREATE TABLE t (id INT)] }
        bq:
          type: bigquery
          project: my-project
          location: EU
          credentials_file: none
          host: http://127.0.0.1:9050
          labels: { team: growth }
          maximum_bytes_billed: 10000000000
          staging_dataset: staging
          staging_expiration: 48h
          page_size: 1000
          query_parameters: { min_age: 18, since: { type: DATE, value: '2024-01-01' } }
          retry_delay: 1s
        app:
          type: mysql
          url: jdbc:mariadb://127.0.0.1:3306/app
          user: qsync
          password: ${DB_PASSWORD}
          properties: { connectTimeout: 5000 }
          tls: verify-full
          ca_file: ca.pem
          connect_timeout: 10s
          statement_timeout: 60s
          lock_wait_timeout: 10s
        replica:
          type: mysql
          url: jdbc:mysql://127.0.0.1:3307/app
          user: qsync
          password_file: app.password
      syncs:
        orders:
          source: warehouse
          query: SELECT id FROM t
          target: app
          table: orders
          key: [id]
          mode: mirror
          create_table: true
          batch_size: 1000
          lock_timeout: 10s
          allow_empty: false
          max_delete_fraction: 0.5
          throttle: { batch_time: 1s, replicas: [replica] }
          retries: { max_attempts: 3 }
          diff: snapshot
          state_dataset: qsync_state
        events:
          source: bq
          query: SELECT id FROM `p.d.events`
          target: replica
          table: events
          mode: append
      """;

  /** Values of the wrong kind or out of range, for any key. */
  private static final List<Object> ODD_VALUES =
      List.of(
          "",
          " ",
          "lots",
          "-1",
          "0",
          "1.5",
          "99999999999999999999",
          "${UNSET}",
          "${",
          "true",
          "postgres",
          "jdbc:postgresql://x/y",
          "jdbc:mariadb://u:p@h/d",
          "/proc/1/x",
          ":memory:",
          List.of(),
          List.of("a", List.of("b")),
          Map.of(),
          Map.of("x", "y"),
          12,
          -3,
          2.5,
          true);

  private static final List<String> CONNECTION_TYPES =
      List.of("duckdb", "mysql", "bigquery", "postgres", "MySQL", "");
  private static final List<String> ROLES = List.of("source", "target", "replicas");

  @TempDir Path folder;

  @BeforeEach
  void files() throws Exception {
    Files.writeString(folder.resolve("ca.pem"), "-----BEGIN CERTIFICATE-----\n");
    Files.writeString(folder.resolve("app.password"), "pw\n");
  }

  @Test
  void theUnmutatedConfigIsValid() {
    QsyncConfig config = ConfigLoader.parse(folder.resolve("qsync.yaml"), VALID, ENVIRONMENT);

    assertThat(config.syncs()).containsOnlyKeys("orders", "events");
    assertThat(config.connections()).containsOnlyKeys("warehouse", "bq", "app", "replica");
  }

  @Test
  void combinedMistakesAlwaysEndInAConfigExceptionWithFileAndLine() {
    Path file = folder.resolve("qsync.yaml");
    DumperOptions options = new DumperOptions();
    options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
    Yaml yaml = new Yaml(options);
    int rejected = 0;
    for (int seed = 0; seed < CONFIGS; seed++) {
      Random random = new Random(seed);
      Map<Object, Object> tree = new Yaml().load(VALID);
      int mutations = 1 + random.nextInt(6);
      List<String> applied = new ArrayList<>();
      for (int i = 0; i < mutations; i++) {
        applied.add(mutate(tree, random));
      }
      String text = yaml.dump(tree);
      int configSeed = seed;
      try {
        // a tenth also check stage_dir, which touches the disk
        ConfigLoader.parse(file, text, ENVIRONMENT, seed % 10 == 0);
      } catch (ConfigException e) {
        rejected++;
        assertThat(e.problems())
            .as("seed %d: %s", seed, applied)
            .isNotEmpty()
            .allSatisfy(
                problem -> {
                  assertThat(problem.file()).isEqualTo(file);
                  assertThat(problem.line())
                      .as("seed %d: %s\n%s", configSeed, problem, text)
                      .isPositive();
                });
        assertThat(e.getMessage()).contains(file + ":");
      } catch (RuntimeException e) {
        throw new AssertionError(
            "seed " + seed + " (" + applied + ") threw " + e + " for\n" + text, e);
      }
    }
    if (rejected < CONFIGS / 2) {
      fail(
          "only "
              + rejected
              + " of "
              + CONFIGS
              + " mutated configs were rejected: the mutations are too mild");
    }
  }

  // ---- mutations: each changes the tree in place and says what it did ----

  private static String mutate(Map<Object, Object> tree, Random random) {
    return switch (random.nextInt(10)) {
      case 8 -> replaceListItem(tree, random);
      case 9 -> addComplexKey(tree, random);
      case 0 -> replaceValue(tree, random);
      case 1 -> removeKey(tree, random);
      case 2 -> addUnknownKey(tree, random);
      case 3 -> changeConnectionType(tree, random);
      case 4 -> pointRoleElsewhere(tree, random);
      case 5 -> renameConnection(tree, random);
      case 6 -> shareTable(tree, random);
      default -> replaceMap(tree, random);
    };
  }

  private static String replaceValue(Map<Object, Object> tree, Random random) {
    Slot slot = anySlot(tree, random);
    Object value = ODD_VALUES.get(random.nextInt(ODD_VALUES.size()));
    slot.map().put(slot.key(), value);
    return "set " + slot.path() + " to " + value;
  }

  private static String replaceListItem(Map<Object, Object> tree, Random random) {
    Slot slot = anySlot(tree, random);
    if (!(slot.map().get(slot.key()) instanceof List<?> list) || list.isEmpty()) {
      return "no list at " + slot.path();
    }
    List<Object> copy = new ArrayList<>(list);
    Object value = ODD_VALUES.get(random.nextInt(ODD_VALUES.size()));
    copy.set(random.nextInt(copy.size()), value);
    slot.map().put(slot.key(), copy);
    return "set an item of " + slot.path() + " to " + value;
  }

  private static String addComplexKey(Map<Object, Object> tree, Random random) {
    Slot slot = anySlot(tree, random);
    Object key = random.nextBoolean() ? List.of("a") : Map.of("b", 1);
    slot.map().put(key, "x");
    return "added key " + key + " beside " + slot.path();
  }

  private static String removeKey(Map<Object, Object> tree, Random random) {
    Slot slot = anySlot(tree, random);
    slot.map().remove(slot.key());
    return "removed " + slot.path();
  }

  private static String addUnknownKey(Map<Object, Object> tree, Random random) {
    Slot slot = anySlot(tree, random);
    String key = random.nextBoolean() ? slot.key() + "s" : "colour";
    slot.map().put(key, "blue");
    return "added " + key + " beside " + slot.path();
  }

  private static String changeConnectionType(Map<Object, Object> tree, Random random) {
    Map<Object, Object> connection = entry(section(tree, "connections"), random);
    if (connection == null) {
      return "no connection to retype";
    }
    String type = CONNECTION_TYPES.get(random.nextInt(CONNECTION_TYPES.size()));
    connection.put("type", type);
    return "type " + type;
  }

  private static String pointRoleElsewhere(Map<Object, Object> tree, Random random) {
    Map<Object, Object> sync = entry(section(tree, "syncs"), random);
    if (sync == null) {
      return "no sync to repoint";
    }
    List<Object> names = new ArrayList<>(section(tree, "connections").keySet());
    names.add("nowhere");
    String role = ROLES.get(random.nextInt(ROLES.size()));
    Object name = names.get(random.nextInt(names.size()));
    if (role.equals("replicas")) {
      sync.put("throttle", Map.of("replicas", List.of(name)));
    } else {
      sync.put(role, name);
    }
    return role + " -> " + name;
  }

  private static String renameConnection(Map<Object, Object> tree, Random random) {
    Map<Object, Object> connections = section(tree, "connections");
    if (connections.isEmpty()) {
      return "no connection to rename";
    }
    List<Object> names = new ArrayList<>(connections.keySet());
    Object old = names.get(random.nextInt(names.size()));
    Map<Object, Object> renamed = new LinkedHashMap<>();
    connections.forEach((name, value) -> renamed.put(name.equals(old) ? old + "_2" : name, value));
    tree.put("connections", renamed);
    return "renamed connection " + old;
  }

  private static String shareTable(Map<Object, Object> tree, Random random) {
    Map<Object, Object> syncs = section(tree, "syncs");
    Map<Object, Object> sync = entry(syncs, random);
    if (sync == null) {
      return "no sync to copy";
    }
    syncs.put("copy" + random.nextInt(3), new LinkedHashMap<>(sync));
    return "copied a sync";
  }

  private static String replaceMap(Map<Object, Object> tree, Random random) {
    List<String> sections = List.of("connections", "syncs", "throttle", "retries");
    String key = sections.get(random.nextInt(sections.size()));
    Object value = ODD_VALUES.get(random.nextInt(ODD_VALUES.size()));
    tree.put(key, value);
    return "set " + key + " to " + value;
  }

  // ---- walking the tree ----

  private record Slot(Map<Object, Object> map, Object key, String path) {}

  /** A random key of a random map anywhere in the tree. */
  @SuppressWarnings("unchecked")
  private static Slot anySlot(Map<Object, Object> tree, Random random) {
    Map<Object, Object> map = tree;
    String path = "";
    while (true) {
      if (map.isEmpty()) {
        map.put("empty", "x");
      }
      List<Object> keys = new ArrayList<>(map.keySet());
      Object key = keys.get(random.nextInt(keys.size()));
      String here = path.isEmpty() ? String.valueOf(key) : path + "." + key;
      Object value = map.get(key);
      if (value instanceof Map<?, ?> child && random.nextInt(4) != 0) {
        Map<Object, Object> copy = new LinkedHashMap<>((Map<Object, Object>) child);
        map.put(key, copy);
        map = copy;
        path = here;
      } else {
        return new Slot(map, key, here);
      }
    }
  }

  @SuppressWarnings("unchecked")
  private static Map<Object, Object> section(Map<Object, Object> tree, String key) {
    Object value = tree.get(key);
    if (value instanceof Map<?, ?> map) {
      Map<Object, Object> copy = new LinkedHashMap<>((Map<Object, Object>) map);
      tree.put(key, copy);
      return copy;
    }
    return new LinkedHashMap<>();
  }

  /** A random entry of {@code section} that is a map (made mutable), or null. */
  @SuppressWarnings("unchecked")
  private static Map<Object, Object> entry(Map<Object, Object> section, Random random) {
    List<Object> keys = new ArrayList<>(section.keySet());
    if (keys.isEmpty()) {
      return null;
    }
    Object key = keys.get(random.nextInt(keys.size()));
    if (!(section.get(key) instanceof Map<?, ?> map)) {
      return null;
    }
    Map<Object, Object> copy = new LinkedHashMap<>((Map<Object, Object>) map);
    section.put(key, copy);
    return copy;
  }
}
