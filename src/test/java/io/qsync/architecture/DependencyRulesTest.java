package io.qsync.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import org.junit.jupiter.api.Test;

/**
 * The package graph, kept true by the build. Dependencies point inward: the row types know nothing
 * of the project; the diff's values know only rows, and its strategies (which compare) work through
 * the parts' interfaces; the parts of a run (config, source, stage, destination, state) know
 * nothing of the engine; the run's decisions (resume, failure) are pure; the engine knows
 * interfaces and wires concrete parts in one place; the tools (demo, bench, soak) sit beside the
 * product and nothing of the product knows them; nothing but the CLI knows the CLI. Each rule says
 * how to fix a violation. Every package may use the root package {@code io.qsync} (the exception
 * root and its kinds, and the helpers with one home each: {@code Sleeper}, {@code Sha256}, {@code
 * Messages}, {@code Plural}), which knows none of them.
 *
 * <pre>
 *   cli ──▶ engine ──▶ diff.strategy ──▶ config, source, stage, destination, state, diff ──▶ row
 *    │        ▲                  (source.duckdb and stage share duckdb) ─▶ row
 *    ├──▶ serve (scheduler, board, page, metrics, alerts) ──▶ engine, config, state
 *    └──▶ tools (demo, bench, soak) ──▶ engine and the parts
 *   every package ──▶ io.qsync (root)
 * </pre>
 */
class DependencyRulesTest {
  private static final JavaClasses MAIN =
      new ClassFileImporter()
          // Main classes only, wherever the build folder is (-Dbuild.dir moves it).
          .withImportOption(location -> !location.contains("/test-classes/"))
          .importPackages("io.qsync");

  private static final String[] PARTS = {
    "io.qsync.config..", "io.qsync.source..", "io.qsync.stage..", "io.qsync.destination..",
    "io.qsync.state..", "io.qsync.diff..", "io.qsync.row..", "io.qsync.duckdb.."
  };

  @Test
  void rowTypesImportNothingOfTheProject() {
    noClasses()
        .that()
        .resideInAPackage("io.qsync.row..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "io.qsync.config..",
            "io.qsync.source..",
            "io.qsync.stage..",
            "io.qsync.destination..",
            "io.qsync.state..",
            "io.qsync.diff..",
            "io.qsync.duckdb..",
            "io.qsync.engine..",
            "io.qsync.cli..",
            "io.qsync.tools..")
        .because(
            "row holds the value types every layer shares (Column, SqlType, RowSink); keep"
                + " them free of any layer")
        .check(MAIN);
  }

