package org.dinoj.tests.faults;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The harness's crashes and jobs as a markdown table and as JSON. */
public record FaultReport(String command, List<FaultHarness.Crash> crashes, List<FaultHarness.JobOutcome> jobs) {

    public String markdown() {
        StringBuilder md = new StringBuilder();
        md.append("| # | job | shards | aimed at | hit | shard | step at kill | newest ckpt at kill | resumed from (source) | steps redone | ckpt every | kill -> attempt start [s] | kill -> training [s] |\n");
        md.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        int i = 1;
        for (FaultHarness.Crash c : crashes) {
            md.append(String.format(Locale.ROOT, "| %d | %s | %d | %s | %s | %s | %d | %d | %d (%s) | %d | %d | %.2f | %.2f |%n",
                    i++, c.job(), c.shards(), c.aimedAt(), c.phase(), c.shard() < 0 ? "-" : Integer.toString(c.shard()),
                    c.stepAtKill(), c.newestCheckpointAtKill(), c.resumedFrom(), c.resumeSource(), c.stepsRedone(), c.checkpointEvery(),
                    c.killToAttemptSeconds(), c.killToTrainingSeconds()));
        }
        md.append("\n| job | session | shards | steps | crashes | status | final step | wall [s] |\n");
        md.append("|---|---|---|---|---|---|---|---|\n");
        for (FaultHarness.JobOutcome j : jobs) {
            md.append(String.format(Locale.ROOT, "| %s | %s | %d | %d | %d | %s | %d | %.1f |%n", j.job(), j.session(),
                    j.shards(), j.totalSteps(), j.crashes(), j.status(), j.finalStep(), j.seconds()));
        }
        md.append('\n').append(summary()).append('\n');
        return md.toString();
    }

    /** Counts per observed phase, the worst redone steps and the median and worst recovery times. */
    public String summary() {
        Map<String, Integer> perPhase = new LinkedHashMap<>();
        crashes.forEach(c -> perPhase.merge(c.phase(), 1, Integer::sum));
        long worstRedone = crashes.stream().mapToLong(FaultHarness.Crash::stepsRedone).max().orElse(0);
        List<Double> times = new ArrayList<>(crashes.stream().map(FaultHarness.Crash::killToTrainingSeconds).toList());
        times.sort(Double::compare);
        double median = times.isEmpty() ? Double.NaN : times.get(times.size() / 2);
        double worst = times.isEmpty() ? Double.NaN : times.getLast();
        long completed = jobs.stream().filter(j -> j.status().equals("COMPLETED")).count();
        return String.format(Locale.ROOT, "%d crashes (%s), %d of %d jobs completed; steps redone at most %d; kill ->"
                        + " training again: median %.2f s, worst %.2f s", crashes.size(), perPhase, completed, jobs.size(),
                worstRedone, median, worst);
    }

    public void write(Path directory) throws IOException {
        Files.createDirectories(directory);
        Files.writeString(directory.resolve("fault-report.md"), "Command: `" + command + "`\n\n" + markdown());
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
                .writeValue(directory.resolve("fault-report.json").toFile(), this);
    }
}
