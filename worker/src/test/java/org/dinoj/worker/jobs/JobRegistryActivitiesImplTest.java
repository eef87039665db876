package org.dinoj.worker.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.temporal.failure.ApplicationFailure;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import org.dinoj.workflows.ActivitySettings;
import org.dinoj.workflows.JobSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JobRegistryActivitiesImplTest {
    @TempDir
    Path root;

    private JobSpec spec(int epochs, double budgetSeconds) {
        return new JobSpec("budgeted", "budgeted", "optim:\n  epochs: 1\n", "tiny",
                root.resolve("budgeted").toUri().toString(), null, 1, epochs, 10, 5, 5, 1, 10,
                new ActivitySettings("q", Duration.ofSeconds(30), Duration.ofHours(1), 0), budgetSeconds);
    }

    @Test
    void recordJobSpecWritesTheSizedLengthAndHowItWasSizedBesideTheCheckpoints() throws IOException {
        JobRegistry registry = new JobRegistry(root);
        registry.register(spec(1, 600));

        new JobRegistryActivitiesImpl().recordSpec(spec(31, 0), "31 epochs (3100 steps), predicted to take 55.0 minutes");

        JobRecord record = registry.find("budgeted").orElseThrow();
        assertThat(record.spec().epochs()).isEqualTo(31);
        assertThat(record.spec().timeBudgetSeconds()).isZero();
        assertThat(record.schedule()).isEqualTo("31 epochs (3100 steps), predicted to take 55.0 minutes");
        assertThat(record.message()).isEqualTo("length 31 epochs, as its time budget set it");
    }

    @Test
    void aFiringWhoseJobIdAnotherJobTookFailsForGoodAndLeavesThatJobAlone() throws IOException {
        JobRegistry registry = new JobRegistry(root);
        JobSpec byHand = spec(3, 0);
        registry.register(byHand);
        JobSpec firing = new JobSpec("budgeted", "budgeted", "optim:\n  epochs: 5\n", "tiny",
                root.resolve("budgeted").toUri().toString() + "/", null, 1, 5, 10, 5, 5, 1, 10,
                new ActivitySettings("q", Duration.ofSeconds(30), Duration.ofHours(1), 0), 0);

        assertThatThrownBy(() -> new JobRegistryActivitiesImpl().registerJob(firing))
                .isInstanceOfSatisfying(ApplicationFailure.class, f -> {
                    assertThat(f.isNonRetryable()).isTrue();
                    assertThat(f.getOriginalMessage()).startsWith("job id budgeted is taken by a job this schedule did not"
                            + " start (registered ").endsWith("), so this firing starts no job and leaves that one alone;"
                            + " ids <schedule>-yyyyMMdd-HHmm belong to the schedules' firings: give jobs started by hand"
                            + " other ids");
                });
        assertThat(registry.find("budgeted").orElseThrow().spec()).isEqualTo(byHand);

        // The firing's own record, sized since (a time budget), is this firing's: run again, it goes on.
        JobSpec own = new JobSpec("budgeted", "budgeted", byHand.config(), "tiny", byHand.checkpointStore() + "/", null,
                1, 31, 10, 5, 5, 1, 10, byHand.activities(), 0);
        new JobRegistryActivitiesImpl().registerJob(own);
        assertThat(registry.find("budgeted").orElseThrow().spec()).isEqualTo(byHand);
    }

    @Test
    void aJobTheRegistryDoesNotHoldIsLeftOut() throws IOException {
        new JobRegistryActivitiesImpl().recordSpec(spec(31, 0), "31 epochs");
        assertThat(new JobRegistry(root).find("budgeted")).isEmpty();
    }
}