  @Test
  void theRootPackageKnowsNoOtherPackage() {
    noClasses()
        .that()
        .resideInAPackage("io.qsync")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "io.qsync.config..",
            "io.qsync.source..",
            "io.qsync.stage..",
            "io.qsync.destination..",
            "io.qsync.state..",
            "io.qsync.diff..",
            "io.qsync.row..",
            "io.qsync.duckdb..",
            "io.qsync.engine..",
            "io.qsync.cli..",
            "io.qsync.tools..")
        .because(
            "io.qsync holds what every package shares (QsyncException, ErrorKind, Sleeper,"
                + " Sha256, Messages, Plural); a helper that needs a layer belongs in that layer")
        .check(MAIN);
  }

  @Test
  void diffValuesKnowOnlyRows() {
    noClasses()
        .that()
        .resideInAPackage("io.qsync.diff")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "io.qsync.config..",
            "io.qsync.source..",
            "io.qsync.stage..",
            "io.qsync.destination..",
            "io.qsync.state..",
            "io.qsync.diff.strategy..",
            "io.qsync.engine..",
            "io.qsync.cli..",
            "io.qsync.tools..")
        .because(
            "diff holds pure values and arithmetic; what reads or writes rows goes to"
                + " diff.strategy (the comparisons), stage or destination")
        .check(MAIN);
  }

  @Test
  void theChangeSetStrategiesWorkThroughInterfaces() {
    noClasses()
        .that()
        .resideInAPackage("io.qsync.diff.strategy..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "io.qsync.destination.mysql..",
            "io.qsync.source.duckdb..",
            "io.qsync.source.bigquery..")
        .because(
            "a change-set strategy compares through Source, WarehouseState, Stage and"
                + " Destination; the technology behind them is picked by Qsync")
        .check(MAIN);
  }

  @Test
  void theRunsDecisionsArePure() {
    noClasses()
        .that()
        .haveNameMatching("io\\.qsync\\.engine\\.(ResumePolicy|RunFailures)(\\$.*)?")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "io.qsync.destination..",
            "io.qsync.source..",
            "io.qsync.stage..",
            "io.qsync.diff.strategy..",
            "java.nio.file..",
            "java.sql..",
            "java.net..")
        .because(
            "ResumePolicy and RunFailures decide on facts the runner gathered: keep I/O in"
                + " SyncRunner and pass what they need as plain values")
        .check(MAIN);
  }

  @Test
  void theDuckDbValuesTheStageAndTheSourceShareKnowOnlyRows() {
    noClasses()
        .that()
        .resideInAPackage("io.qsync.duckdb..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "io.qsync.config..",
            "io.qsync.source..",
            "io.qsync.stage..",
            "io.qsync.destination..",
            "io.qsync.state..",
            "io.qsync.engine..",
            "io.qsync.cli..",
            "io.qsync.tools..")
        .because("duckdb is shared by the stage and the DuckDB source: neither may own it")
        .check(MAIN);
  }

  @Test
  void theStageDoesNotKnowTheSources() {
    noClasses()
        .that()
        .resideInAPackage("io.qsync.stage..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("io.qsync.source.duckdb..", "io.qsync.source.bigquery..")
        .because(
            "the stage holds rows of any source; what it shares with DuckDB lives in"
                + " io.qsync.duckdb")
        .check(MAIN);
  }

  @Test
  void onlyTheConfigReadsYaml() {
    noClasses()
        .that()
        .resideOutsideOfPackage("io.qsync.config..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("org.yaml.snakeyaml..")
        .because(
            "config files are read by config's YamlReader and the section readers that"
                + " declare their keys; take a QsyncConfig (or one of its records) instead")
        .check(MAIN);
  }

  @Test
  void thePartsOfARunDoNotKnowTheEngineTheCliOrTheTools() {
    noClasses()
        .that()
        .resideInAnyPackage(PARTS)
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("io.qsync.engine..", "io.qsync.cli..", "io.qsync.tools..")
        .because(
            "the engine calls the parts, not the other way round; pass what a part needs as"
                + " a parameter or a small interface of the part's own package")
        .check(MAIN);
  }

  @Test
  void onlyQsyncKnowsConcreteSourcesAndDestinations() {
    noClasses()
        .that()
        .resideInAPackage("io.qsync.engine..")
        .and()
        .doNotHaveSimpleName("Qsync")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "io.qsync.destination.mysql..",
            "io.qsync.source.duckdb..",
            "io.qsync.source.bigquery..")
        .because(
            "the run works through Source and Destination; only Qsync picks the"
                + " implementations")
        .check(MAIN);
  }

  @Test
  void theDestinationRolesDoNotKnowTheirImplementations() {
    noClasses()
        .that()
        .resideInAPackage("io.qsync.destination")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("io.qsync.destination.mysql..")
        .because(
            "io.qsync.destination states the roles of a destination (catalog, table reader,"
                + " change writers, run history, sync locks, load probe); MySQL lives behind them in"
                + " destination.mysql, and a test fakes them without it")
        .check(MAIN);
  }

  @Test
  void theProductDoesNotKnowTheTools() {
    noClasses()
        .that()
        .resideOutsideOfPackages("io.qsync.tools..", "io.qsync.cli..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("io.qsync.tools..")
        .because(
            "demo, bench and soak are tools beside the product: they use the engine, the"
                + " engine never uses them (only their commands in cli start them)")
        .check(MAIN);
  }

  @Test
  void nothingButTheCliKnowsTheCli() {
    noClasses()
        .that()
        .resideOutsideOfPackage("io.qsync.cli..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("io.qsync.cli..")
        .because("commands render reports; the reports themselves live in engine")
        .check(MAIN);
  }

  @Test
  void nothingButTheCliKnowsTheService() {
    noClasses()
        .that()
        .resideOutsideOfPackages("io.qsync.serve..", "io.qsync.cli..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("io.qsync.serve..")
        .because(
            "qsync serve (scheduler, board, status page, metrics, alerts) sits on top of the"
                + " engine and the config like a command: serve may use engine, config and state,"
                + " and only its command in cli starts it; move what engine or config needs from"
                + " serve into engine or config")
        .check(MAIN);
  }
}
