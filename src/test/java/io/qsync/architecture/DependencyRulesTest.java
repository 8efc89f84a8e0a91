package io.qsync.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import org.junit.jupiter.api.Test;

/**
 * Dependencies point inward: value types know nothing of the project, the run's steps know
 * nothing of the engine, the engine knows interfaces (and wires concrete parts in one place), and
 * nothing but the CLI knows the CLI. Each rule says how to fix a violation.
 */
class DependencyRulesTest {
  private static final JavaClasses MAIN =
      new ClassFileImporter()
          // Main classes only, wherever the build folder is (-Dbuild.dir moves it).
          .withImportOption(location -> !location.contains("/test-classes/"))
          .importPackages("io.qsync");

  @Test
  void diffValuesImportNothingOfTheProject() {
    noClasses()
        .that()
        .resideInAPackage("io.qsync.diff..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "io.qsync.config..", "io.qsync.source..", "io.qsync.stage..", "io.qsync.target..",
            "io.qsync.state..", "io.qsync.engine..", "io.qsync.cli..", "io.qsync.demo..")
        .because("diff holds pure values and arithmetic; move I/O to stage or target")
        .check(MAIN);
  }

  @Test
  void theStepsOfARunDoNotKnowTheEngineOrTheCli() {
    noClasses()
        .that()
        .resideInAnyPackage(
            "io.qsync.config..", "io.qsync.source..", "io.qsync.stage..", "io.qsync.target..",
            "io.qsync.state..", "io.qsync.diff..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("io.qsync.engine..", "io.qsync.cli..")
        .because("the engine calls the steps, not the other way round; pass what a step needs as"
            + " a parameter or a small interface of the step's own package")
        .check(MAIN);
  }

  @Test
  void onlyTheCommandsKnowConcreteSourcesAndTargets() {
    noClasses()
        .that()
        .resideInAPackage("io.qsync.engine..")
        .and()
        .doNotHaveSimpleName("Qsync")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "io.qsync.target.mysql..", "io.qsync.source.duckdb..", "io.qsync.source.bigquery..")
        .because("SyncRunner works through Source and Target; only Qsync picks the implementations")
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
}
