package org.dinoj.worker.activities;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.temporal.activity.ActivityOptions;
import io.temporal.common.RetryOptions;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.CanceledFailure;
import io.temporal.testing.TestActivityEnvironment;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.dinoj.model.checkpoint.CheckpointStore;
import org.dinoj.model.checkpoint.SafeTensors;
import org.dinoj.model.checkpoint.SafeTensorsFile;
import org.dinoj.model.train.TrainingSession;
import org.dinoj.worker.toy.ToyEvaluator;
import org.dinoj.worker.toy.ToyTrainingSession;
import org.dinoj.worker.toy.ToyTrainingSessionFactory;
import org.dinoj.workflows.CheckpointRef;
import org.dinoj.workflows.EvalResult;
import org.dinoj.workflows.EvaluateRequest;
import org.dinoj.workflows.MergeRoundRequest;
import org.dinoj.workflows.RoundHeartbeat;
import org.dinoj.workflows.TrainRoundRequest;
import org.dinoj.workflows.TrainRoundResult;
import org.dinoj.workflows.TrainingActivities;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainingActivitiesImplTest {
    private static final String CONFIG = "optim: {epochs: 1}\ntrain: {OFFICIAL_EPOCH_LENGTH: 100}\ntoy: {dim: 3}\n";

    @TempDir
    Path dir;

    private TestActivityEnvironment env;
    private final List<RoundHeartbeat> heartbeats = new CopyOnWriteArrayList<>();

    private TrainingActivities activities(TrainingPolicy policy) {
        env = TestActivityEnvironment.newInstance();
        env.registerActivitiesImplementations(new TrainingActivitiesImpl(new ToyTrainingSessionFactory(),
                new ToyEvaluator(), policy));
        env.setActivityHeartbeatListener(RoundHeartbeat.class, heartbeats::add);
        return env.newActivityStub(TrainingActivities.class, ActivityOptions.newBuilder()
                .setStartToCloseTimeout(Duration.ofMinutes(1))
                // The SDK sends heartbeats at most every 0.8 x this timeout: short, so that listeners see many.
                .setHeartbeatTimeout(Duration.ofMillis(100))
                .setRetryOptions(RetryOptions.newBuilder().setMaximumAttempts(1).build())
                .build());
    }

    @AfterEach
    void close() {
        if (env != null) {
            env.close();
        }
    }

    private TrainRoundRequest round(String config, CheckpointRef from, long end, long every) {
        return round(config, 0, 1, from, end, every);
    }

    private TrainRoundRequest round(String config, int shard, int shards, CheckpointRef from, long end, long every) {
        return new TrainRoundRequest("job", config, dir.toUri().toString(), 0, shard, shards, from, end, every, 0);
    }

    private CheckpointStore shardStore(int shard) {
        return new CheckpointStore(dir.resolve("shard-" + shard));
    }

    private CheckpointRef ref(int shard, long step) throws IOException {
        return CheckpointLayout.ref(shardStore(shard).verify(step));
    }

    private static double[] student(CheckpointRef ref) throws IOException {
        try (SafeTensorsFile f = SafeTensors.read(CheckpointLayout.directory(ref).resolve("model.safetensors"))) {
            return f.tensor("student.w").toDoubleArray();
        }
    }

    @Test
    void checkpointsOnTheCadenceAndAtTheEndAndKeepsTheNewest() throws IOException {
        String slow = CONFIG.replace("toy: {dim: 3}", "toy: {dim: 3, step_millis: 4}");
        TrainRoundResult r = activities(new TrainingPolicy(3, 3, 2)).trainRound(round(slow, null, 100, 30));

        assertThat(r.checkpoint().step()).isEqualTo(100);
        assertThat(r.events().resumedFrom()).isEqualTo("fresh");
        // Written at 30, 60, 90 and 100; retention keeps the newest three.
        assertThat(shardStore(0).steps()).containsExactly(100L, 90L, 60L);
        // Heartbeats are sampled by the SDK's throttling; each names the newest checkpoint at its step.
        assertThat(heartbeats).hasSizeGreaterThan(2).allSatisfy(h -> {
            // the end step is checkpointed too (a heartbeat at step 100 is sent when the round's
            // completion leaves the SDK's throttle time to flush it)
            long expected = h.step() == 100 ? 100 : h.step() / 30 * 30;
            if (expected == 0) {
                assertThat(h.lastCheckpoint()).isNull();
            } else {
                assertThat(h.lastCheckpoint().step()).isEqualTo(expected);
            }
        });
        assertThat(r.metrics().step()).isEqualTo(100);
        assertThat(r.metrics().loss()).isFinite();
    }

    @Test
    void aBaseCheckpointOfAnotherJobGivesItsWeightsAndTrainingStartsAtStepZero(@TempDir Path otherJob) throws Exception {
        TrainingActivities a = activities(new TrainingPolicy(5, 3, 2));
        TrainRoundResult baseRun = a.trainRound(new TrainRoundRequest("base", CONFIG, otherJob.toUri().toString(), 0, 0, 1,
                null, 50, 25, 0));
        CheckpointRef base = baseRun.checkpoint();

        TrainRoundResult retrain = a.trainRound(round(CONFIG, base, 20, 10));

        assertThat(retrain.events().resumedFrom()).isEqualTo(ResumePlanner.BASE_WEIGHTS);
        assertThat(retrain.events().resumedFromStep()).isZero();
        assertThat(retrain.checkpoint().step()).isEqualTo(20);
        assertThat(CheckpointLayout.directory(retrain.checkpoint())).startsWith(dir);
        // The expected weights: the base's weights, then 20 toy steps with fresh momentum (deterministic, so exact).
        try (TrainingSession expected = new ToyTrainingSessionFactory().openFromWeights(CONFIG, 0, 1,
                CheckpointLayout.directory(base))) {
            for (int i = 0; i < 20; i++) {
                expected.trainStep();
            }
            assertThat(student(retrain.checkpoint())).containsExactly(((ToyTrainingSession) expected).student());
        }
        TrainRoundResult fresh = a.trainRound(new TrainRoundRequest("fresh", CONFIG, dir.resolve("fresh").toUri().toString(),
                0, 0, 1, null, 20, 10, 0));
        assertThat(student(retrain.checkpoint())).isNotEqualTo(student(fresh.checkpoint()));
        // The base job's checkpoints are read, never changed.
        assertThat(new CheckpointStore(otherJob.resolve("shard-0")).verify(50).manifestSha256())
                .isEqualTo(base.manifestSha256());
    }

    @Test
    void aRetryResumesFromTheHeartbeatCheckpointAndEndsWithTheSameWeights() throws IOException {
        TrainingActivities a = activities(new TrainingPolicy(20, 3, 2));
        double[] uninterrupted = student(a.trainRound(round(CONFIG, null, 10, 2)).checkpoint());

        env.setHeartbeatDetails(new RoundHeartbeat(5, 10, 1.0, 1.0, ref(0, 4), null));
        heartbeats.clear();
        TrainRoundResult retried = a.trainRound(round(CONFIG, null, 10, 2));

        assertThat(retried.events().resumedFromStep()).isEqualTo(4);
        assertThat(retried.events().resumedFrom()).isEqualTo("heartbeat checkpoint");
        assertThat(heartbeats.getFirst().step()).isEqualTo(4);
        // The toy is deterministic: resuming must not change a single bit of the result.
        assertThat(student(retried.checkpoint())).containsExactly(uninterrupted);
    }

    /**
     * Heartbeats are throttled by the SDK, so a killed attempt may have written checkpoints newer than
     * its last delivered heartbeat names: a retry (attempt >= 2) starts from the newest verified one of
     * the round, a first attempt from the heartbeat's (it cannot know whether they are its own).
     */
    @Test
    void aRetryStartsFromTheNewestVerifiedCheckpointOfItsRoundEvenIfTheHeartbeatNamedAnOlderOne() throws IOException {
        TrainingActivities a = activities(new TrainingPolicy(20, 3, 2));
        a.trainRound(round(CONFIG, null, 10, 2));
        CheckpointLayout layout = CheckpointLayout.of(dir.toUri().toString());
        RoundHeartbeat namedFour = new RoundHeartbeat(5, 12, 1.0, 1.0, ref(0, 4), null);
        TrainRoundRequest next = round(CONFIG, null, 12, 2);

        ResumePlanner.Plan retry = ResumePlanner.plan(layout, next, namedFour, 2);
        assertThat(retry.step()).isEqualTo(10);
        assertThat(retry.source()).isEqualTo("newer checkpoint of this round");
        assertThat(retry.event()).contains("named step 4").contains("step 10");
        assertThat(ResumePlanner.plan(layout, next, namedFour, 1).step()).isEqualTo(4);

        corrupt(shardStore(0).root().resolve(CheckpointStore.directoryName(10)).resolve("model.safetensors"));
        assertThat(ResumePlanner.plan(layout, next, namedFour, 2).step()).isEqualTo(8);
        // No heartbeat delivered at all: still the newest verified one of the round.
        assertThat(ResumePlanner.plan(layout, next, null, 2).step()).isEqualTo(8);
    }

    /**
     * A job retried or restarted from an older checkpoint (with several shards: the last global one)
     * finds the abandoned run's newer checkpoints in the shard's store. The round's first attempt moves
     * them aside, whole: retention then keeps the round's own, and a retry after a crash resumes from
     * the round's newest, not from the old run's.
     */
    @Test
    void aFirstAttemptFromAnOlderCheckpointSetsTheAbandonedRunsNewerOnesAside() throws IOException {
        TrainingActivities a = activities(new TrainingPolicy(3, 3, 2));
        a.trainRound(round(CONFIG, 1, 2, null, 10, 2));
        assertThat(shardStore(1).steps()).containsExactly(10L, 8L, 6L);

        TrainRoundResult redone = a.trainRound(round(CONFIG, 1, 2, ref(1, 6), 9, 2));

        assertThat(redone.checkpoint().step()).isEqualTo(9);
        assertThat(shardStore(1).steps()).containsExactly(9L, 8L, 6L);
        CheckpointStore abandoned = new CheckpointStore(dir.resolve("shard-1/abandoned"));
        assertThat(abandoned.steps()).containsExactly(10L, 8L);
        assertThat(abandoned.verify(10).step()).isEqualTo(10);
        CheckpointLayout layout = CheckpointLayout.of(dir.toUri().toString());
        assertThat(ResumePlanner.plan(layout, round(CONFIG, 1, 2, ref(1, 6), 12, 2), null, 2).step()).isEqualTo(9);
        // The attempt recorded its set-aside before it trained.
        String recorded = Files.readString(dir.resolve("shard-1/set-aside-by"));
        assertThat(recorded).isNotBlank();
        TrainRoundRequest next = round(CONFIG, 1, 2, ref(1, 9), 12, 2);
        // Its retry goes on from the round's checkpoints, as does any attempt with heartbeat details.
        assertThat(ResumePlanner.abandonedAfter(layout, next, null, 2, recorded)).isEqualTo(-1);
        assertThat(ResumePlanner.abandonedAfter(layout, next, new RoundHeartbeat(10, 12, 1.0, 1.0, ref(1, 9), null), 1,
                "other")).isEqualTo(-1);
        // A retry of an activity that never recorded one follows an attempt that died before training: all above is
        // old, and it starts from its request, not from the old run's newer checkpoint (step 10, in abandoned/ now).
        Files.move(dir.resolve("shard-1/abandoned/step-0000000010"), dir.resolve("shard-1/step-0000000010"));
        assertThat(ResumePlanner.abandonedAfter(layout, next, null, 2, "other")).isEqualTo(9);
        ResumePlanner.Start retry = ResumePlanner.start(layout, next, null, 2, "other");
        assertThat(retry.abandonedAfter()).isEqualTo(9);
        assertThat(retry.plan().step()).isEqualTo(9);
        assertThat(ResumePlanner.start(layout, next, null, 2, recorded).plan().step()).isEqualTo(10);
        assertThat(ResumePlanner.abandonedAfter(layout, round(CONFIG, 1, 2, null, 12, 2), null, 1, "other")).isZero();
        // A record that cannot be read is not taken for none: the attempt fails and is retried.
        Files.delete(dir.resolve("shard-1/set-aside-by"));
        Files.createDirectory(dir.resolve("shard-1/set-aside-by"));
        assertThatThrownBy(() -> ResumePlanner.abandonedAfter(layout, next, null, 2, recorded)).isInstanceOf(IOException.class);
    }

    @Test
    void aCorruptHeartbeatCheckpointFallsBackToThePreviousVerifiedOneAndSaysSo() throws IOException {
        TrainingActivities a = activities(new TrainingPolicy(20, 3, 2));
        a.trainRound(round(CONFIG, null, 10, 2));
        CheckpointRef eight = ref(0, 8);
        corrupt(CheckpointLayout.directory(eight).resolve("model.safetensors"));
        env.setHeartbeatDetails(new RoundHeartbeat(9, 10, 1.0, 1.0, eight, null));

        // The newest verified one of this round is step 10 (written before the "crash"): it is used.
        TrainRoundResult r = a.trainRound(round(CONFIG, null, 12, 2));
        assertThat(r.events().resumedFromStep()).isEqualTo(10);
        assertThat(r.events().lastEvent()).contains("step 8").contains("sha256").contains("resumed from step 10");
    }

    @Test
    void aTruncatedHeartbeatCheckpointFallsBackToThePreviousVerifiedOneAndSaysSo() throws IOException {
        TrainingActivities a = activities(new TrainingPolicy(20, 3, 2));
        a.trainRound(round(CONFIG, null, 8, 2));
        CheckpointRef eight = ref(0, 8);
        Path model = CheckpointLayout.directory(eight).resolve("model.safetensors");
        Files.write(model, java.util.Arrays.copyOf(Files.readAllBytes(model), (int) Files.size(model) / 2));
        env.setHeartbeatDetails(new RoundHeartbeat(8, 10, 1.0, 1.0, eight, null));

        TrainRoundResult r = a.trainRound(round(CONFIG, null, 10, 2));
        assertThat(r.events().resumedFromStep()).isEqualTo(6);
        assertThat(r.events().resumedFrom()).isEqualTo("earlier checkpoint of this round");
        assertThat(r.events().lastEvent()).contains("step 8").contains("truncated").contains("resumed from step 6");
    }

    /**
     * A full disk during a checkpoint write: the attempt fails with one clear error naming the step,
     * the store and the cause, leaves no partial directory, and the earlier checkpoints still verify;
     * once space is freed the retry resumes from the last good checkpoint and ends with the same
     * weights as a run that never met a full disk.
     */
    @Test
    void aFullDiskDuringACheckpointWriteFailsClearlyAndKeepsThePreviousCheckpoint() throws IOException {
        TrainingActivities a = activities(new TrainingPolicy(20, 3, 2));
        Path clean = Files.createDirectory(dir.resolve("clean"));
        double[] uninterrupted = student(a.trainRound(new TrainRoundRequest("job", CONFIG, clean.toString(), 0, 0, 1,
                null, 8, 2, 0)).checkpoint());

        Path diskFull = Files.createFile(dir.resolve("disk-full"));
        a.trainRound(round(CONFIG, null, 4, 2));
        String full = CONFIG.replace("toy: {dim: 3}", "toy: {dim: 3, disk_full_while_exists: '" + diskFull + "'}");
        CheckpointRef four = ref(0, 4);
        assertThatThrownBy(() -> a.trainRound(round(full, four, 8, 2)))
                .isInstanceOf(ActivityFailure.class)
                .rootCause().hasMessageContaining("No space left on device");
        assertThatThrownBy(() -> a.trainRound(round(full, four, 8, 2)))
                .cause().hasMessageContaining("checkpoint of step 6 could not be written to " + shardStore(0).root())
                .hasMessageContaining("earlier checkpoints are untouched");
        assertThat(shardStore(0).steps()).containsExactly(4L, 2L);
        assertThat(shardStore(0).latestVerified().orElseThrow().step()).isEqualTo(4);
        try (var leftovers = Files.list(shardStore(0).root())) {
            assertThat(leftovers.map(p -> p.getFileName().toString())).noneMatch(n -> n.startsWith(".tmp-"));
        }

        Files.delete(diskFull);
        env.setHeartbeatDetails(new RoundHeartbeat(5, 8, 1.0, 1.0, four, null));
        TrainRoundResult r = a.trainRound(round(full, four, 8, 2));
        assertThat(r.events().resumedFromStep()).isEqualTo(4);
        assertThat(student(r.checkpoint())).containsExactly(uninterrupted);
    }

    @Test
    void aCorruptStartCheckpointFallsBackToThePreviousVerifiedOne() throws IOException {
        TrainingActivities a = activities(new TrainingPolicy(20, 3, 2));
        a.trainRound(round(CONFIG, null, 6, 2));
        CheckpointRef six = ref(0, 6);
        corrupt(CheckpointLayout.directory(six).resolve("trainer.json"));

        TrainRoundResult r = a.trainRound(round(CONFIG, six, 8, 2));
        assertThat(r.events().resumedFromStep()).isEqualTo(4);
        assertThat(r.events().lastEvent()).contains("checkpoint of step 6").contains("step 4");
        assertThat(r.checkpoint().step()).isEqualTo(8);
    }

    @Test
    void aBaseCheckpointThatDoesNotVerifyFailsTheRoundInsteadOfTakingAnotherOfItsJob(@TempDir Path otherJob)
            throws IOException {
        TrainingActivities a = activities(new TrainingPolicy(5, 3, 2));
        CheckpointRef base = a.trainRound(new TrainRoundRequest("base", CONFIG, otherJob.toUri().toString(), 0, 0, 1,
                null, 4, 2, 0)).checkpoint();
        Path baseDir = CheckpointLayout.directory(base);
        corrupt(baseDir.resolve("model.safetensors"));

        // The base job's step 2 verifies, but it is not the model that was asked for.
        assertThatThrownBy(() -> a.trainRound(round(CONFIG, base, 4, 2)))
                .isInstanceOf(ActivityFailure.class)
                .cause().isInstanceOf(ApplicationFailure.class)
                .satisfies(f -> {
                    assertThat(((ApplicationFailure) f).isNonRetryable()).isTrue();
                    assertThat(((ApplicationFailure) f).getOriginalMessage()).startsWith("the base checkpoint " + baseDir
                            + " does not verify: ").endsWith("; restore it or start the job from another one");
                });
        assertThat(shardStore(0).steps()).isEmpty();
    }

    @Test
    void aBaseCheckpointRewrittenSinceItWasReferencedSaysHowAScheduleTakesTheNewWeights(@TempDir Path otherJob,
                                                                                       @TempDir Path copy) throws IOException {
        TrainingActivities a = activities(new TrainingPolicy(5, 3, 2));
        CheckpointRef base = a.trainRound(new TrainRoundRequest("base", CONFIG, otherJob.toUri().toString(), 0, 0, 1,
                null, 4, 2, 0)).checkpoint();
        Path baseDir = CheckpointLayout.directory(base);
        // New weights written over the same folder (a model kept adapting): whole, but not the ones referenced.
        try (var files = Files.list(baseDir)) {
            for (Path f : files.filter(f -> !f.getFileName().toString().equals(CheckpointStore.MANIFEST)).toList()) {
                Files.copy(f, copy.resolve(f.getFileName()));
            }
        }
        CheckpointStore.writeDirectory(baseDir, 4, d -> {
            try (var files = Files.list(copy)) {
                for (Path f : files.toList()) {
                    Files.copy(f, d.resolve(f.getFileName()));
                }
            }
            Files.writeString(d.resolve("note.txt"), "retrained");
        });

        assertThatThrownBy(() -> a.trainRound(round(CONFIG, base, 4, 2)))
                .isInstanceOf(ActivityFailure.class)
                .cause().isInstanceOf(ApplicationFailure.class)
                .satisfies(f -> assertThat(((ApplicationFailure) f).getOriginalMessage()).isEqualTo("the base checkpoint "
                        + baseDir + " was rewritten since it was referenced (manifest sha256 differs); restore it or start"
                        + " the job from another one (a schedule keeps the weights it was created with: to retrain each"
                        + " firing from the new ones, create the schedule again)"));
    }

    @Test
    void aBaseCheckpointOfAnotherModelFailsTheRoundForGoodWithOneSentence(@TempDir Path otherJob) throws IOException {
        TrainingActivities a = activities(new TrainingPolicy(5, 3, 2));
        CheckpointRef base = a.trainRound(new TrainRoundRequest("base", CONFIG, otherJob.toUri().toString(), 0, 0, 1,
                null, 4, 2, 0)).checkpoint();
        String wider = CONFIG.replace("toy: {dim: 3}", "toy: {dim: 4}");

        // Retried, it would fail the same way for ever: the job must fail at once and say why.
        assertThatThrownBy(() -> a.trainRound(round(wider, base, 4, 2)))
                .isInstanceOf(ActivityFailure.class)
                .cause().isInstanceOf(ApplicationFailure.class)
                .satisfies(f -> {
                    ApplicationFailure failure = (ApplicationFailure) f;
                    assertThat(failure.isNonRetryable()).isTrue();
                    assertThat(failure.getType()).isEqualTo("CheckpointMismatch");
                    assertThat(failure.getOriginalMessage()).isEqualTo("round 0 of shard 0 of job job cannot start from "
                            + CheckpointLayout.directory(base) + ": toy checkpoint has 3 weights, the config 4");
                });
    }

    @Test
    void withNoVerifiedCheckpointToStartFromTheRoundFailsForGood() throws IOException {
        TrainingActivities a = activities(new TrainingPolicy(20, 3, 2));
        a.trainRound(round(CONFIG, null, 2, 2));
        CheckpointRef two = ref(0, 2);
        corrupt(CheckpointLayout.directory(two).resolve("model.safetensors"));

        assertThatThrownBy(() -> a.trainRound(round(CONFIG, two, 4, 2)))
                .isInstanceOf(ActivityFailure.class)
                .cause().isInstanceOf(ApplicationFailure.class)
                .hasMessageContaining("no earlier checkpoint that verifies");
    }

    @Test
    void refusedStepsAreCountedAndApplyNothing() throws IOException {
        TrainingActivities a = activities(new TrainingPolicy(20, 3, 2));
        double[] clean = student(a.trainRound(round(CONFIG, null, 8, 4)).checkpoint());

        String twoNaNs = CONFIG.replace("toy: {dim: 3}", "toy: {dim: 3, nan_at_step: 6, nan_repeats: 2}");
        Path other = Files.createDirectory(dir.resolve("other"));
        TrainRoundResult r = a.trainRound(new TrainRoundRequest("job", twoNaNs, other.toString(), 0, 0, 1, null, 8, 4, 0));

        assertThat(r.events().refusedSteps()).isEqualTo(2);
        assertThat(r.events().reopens()).isZero();
        assertThat(r.events().learningRateScale()).isEqualTo(1.0);
        assertThat(r.events().lastEvent()).contains("step 6").contains("refused");
        assertThat(student(r.checkpoint())).containsExactly(clean);
    }

    @Test
    void refusalsInARowReopenFromTheLastCheckpointAndThenHalveTheLearningRate() throws IOException {
        String persistent = CONFIG.replace("toy: {dim: 3}",
                "toy: {dim: 3, nan_at_step: 6, nan_repeats: 1000, nan_clears_at_lr_scale: 0.5}");
        TrainRoundResult r = activities(new TrainingPolicy(20, 3, 2)).trainRound(round(persistent, null, 8, 4));

        // 3 refusals -> reopen at step 4; 3 more -> reopen with lr x0.5, which clears the toy's NaN.
        assertThat(r.events().refusedSteps()).isEqualTo(6);
        assertThat(r.events().reopens()).isEqualTo(2);
        assertThat(r.events().learningRateScale()).isEqualTo(0.5);
        assertThat(r.checkpoint().step()).isEqualTo(8);
        assertThat(Files.readString(CheckpointLayout.directory(r.checkpoint()).resolve("trainer.json")))
                .contains("\"lr_scale\":0.5");
        assertThat(r.events().lastEvent()).contains("reopened from step 4").contains("halved");
    }

    @Test
    void aRoundThatKeepsDivergingFailsForGoodAfterTheAllowedHalvings() {
        String diverging = CONFIG.replace("toy: {dim: 3}", "toy: {dim: 3, nan_at_step: 3, nan_repeats: 1000}");
        TrainingActivities a = activities(new TrainingPolicy(20, 2, 1));

        assertThatThrownBy(() -> a.trainRound(round(diverging, null, 8, 2)))
                .isInstanceOf(ActivityFailure.class)
                .cause().isInstanceOf(ApplicationFailure.class)
                .hasMessageContaining("after 1 halvings")
                .satisfies(e -> assertThat(((ApplicationFailure) e).isNonRetryable()).isTrue());
    }

    @Test
    void cancellationWritesACheckpointAtTheCurrentStep() throws IOException {
        String slow = CONFIG.replace("toy: {dim: 3}", "toy: {dim: 3, step_millis: 5}");
        TrainingActivities a = activities(new TrainingPolicy(20, 3, 2));
        env.setActivityHeartbeatListener(RoundHeartbeat.class, h -> {
            if (h.step() >= 7) {
                env.requestCancelActivity();
            }
        });

        assertThatThrownBy(() -> a.trainRound(round(slow, null, 400, 1000))).isInstanceOf(CanceledFailure.class);
        // The cancel reaches the round with a later (throttled) heartbeat; no cadence checkpoint comes before 400.
        List<Long> steps = shardStore(0).steps();
        assertThat(steps).hasSize(1);
        assertThat(steps.getFirst()).isBetween(7L, 399L);
    }

    @Test
    void twoShardsMergeIntoAGlobalCheckpointAndTheNextRoundUsesTheGlobalModelWithTheShardState() throws IOException {
        TrainingActivities a = activities(new TrainingPolicy(20, 3, 2));
        TrainRoundResult s0 = a.trainRound(round(CONFIG, 0, 2, null, 4, 2));
        TrainRoundResult s1 = a.trainRound(round(CONFIG, 1, 2, null, 4, 2));
        assertThat(new CheckpointStore(dir.resolve("global")).steps()).containsExactly(0L);

        CheckpointRef global = a.mergeRound(new MergeRoundRequest("job", CONFIG, dir.toString(), 0, null,
                List.of(s0.checkpoint(), s1.checkpoint())));

        assertThat(global.step()).isEqualTo(4);
        Path g = CheckpointLayout.directory(global);
        assertThat(g.getParent()).isEqualTo(dir.resolve("global"));
        try (var files = Files.list(g)) {
            // config.yaml comes from shard 0 too, so the global checkpoint names its configuration.
            assertThat(files.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("model.safetensors",
                    "outer_momentum.safetensors", "optimizer.safetensors", "trainer.json", "config.yaml", "MANIFEST.json");
        }
        double[] t0 = tensor(s0.checkpoint(), "teacher.w");
        double[] t1 = tensor(s1.checkpoint(), "teacher.w");
        double[] merged = tensor(global, "teacher.w");
        for (int i = 0; i < merged.length; i++) {
            assertThat(merged[i]).isEqualTo((t0[i] + t1[i]) / 2);
        }

        TrainRoundResult next = a.trainRound(round(CONFIG, 1, 2, global, 6, 2));
        assertThat(next.events().resumedFrom()).contains("global model + shard state");
        assertThat(next.checkpoint().step()).isEqualTo(6);
        assertThat(dir.resolve(".views")).isEmptyDirectory();
    }

    /**
     * A merge behind newer merges of a run the job did not go on from (a workflow reset) sets them
     * aside: a resume takes the newest global checkpoint, and retention keeps the newest.
     */
    @Test
    void aMergeSetsAsideNewerMergesOfAnAbandonedRun() throws IOException {
        TrainingActivities a = activities(new TrainingPolicy(20, 2, 2));
        TrainRoundResult s0 = a.trainRound(round(CONFIG, 0, 2, null, 4, 2));
        TrainRoundResult s1 = a.trainRound(round(CONFIG, 1, 2, null, 4, 2));
        CheckpointStore global = new CheckpointStore(dir.resolve("global"));
        for (long step : List.of(8L, 12L)) {
            global.save(step, d -> Files.writeString(d.resolve("model.safetensors"), "the old run's step " + step));
        }

        CheckpointRef merged = a.mergeRound(new MergeRoundRequest("job", CONFIG, dir.toString(), 0, null,
                List.of(s0.checkpoint(), s1.checkpoint())));

        assertThat(merged.step()).isEqualTo(4);
        assertThat(global.steps()).containsExactly(4L, 0L);
        assertThat(global.latestVerified().orElseThrow().step()).isEqualTo(4);
        assertThat(new CheckpointStore(dir.resolve("global/abandoned")).steps()).containsExactly(12L, 8L);
        assertThat(Files.readString(dir.resolve("global/abandoned/step-0000000012/model.safetensors")))
                .isEqualTo("the old run's step 12");
    }

    /** The first merge of a multi-shard retraining starts from its base, which may lie under any name. */
    @Test
    void aMultiShardRetrainingMergesItsFirstRoundIntoABaseOfAnotherName(@TempDir Path otherJob) throws IOException {
        TrainingActivities a = activities(new TrainingPolicy(20, 3, 2));
        CheckpointRef trained = a.trainRound(new TrainRoundRequest("base", CONFIG, otherJob.toUri().toString(), 0, 0, 1,
                null, 50, 25, 0)).checkpoint();
        Path imported = Files.createDirectories(otherJob.resolve("imported-weights"));
        try (var files = Files.list(CheckpointLayout.directory(trained))) {
            for (Path f : files.toList()) {
                Files.copy(f, imported.resolve(f.getFileName()));
            }
        }
        CheckpointRef base = new CheckpointRef(imported.toUri().toString(), trained.manifestSha256(), 50);

        TrainRoundResult s0 = a.trainRound(round(CONFIG, 0, 2, base, 4, 2));
        TrainRoundResult s1 = a.trainRound(round(CONFIG, 1, 2, base, 4, 2));
        CheckpointRef global = a.mergeRound(new MergeRoundRequest("job", CONFIG, dir.toString(), 0, base,
                List.of(s0.checkpoint(), s1.checkpoint())));

        assertThat(global.step()).isEqualTo(4);
        assertThat(CheckpointLayout.directory(global).getParent()).isEqualTo(dir.resolve("global"));
        // A reference whose step is not the directory's is still refused.
        CheckpointRef wrongStep = new CheckpointRef(base.uri(), base.manifestSha256(), 49);
        assertThatThrownBy(() -> a.mergeRound(new MergeRoundRequest("job", CONFIG, dir.toString(), 0, wrongStep,
                List.of(s0.checkpoint(), s1.checkpoint())))).isInstanceOf(ActivityFailure.class)
                .hasMessageContaining("'the global checkpoint " + imported + " does not verify: " + imported
                        + " is not the checkpoint that was referenced (other step directory or manifest sha256)'");
    }

    @Test
    void evaluateAndLatestCheckpointWorkOnVerifiedCheckpoints() throws IOException {
        TrainingActivities a = activities(new TrainingPolicy(20, 3, 2));
        TrainRoundResult r = a.trainRound(round(CONFIG, null, 6, 2));
        EvalResult eval = a.evaluate(new EvaluateRequest("job", CONFIG, r.checkpoint(), 1));
        assertThat(eval.step()).isEqualTo(6);
        assertThat(eval.top1()).isBetween(0.0, 100.0);

        corrupt(CheckpointLayout.directory(r.checkpoint()).resolve("model.safetensors"));
        assertThat(a.latestCheckpoint("job", dir.toString(), 0).step()).isEqualTo(4);
        assertThat(a.latestCheckpoint("job", dir.toString(), 1)).isNull();
    }

    @Test
    void aLongEvaluationHeartbeatsSoTheServerDoesNotTimeItOut() throws IOException {
        List<String> beats = new CopyOnWriteArrayList<>();
        TrainingActivities a = activities(new TrainingPolicy(20, 3, 2));
        env.setActivityHeartbeatListener(String.class, beats::add);
        TrainRoundResult r = a.trainRound(round(CONFIG, null, 2, 2));
        // 100 ms heartbeat timeout (activities()): a 600 ms evaluation must heartbeat several times
        String slowEval = CONFIG.replace("toy: {dim: 3}", "toy: {dim: 3, eval_millis: 600}");
        EvalResult eval = a.evaluate(new EvaluateRequest("job", slowEval, r.checkpoint(), 0));
        assertThat(eval.step()).isEqualTo(2);
        assertThat(beats).hasSizeGreaterThanOrEqualTo(3).allSatisfy(b -> assertThat(b).startsWith("k-NN of step 2, "));
    }

    @Test
    void theEvaluationAtAJobsEndLeavesOnlyTheNewestAndTheBestCheckpoints(@TempDir Path otherJob) throws IOException {
        TrainingActivities a = activities(new TrainingPolicy(1, 3, 2));
        String store = dir.toUri().toString();
        TrainRoundResult first = a.trainRound(round(CONFIG, null, 10, 5));
        a.evaluate(new EvaluateRequest("job", CONFIG, first.checkpoint(), 0, store));
        TrainRoundResult second = a.trainRound(round(CONFIG, first.checkpoint(), 20, 5));
        TrainRoundResult third = a.trainRound(round(CONFIG, second.checkpoint(), 30, 5));
        // The last round kept its start (20) for its retries and the best as it began (10).
        assertThat(shardStore(0).steps()).containsExactly(30L, 20L, 10L);

        EvalResult last = a.evaluate(new EvaluateRequest("job", CONFIG, third.checkpoint(), 1, store));
        // The toy teacher nears its target step by step: the newest is the best now.
        assertThat(last.top1()).isGreaterThan(new org.dinoj.worker.report.JobHistory(dir).evals().getFirst().top1());
        assertThat(shardStore(0).steps()).containsExactly(30L);

        // Best and newest apart: a fourth round from 30, whose start stays while it trains; step 30 stays
        // as the best when a (recorded) k-NN of 40 falls below it.
        TrainRoundResult fourth = a.trainRound(round(CONFIG, third.checkpoint(), 40, 5));
        new org.dinoj.worker.report.JobHistory(dir).appendEval(new org.dinoj.worker.report.JobHistory.EvalRecord(1, 30,
                System.currentTimeMillis(), 20, 99.9, 100, 1, "shard-0/step-0000000030"));
        a.evaluate(new EvaluateRequest("job", CONFIG, fourth.checkpoint(), 1, store));
        assertThat(shardStore(0).steps()).containsExactly(40L, 30L);
        // A late attempt of an earlier evaluation, after the next round began, leaves that round's start alone.
        a.trainRound(round(CONFIG, fourth.checkpoint(), 50, 5));
        assertThat(shardStore(0).steps()).containsExactly(50L, 40L, 30L);
        a.evaluate(new EvaluateRequest("job", CONFIG, third.checkpoint(), 1, store));
        assertThat(shardStore(0).steps()).as("40, the round's start, stays").containsExactly(50L, 40L, 30L);

        // A checkpoint outside the job's store (a retraining's base) is evaluated and its store left alone.
        TrainRoundResult other = a.trainRound(new TrainRoundRequest("base", CONFIG, otherJob.toUri().toString(), 0, 0, 1,
                null, 10, 5, 0));
        Files.createDirectories(otherJob.resolve("shard-0/step-0000000003"));
        List<Long> before = new CheckpointStore(otherJob.resolve("shard-0")).steps();
        a.evaluate(new EvaluateRequest("job", CONFIG, other.checkpoint(), 1, store));
        assertThat(new CheckpointStore(otherJob.resolve("shard-0")).steps()).isEqualTo(before);
    }

    @Test
    void anEvaluationThatCannotBeRecordedFailsAndIsRunAgainRatherThanLost() throws IOException {
        TrainingActivities a = activities(new TrainingPolicy(1, 3, 2));
        TrainRoundResult r = a.trainRound(round(CONFIG, null, 10, 5));
        // The history folder cannot be made (a file has its name), as on a full disk.
        Files.move(dir.resolve("history"), dir.resolve("history-aside"));
        Files.writeString(dir.resolve("history"), "in the way");
        assertThatThrownBy(() -> a.evaluate(new EvaluateRequest("job", CONFIG, r.checkpoint(), 0, dir.toUri().toString())))
                .hasMessageContaining("the k-NN of step 10 (top-1 ")
                .hasMessageContaining("could not be recorded in " + dir.resolve("history"))
                .hasMessageContaining("; it runs again once it can be");
        Files.delete(dir.resolve("history"));
        Files.move(dir.resolve("history-aside"), dir.resolve("history"));
        EvalResult again = a.evaluate(new EvaluateRequest("job", CONFIG, r.checkpoint(), 0, dir.toUri().toString()));
        assertThat(new org.dinoj.worker.report.JobHistory(dir).evals()).extracting(e -> e.top1()).containsExactly(again.top1());
    }

    @Test
    void aTinyRunLeavesResultsJsonAndPlotsNextToItsCheckpoints() throws IOException {
        TrainingActivities a = activities(new TrainingPolicy(20, 3, 2));
        // epoch length 100 in CONFIG: 3 rounds of 2 steps, two evaluations
        TrainRoundResult first = a.trainRound(round(CONFIG, null, 2, 2));
        EvalResult e1 = a.evaluate(new EvaluateRequest("job", CONFIG, first.checkpoint(), 0));
        TrainRoundResult second = a.trainRound(round(CONFIG, first.checkpoint(), 4, 2));
        a.trainRound(round(CONFIG, second.checkpoint(), 6, 2));
        EvalResult e2 = a.evaluate(new EvaluateRequest("job", CONFIG, second.checkpoint(), 1));

        JsonNode results = new ObjectMapper().readTree(dir.resolve("results.json").toFile());
        assertThat(results.get("job_id").asText()).isEqualTo("job");
        assertThat(results.get("steps_per_epoch").asLong()).isEqualTo(100);
        assertThat(results.at("/training/recorded_steps").asInt()).isEqualTo(6);
        assertThat(results.at("/training/last_step").asLong()).isEqualTo(6);
        assertThat(results.at("/loss_history/terms/0").asText()).isEqualTo("dino_global_crops_loss");
        assertThat(results.at("/loss_history/first/step").asLong()).isEqualTo(1);
        assertThat(results.at("/loss_history/last/step").asLong()).isEqualTo(6);
        assertThat(results.at("/loss_history/per_epoch/0/steps").asInt()).isEqualTo(6);
        JsonNode evals = results.get("evaluations");
        assertThat(evals).hasSize(2);
        assertThat(evals.get(0).get("step").asLong()).isEqualTo(2);
        assertThat(evals.get(0).get("top1").asDouble()).isEqualTo(e1.top1());
        assertThat(evals.get(1).get("step").asLong()).isEqualTo(4);
        assertThat(evals.get(1).get("top1").asDouble()).isEqualTo(e2.top1());
        assertThat(evals.get(1).get("eval_seconds").asDouble()).isGreaterThanOrEqualTo(0);
        assertThat(results.at("/wall_time/elapsed_seconds").asDouble()).isGreaterThanOrEqualTo(0);
        assertThat(results.at("/config/toy/dim").asInt()).isEqualTo(3);
        assertThat(results.get("plots")).extracting(JsonNode::asText).containsExactly("plots/loss_vs_epoch.png",
                "plots/loss_vs_time.png", "plots/knn_top1_vs_epoch.png", "plots/knn_top1_vs_time.png");
        for (JsonNode plot : results.get("plots")) {
            java.awt.image.BufferedImage png = javax.imageio.ImageIO.read(dir.resolve(plot.asText()).toFile());
            assertThat(png).as(plot.asText()).isNotNull();
            assertThat(png.getWidth()).isEqualTo(800);
            assertThat(png.getHeight()).isEqualTo(480);
        }
    }

    @Test
    void theBestEvaluatedCheckpointOutlivesRetentionAndResultsJsonNamesIt() throws IOException {
        // A negative learning rate walks the toy away from its target: its k-NN falls as it trains.
        String worsening = CONFIG.replace("toy: {dim: 3}", "toy: {dim: 3, lr: -0.05}");
        TrainingActivities a = activities(new TrainingPolicy(2, 3, 2));
        TrainRoundResult first = a.trainRound(round(worsening, null, 2, 2));
        EvalResult early = a.evaluate(new EvaluateRequest("job", worsening, first.checkpoint(), 0));
        TrainRoundResult second = a.trainRound(round(worsening, first.checkpoint(), 10, 2));
        EvalResult later = a.evaluate(new EvaluateRequest("job", worsening, second.checkpoint(), 1));
        assertThat(later.top1()).isLessThan(early.top1());

        a.trainRound(round(worsening, second.checkpoint(), 16, 2));
        // The newest two, the round's start (a retry may need it) and the best k-NN's.
        assertThat(shardStore(0).steps()).containsExactly(16L, 14L, 10L, 2L);
        shardStore(0).verify(2);
        JsonNode best = new ObjectMapper().readTree(dir.resolve("results.json").toFile()).get("best_knn_top1");
        assertThat(best.get("step").asLong()).isEqualTo(2);
        assertThat(best.get("top1").asDouble()).isEqualTo(early.top1());
        assertThat(best.get("checkpoint").asText()).isEqualTo("shard-0/step-0000000002");

        // Once the next round starts from 16, only the best survives beside the newest two.
        a.trainRound(round(worsening, ref(0, 16), 22, 2));
        assertThat(shardStore(0).steps()).containsExactly(22L, 20L, 16L, 2L);
    }

    @Test
    void theBestEvaluatedGlobalCheckpointOutlivesTheMergesRetention() throws IOException {
        String worsening = CONFIG.replace("toy: {dim: 3}", "toy: {dim: 3, lr: -0.05}");
        TrainingActivities a = activities(new TrainingPolicy(1, 3, 2));
        CheckpointRef global = null;
        double previous = Double.MAX_VALUE;
        for (int round = 0; round < 3; round++) {
            long end = 4L * (round + 1);
            TrainRoundResult s0 = a.trainRound(round(worsening, 0, 2, global, end, 2));
            TrainRoundResult s1 = a.trainRound(round(worsening, 1, 2, global, end, 2));
            global = a.mergeRound(new MergeRoundRequest("job", worsening, dir.toString(), round, global,
                    List.of(s0.checkpoint(), s1.checkpoint())));
            double top1 = a.evaluate(new EvaluateRequest("job", worsening, global, round + 1)).top1();
            assertThat(top1).isLessThan(previous);
            previous = top1;
        }
        // Keep 1: the newest merge, and the first one, which scored best.
        assertThat(new CheckpointStore(dir.resolve("global")).steps()).containsExactly(12L, 4L);
    }

    @Test
    void onlyLocalCheckpointStoresAreAccepted() {
        assertThatThrownBy(() -> CheckpointLayout.of("s3://bucket/job"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'s3'").hasMessageContaining("file: URIs or paths");
        assertThat(CheckpointLayout.of("file:///tmp/x").root()).isEqualTo(Path.of("/tmp/x"));
        assertThat(CheckpointLayout.of("relative/dir").root()).isEqualTo(Path.of("relative/dir").toAbsolutePath());
    }

    private static double[] tensor(CheckpointRef ref, String key) throws IOException {
        try (SafeTensorsFile f = SafeTensors.read(CheckpointLayout.directory(ref).resolve("model.safetensors"))) {
            return f.tensor(key).toDoubleArray();
        }
    }

    private static void corrupt(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        bytes[bytes.length - 1] ^= 0x5A;
        Files.write(file, bytes);
    }

    @Test
    void aRoundsScheduleFollowsTheJobsLengthAsTheWorkflowHoldsIt() {
        String tiny = org.dinoj.model.config.ConfigLoader.resolve("tiny-test", List.of());
        var configured = org.dinoj.model.train.config.DinoV2Config.parse(tiny);
        assertThat(configured.totalSteps()).isEqualTo(4 * 10); // tiny-test: 4 epochs of 10 steps
        TrainRoundRequest extended = new TrainRoundRequest("job", tiny, "file:///x", 0, 0, 1, null, 10, 5, 7);
        var session = org.dinoj.model.train.config.DinoV2Config.parse(TrainingActivitiesImpl.sessionConfig(extended));
        assertThat(session.totalSteps()).isEqualTo(7 * 10);
        // Everything else is the job's configuration unchanged.
        var expected = new java.util.HashMap<>(org.dinoj.model.config.ConfigLoader.flatten(configured));
        expected.put("optim.epochs", "7");
        assertThat(org.dinoj.model.config.ConfigLoader.flatten(session)).isEqualTo(expected);
        TrainRoundRequest recordedBefore = new TrainRoundRequest("job", tiny, "file:///x", 0, 0, 1, null, 10, 5, 0);
        assertThat(TrainingActivitiesImpl.sessionConfig(recordedBefore)).isSameAs(tiny);
    }
}
