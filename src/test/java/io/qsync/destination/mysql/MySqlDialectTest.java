package io.qsync.destination.mysql;

import static org.assertj.core.api.Assertions.assertThat;

import io.qsync.row.Column;
import io.qsync.row.SqlType;
import io.qsync.row.SqlType.Kind;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MySqlDialectTest {
  private static final List<Column> COLUMNS =
      List.of(
          new Column("id", SqlType.of(Kind.BIGINT)), new Column("name", SqlType.of(Kind.VARCHAR)));

  @ParameterizedTest(name = "{0}")
  @CsvSource({
    "10.11.19-MariaDB-0+deb12u1, false, utf8mb4_nopad_bin",
    "11.4.5-MariaDB,             false, utf8mb4_nopad_bin",
    "10.6.16-mariadb-log,        false, utf8mb4_nopad_bin",
    "5.7.44-log,                 false, utf8mb4_bin",
    "8.0.16,                     false, utf8mb4_bin",
    "8.0.18,                     false, utf8mb4_0900_bin",
    "8.0.19,                     true,  utf8mb4_0900_bin",
    "8.0.36,                     true,  utf8mb4_0900_bin",
    "8.0.36-0ubuntu0.22.04.1,    true,  utf8mb4_0900_bin",
    "8.4.0,                      true,  utf8mb4_0900_bin",
    "9.1.0,                      true,  utf8mb4_0900_bin",
  })
  void picksTheUpsertFormAndTheExactKeyCollationFromTheServerVersion(
      String version, boolean rowAlias, String keyCollation) {
    assertThat(MySqlDialect.forVersion(version))
        .isEqualTo(new MySqlDialect(rowAlias, keyCollation));
  }

  @Test
  void mariaDbUpsertNamesTheIncomingRowWithValues() {
    assertThat(MySqlDialect.MARIADB.upsert("t", COLUMNS, 2))
        .isEqualTo(
            "INSERT INTO `t` (`id`, `name`) VALUES (?, ?), (?, ?)"
                + " ON DUPLICATE KEY UPDATE `id` = VALUES(`id`), `name` = VALUES(`name`)");
  }

  @Test
  void mySql8UpsertNamesTheIncomingRowWithARowAlias() {
    assertThat(MySqlDialect.MYSQL_8.upsert("t", COLUMNS, 2))
        .isEqualTo(
            "INSERT INTO `t` (`id`, `name`) VALUES (?, ?), (?, ?) AS new"
                + " ON DUPLICATE KEY UPDATE `id` = new.`id`, `name` = new.`name`");
  }

  @Test
  void upsertOfOneRowOfOneColumn() {
    assertThat(MySqlDialect.MARIADB.upsert("t", List.of(COLUMNS.get(0)), 1))
        .isEqualTo("INSERT INTO `t` (`id`) VALUES (?) ON DUPLICATE KEY UPDATE `id` = VALUES(`id`)");
  }

  @Test
  void plainInsertHasNoUpdateClause() {
    assertThat(MySqlDialect.MYSQL_8.insert("t", COLUMNS, 3).toString())
        .isEqualTo("INSERT INTO `t` (`id`, `name`) VALUES (?, ?), (?, ?), (?, ?)");
  }

  @Test
  void deletesBySingleColumnKey() {
    assertThat(MySqlDialect.MARIADB.delete("t", List.of("id"), 3))
        .isEqualTo("DELETE FROM `t` WHERE `id` IN (?, ?, ?)");
    assertThat(MySqlDialect.MARIADB.delete("t", List.of("id"), 1))
        .isEqualTo("DELETE FROM `t` WHERE `id` IN (?)");
  }

  @Test
  void deletesByCompositeKeyWithRowConstructors() {
    assertThat(MySqlDialect.MYSQL_8.delete("t", List.of("tenant", "id"), 2))
        .isEqualTo("DELETE FROM `t` WHERE (`tenant`, `id`) IN ((?, ?), (?, ?))");
    assertThat(MySqlDialect.MARIADB.delete("t", List.of("a", "b", "c"), 1))
        .isEqualTo("DELETE FROM `t` WHERE (`a`, `b`, `c`) IN ((?, ?, ?))");
  }

  @Test
  void quotesIdentifiersWithBackticksSpacesAndUnicode() {
    assertThat(MySqlDialect.quote("plain")).isEqualTo("`plain`");
    assertThat(MySqlDialect.quote("odd `name` 표")).isEqualTo("`odd ``name`` 표`");
    assertThat(MySqlDialect.quote("`")).isEqualTo("````");
    assertThat(MySqlDialect.quote("with space")).isEqualTo("`with space`");
    assertThat(MySqlDialect.quote("ünïcödé 🧪")).isEqualTo("`ünïcödé 🧪`");
    assertThat(MySqlDialect.quote("semi;colon'quote\"")).isEqualTo("`semi;colon'quote\"`");
  }

  @Test
  void quotesOddNamesEverywhereInStatements() {
    List<Column> columns =
        List.of(
            new Column("k`ey", SqlType.of(Kind.INTEGER)),
            new Column("값 value", SqlType.of(Kind.VARCHAR)));
    assertThat(MySqlDialect.MYSQL_8.upsert("odd `name` 표", columns, 1))
        .isEqualTo(
            "INSERT INTO `odd ``name`` 표` (`k``ey`, `값 value`) VALUES (?, ?) AS new"
                + " ON DUPLICATE KEY UPDATE `k``ey` = new.`k``ey`, `값 value` = new.`값 value`");
    assertThat(MySqlDialect.MARIADB.delete("odd `name` 표", List.of("k`ey"), 1))
        .isEqualTo("DELETE FROM `odd ``name`` 표` WHERE `k``ey` IN (?)");
  }

  @Test
  void createsTheTableWithTheKeyAsPrimaryKey() {
    List<Column> columns =
        List.of(
            new Column("tenant", SqlType.of(Kind.VARCHAR)),
            new Column("id", SqlType.of(Kind.BIGINT)),
            new Column("score", SqlType.decimal(10, 3)),
            new Column("note", SqlType.of(Kind.VARCHAR)));
    assertThat(MySqlDialect.MARIADB.createTable("t", columns, List.of("tenant", "ID")))
        .isEqualTo(
            "CREATE TABLE `t` (\n"
                + "  `tenant` VARCHAR(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin NOT NULL,\n"
                + "  `id` BIGINT NOT NULL,\n"
                + "  `score` DECIMAL(10,3) NULL,\n"
                + "  `note` LONGTEXT CHARACTER SET utf8mb4 NULL,\n"
                + "  PRIMARY KEY (`tenant`, `ID`)\n"
                + ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4");
  }

  @Test
  void createsATableWithoutPrimaryKeyWhenThereIsNoKey() {
    assertThat(MySqlDialect.MYSQL_8.createTable("log `x`", COLUMNS, List.of()))
        .isEqualTo(
            "CREATE TABLE `log ``x``` (\n"
                + "  `id` BIGINT NULL,\n"
                + "  `name` LONGTEXT CHARACTER SET utf8mb4 NULL\n"
                + ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4");
  }
}
