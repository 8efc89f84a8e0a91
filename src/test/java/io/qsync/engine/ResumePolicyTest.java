package io.qsync.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.qsync.config.Mode;
import io.qsync.diff.ChangeCounts;
import io.qsync.engine.ResumePolicy.Decision;
import io.qsync.engine.ResumePolicy.Facts;
import io.qsync.engine.ResumePolicy.Fresh;
import io.qsync.engine.ResumePolicy.Refuse;
import io.qsync.engine.ResumePolicy.Resume;
import io.qsync.engine.ResumePolicy.StageFacts;
import io.qsync.engine.ResumePolicy.StartOver;
import io.qsync.state.RunPhase;
import io.qsync.state.RunRecord;
import io.qsync.state.RunStatus;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ResumePolicyTest {
  private static final Instant STARTED = Instant.parse("2026-03-01T10:00:00Z");
  private static final StageFacts GOOD_STAGE =
      new StageFacts(true, Optional.of("r1"), true, true, Optional.empty());

  /** Run r1, stopped in {@code phase} after change 40 of 100, 2 batches committed. */
  private static RunRecord unfinished(Mode mode, RunPhase phase) {
    return RunRecord.started("r1", "s", "t", mode.configName(), STARTED, "host", 1, 7)
        .withChangeSet(new ChangeCounts(100, 100, 0, 0, 0), 100)
        .withCheckpoint(40, 2)
        .withPhase(phase);
  }

  private static Facts facts(RunRecord previous, Mode mode) {
    return new Facts(
        "s",
        "t",
        mode,
        Optional.of(previous),
        false,
        false,
        true,
        false,
        "/stage/s.duckdb",
        Optional.of(GOOD_STAGE));
  }

  private static Facts withStage(Facts facts, StageFacts stage) {
    return new Facts(
        facts.sync(),
        facts.table(),
        facts.mode(),
        facts.unfinished(),
        facts.restart(),
        facts.resumesQueries(),
        facts.tableExists(),
        facts.shadowExists(),
        facts.stageFile(),
        Optional.of(stage));
  }

  private static Facts withTables(Facts facts, boolean tableExists, boolean shadowExists) {
    return new Facts(
        facts.sync(),
        facts.table(),
        facts.mode(),
        facts.unfinished(),
        facts.restart(),
        facts.resumesQueries(),
        tableExists,
        shadowExists,
        facts.stageFile(),
        facts.stage());
  }

  private static Facts restarting(Facts facts) {
    return new Facts(
        facts.sync(),
        facts.table(),
        facts.mode(),
        facts.unfinished(),
        true,
        facts.resumesQueries(),
        facts.tableExists(),
        facts.shadowExists(),
        facts.stageFile(),
        facts.stage());
  }

  private static Facts resumingQueries(Facts facts) {
    return new Facts(
        facts.sync(),
        facts.table(),
        facts.mode(),
        facts.unfinished(),
        facts.restart(),
        true,
        facts.tableExists(),
        facts.shadowExists(),
        facts.stageFile(),
        facts.stage());
  }

  private static String whyStartedOver(Decision decision) {
    assertThat(decision).isInstanceOf(StartOver.class);
    return ((StartOver) decision).why();
  }

  @Test
  void startsFreshWithoutAnUnfinishedRun() {
    Facts facts =
        new Facts(
            "s",
            "t",
            Mode.MIRROR,
            Optional.empty(),
            false,
            false,
            true,
            false,
            "/stage/s.duckdb",
            Optional.empty());

    assertThat(ResumePolicy.decide(facts)).isEqualTo(new Fresh());
  }

  @Test
  void resumesAfterTheCheckpointOfACompleteChangeSet() {
    Decision decision =
        ResumePolicy.decide(facts(unfinished(Mode.MIRROR, RunPhase.APPLY), Mode.MIRROR));

    assertThat(decision).isInstanceOf(Resume.class);
    Resume resume = (Resume) decision;
    assertThat(resume.checkpoint()).isEqualTo(40);
    assertThat(resume.reExtracts()).isFalse();
    assertThat(resume.note())
        .isEqualTo("resumed run r1 after change 40 of 100 (2 batches were already committed)");
  }

  @Test
  void saysOneBatchWasCommitted() {
    RunRecord previous = unfinished(Mode.MIRROR, RunPhase.APPLY).withCheckpoint(20, 1);

    Resume resume = (Resume) ResumePolicy.decide(facts(previous, Mode.MIRROR));

    assertThat(resume.note()).endsWith("(1 batch was already committed)");
  }

  @Test
  void restartAbandonsEvenAFailedRunAndDropsWhatItBuilt() {
    RunRecord failed =
        unfinished(Mode.MIRROR, RunPhase.APPLY)
            .finished(RunStatus.FAILED, STARTED.plusSeconds(5), Optional.of("boom"));

    Decision decision = ResumePolicy.decide(restarting(facts(failed, Mode.MIRROR)));

    StartOver over = (StartOver) decision;
    assertThat(over.why()).isEqualTo("--restart was given");
    assertThat(over.abandoned()).hasValue("abandoned: --restart was given; it had failed: boom");
    assertThat(over.dropShadow()).isTrue();
    assertThat(over.note()).isEqualTo("did not resume run r1 (--restart was given); starting over");
  }

  @Test
  void aFailedRunKeepsItsStatusWhenItIsNotResumable() {
    RunRecord failed =
        unfinished(Mode.MIRROR, RunPhase.CHECK)
            .finished(RunStatus.FAILED, STARTED.plusSeconds(5), Optional.of("boom"));

    StartOver over = (StartOver) ResumePolicy.decide(facts(failed, Mode.MIRROR));

    assertThat(over.abandoned()).isEmpty();
    assertThat(over.dropShadow()).isFalse();
  }

  @Test
  void aKilledRunThatStillSaysRunningIsClosed() {
    StartOver over =
        (StartOver)
            ResumePolicy.decide(facts(unfinished(Mode.MIRROR, RunPhase.CHECK), Mode.MIRROR));

    assertThat(over.abandoned())
        .hasValueSatisfying(
            error ->
                assertThat(error)
                    .startsWith("abandoned: it stopped needing action in step ")
                    .doesNotContain("it had failed"));
  }

  @Test
  void aRunThatStoppedNeedingActionStartsOver() {
    for (RunPhase phase :
        new RunPhase[] {RunPhase.QUERY, RunPhase.READ, RunPhase.CHECK, RunPhase.REJECTED}) {
      String why =
          whyStartedOver(ResumePolicy.decide(facts(unfinished(Mode.MIRROR, phase), Mode.MIRROR)));

      assertThat(why)
          .isEqualTo(
              "it stopped needing action in step '"
                  + phase
                  + "'; its change set"
                  + " is stale once that is fixed");
    }
  }

  @Test
  void anExtractStartsOverWhenTheSourceCannotReadItsResultAgain() {
    String why =
        whyStartedOver(
            ResumePolicy.decide(facts(unfinished(Mode.MIRROR, RunPhase.EXTRACT), Mode.MIRROR)));

    assertThat(why).isEqualTo("it stopped before its change set was complete");
  }

  @Test
  void anExtractIsReadAgainFromItsJob() {
    RunRecord extracting =
        unfinished(Mode.MIRROR, RunPhase.EXTRACT).withSourceJob(Optional.of("job_1"));
    Facts facts = resumingQueries(withStage(facts(extracting, Mode.MIRROR), StageFacts.MISSING));

    Resume resume = (Resume) ResumePolicy.decide(facts);

    assertThat(resume.reExtracts()).isTrue();
    assertThat(resume.note())
        .isEqualTo(
            "resumed run r1, which stopped while extracting: its"
                + " query's result is read again (job job_1)");
  }

  @Test
  void aRunWhoseTableIsGoneStartsOver() {
    Facts facts =
        withTables(facts(unfinished(Mode.MIRROR, RunPhase.APPLY), Mode.MIRROR), false, false);

    assertThat(whyStartedOver(ResumePolicy.decide(facts))).isEqualTo("its table t is gone");
  }

  @Test
  void aSwapFinishesWhileTheNewTableIsThere() {
    Facts facts =
        withStage(
            withTables(facts(unfinished(Mode.REPLACE, RunPhase.SWAP), Mode.REPLACE), false, true),
            StageFacts.MISSING);

    assertThat(ResumePolicy.decide(facts)).isInstanceOf(Resume.class);
  }

  @Test
  void aSwapWithBothTablesGoneStartsOver() {
    Facts facts =
        withTables(facts(unfinished(Mode.REPLACE, RunPhase.SWAP), Mode.REPLACE), false, false);

    assertThat(whyStartedOver(ResumePolicy.decide(facts))).isEqualTo("its table t is gone");
  }

  @Test
  void aReplaceBuildingItsTableDoesNotNeedTheOldOne() {
    Facts facts =
        withTables(facts(unfinished(Mode.REPLACE, RunPhase.APPLY), Mode.REPLACE), false, true);

    assertThat(ResumePolicy.decide(facts)).isInstanceOf(Resume.class);
  }

  @Test
  void aMissingStageFileStartsOver() {
    Facts facts =
        withStage(facts(unfinished(Mode.MIRROR, RunPhase.APPLY), Mode.MIRROR), StageFacts.MISSING);

    assertThat(whyStartedOver(ResumePolicy.decide(facts)))
        .isEqualTo("its stage file /stage/s.duckdb is gone");
  }

  @Test
  void aStageOfAnotherRunStartsOver() {
    Facts facts =
        withStage(
            facts(unfinished(Mode.MIRROR, RunPhase.APPLY), Mode.MIRROR),
            new StageFacts(true, Optional.of("r0"), true, true, Optional.empty()));

    assertThat(whyStartedOver(ResumePolicy.decide(facts)))
        .isEqualTo("the stage file holds another run");
  }

  @Test
  void anIncompleteChangeSetStartsOver() {
    Facts facts =
        withStage(
            facts(unfinished(Mode.MIRROR, RunPhase.APPLY), Mode.MIRROR),
            new StageFacts(true, Optional.of("r1"), false, true, Optional.empty()));

    assertThat(whyStartedOver(ResumePolicy.decide(facts)))
        .isEqualTo("its change set was not complete");
  }

  @Test
  void aChangedDefinitionStartsOver() {
    Facts facts =
        withStage(
            facts(unfinished(Mode.MIRROR, RunPhase.APPLY), Mode.MIRROR),
            new StageFacts(true, Optional.of("r1"), true, false, Optional.empty()));

    assertThat(whyStartedOver(ResumePolicy.decide(facts)))
        .isEqualTo("the sync's definition changed since");
  }

  @Test
  void aTableThatCannotHoldTheRowsAnyMoreStartsOver() {
    Facts facts =
        withStage(
            facts(unfinished(Mode.MIRROR, RunPhase.APPLY), Mode.MIRROR),
            new StageFacts(true, Optional.of("r1"), true, true, Optional.of("column v is gone")));

    assertThat(whyStartedOver(ResumePolicy.decide(facts)))
        .isEqualTo(
            "table t changed since and cannot hold its rows as it is now (column v is gone)");
  }

  @Test
  void aTableProblemDoesNotMatterOnceTheChangesAreApplied() {
    Facts facts =
        withStage(
            facts(unfinished(Mode.MIRROR, RunPhase.STATE), Mode.MIRROR),
            new StageFacts(true, Optional.of("r1"), true, true, Optional.of("column v is gone")));

    assertThat(ResumePolicy.decide(facts)).isInstanceOf(Resume.class);
  }

  @Test
  void aReplaceWhoseShadowTableIsGoneStartsOver() {
    Facts facts = facts(unfinished(Mode.REPLACE, RunPhase.APPLY), Mode.REPLACE);

    StartOver over = (StartOver) ResumePolicy.decide(facts);

    assertThat(over.why()).isEqualTo("its shadow table is gone");
    assertThat(over.dropShadow()).isTrue();
  }

  @Test
  void aReplaceThatAppliedNothingNeedsNoShadowTable() {
    RunRecord previous = unfinished(Mode.REPLACE, RunPhase.APPLY).withCheckpoint(0, 0);

    assertThat(ResumePolicy.decide(facts(previous, Mode.REPLACE))).isInstanceOf(Resume.class);
  }

  @Test
  void refusesToAppendTwice() {
    Facts facts =
        withStage(facts(unfinished(Mode.APPEND, RunPhase.APPLY), Mode.APPEND), StageFacts.MISSING);

    Decision decision = ResumePolicy.decide(facts);

    assertThat(decision)
        .isEqualTo(
            new Refuse(
                "sync 's': run r1 appended 40 of 100 rows before it"
                    + " stopped, and cannot be resumed (its stage file /stage/s.duckdb is gone)\nStarting over"
                    + " would append those rows again. Delete them from t and run with --restart, or run with"
                    + " --restart to append the whole result again."));
  }

  @Test
  void appendsAgainOnPurposeOrOnceTheTableIsGone() {
    Facts facts =
        withStage(facts(unfinished(Mode.APPEND, RunPhase.APPLY), Mode.APPEND), StageFacts.MISSING);

    assertThat(ResumePolicy.decide(restarting(facts))).isInstanceOf(StartOver.class);
    assertThat(ResumePolicy.decide(withTables(facts, false, false))).isInstanceOf(StartOver.class);
  }

  @Test
  void anAppendThatAppendedNothingStartsOver() {
    RunRecord previous = unfinished(Mode.APPEND, RunPhase.APPLY).withCheckpoint(0, 0);

    Decision decision =
        ResumePolicy.decide(withStage(facts(previous, Mode.APPEND), StageFacts.MISSING));

    assertThat(decision).isInstanceOf(StartOver.class);
  }
}
