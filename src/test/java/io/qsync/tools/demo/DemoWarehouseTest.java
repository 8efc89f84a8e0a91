package io.qsync.tools.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.qsync.testing.Warehouse;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DemoWarehouseTest {
  private static final String TARGETS =
      "SELECT * FROM (" + DemoWarehouse.TARGETING_QUERY + ") ORDER BY user_id";

  @TempDir Path dir;

  @Test
  void sameRowCountGivesTheSameData() {
    DemoWarehouse first = new DemoWarehouse(dir.resolve("first.duckdb"));
    DemoWarehouse second = new DemoWarehouse(dir.resolve("second.duckdb"));
    first.create(2_000);
    second.create(2_000);
    first.mutate();
    second.mutate();

    assertThat(rows(second, TARGETS)).isEqualTo(rows(first, TARGETS)).hasSizeGreaterThan(500);
  }

  @Test
  void createReplacesAnEarlierWarehouse() {
    DemoWarehouse warehouse = new DemoWarehouse(dir.resolve("warehouse.duckdb"));
    warehouse.create(1_000);
    warehouse.mutate();
    DemoWarehouse.Counts counts = warehouse.create(1_000);

    assertThat(counts.users()).isEqualTo(1_000);
    assertThat(rows(warehouse, "SELECT count(*), max(user_id) FROM users"))
        .containsExactly(List.of("1000", "1000"));
  }

  @Test
  void dataHasKoreanAndEmojiTextNullsMicrosecondsAndDecimals() {
    DemoWarehouse warehouse = new DemoWarehouse(dir.resolve("warehouse.duckdb"));
    warehouse.create(5_000);

    List<String> facts =
        rows(
                warehouse,
                "SELECT bool_or(city = '서울'), bool_or(nickname LIKE '%🚀%'), bool_or(nickname IS"
                    + " NULL), bool_or(previous_variant IS NULL), bool_or(previous_variant ="
                    + " 'control'), bool_or(marketing_opt_in IS NULL), bool_or(last_seen_at IS"
                    + " NULL), bool_or(microsecond(signed_up_at) % 1000 <> 0), bool_or(score < 0),"
                    + " bool_and(typeof(score) = 'DECIMAL(10,4)') FROM ("
                    + DemoWarehouse.TARGETING_QUERY
                    + ")")
            .get(0);
    assertThat(facts).containsOnly("true");
  }

  @Test
  void targetsOnlyUnassignedOrControlUsersWhoMissedThePaywall() {
    DemoWarehouse warehouse = new DemoWarehouse(dir.resolve("warehouse.duckdb"));
    warehouse.create(5_000);

    String treatedOrViewed =
        "SELECT count(*) FROM ("
            + DemoWarehouse.TARGETING_QUERY
            + ") AS t"
            + " WHERE t.user_id IN (SELECT user_id FROM assignments WHERE variant <> 'control')"
            + " OR t.user_id IN (SELECT user_id FROM screen_views WHERE screen = 'paywall'"
            + " AND viewed_at >= TIMESTAMP '2025-01-06 09:00:00'"
            + " AND viewed_at < TIMESTAMP '2025-02-03 09:00:00')";
    assertThat(rows(warehouse, treatedOrViewed)).containsExactly(List.of("0"));
    assertThat(warehouse.countRows(DemoWarehouse.TARGETING_QUERY)).isBetween(2_500L, 4_000L);
  }

  @Test
  void mutationAddsOnePercentUpdatesTwoAndDeletesHalf() {
    DemoWarehouse warehouse = new DemoWarehouse(dir.resolve("warehouse.duckdb"));
    warehouse.create(20_000);

    DemoWarehouse.Changes changes = warehouse.mutate();

    assertThat(changes.added()).isEqualTo(200);
    assertThat(changes.updated()).isBetween(320L, 480L);
    assertThat(changes.deleted()).isBetween(60L, 140L);
    assertThat(rows(warehouse, "SELECT count(*) FROM users"))
        .containsExactly(List.of(String.valueOf(20_000 + changes.added() - changes.deleted())));
  }

  private static List<List<String>> rows(DemoWarehouse warehouse, String sql) {
    return new Warehouse(warehouse.file()).rows(sql);
  }
}
