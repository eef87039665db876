package org.dinoj.tests.faults;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The fault harness on its own (tests/faults/run-fault-harness.sh): kills workers of real jobs and
 * writes fault-report.md and fault-report.json.
 *
 * <pre>
 * FaultHarnessMain [--session toy|dinov2] [--single-node-kills N] [--two-node-kills N]
 *                  [--kills-per-job N] [--seed S] [--out DIR]
 * </pre>
 */
public final class FaultHarnessMain {
    private FaultHarnessMain() {
    }

    public static void main(String[] args) throws Exception {
        FaultHarness.SessionKind session = FaultHarness.SessionKind.TOY;
        int single = 12;
        int two = 9;
        int perJob = 4;
        long seed = 1;
        Path out = Path.of("target/fault-harness");
        for (int i = 0; i < args.length; i++) {
            String value = i + 1 < args.length ? args[i + 1] : null;
            switch (args[i]) {
                case "--session" -> session = FaultHarness.SessionKind.valueOf(value.toUpperCase());
                case "--single-node-kills" -> single = Integer.parseInt(value);
                case "--two-node-kills" -> two = Integer.parseInt(value);
                case "--kills-per-job" -> perJob = Integer.parseInt(value);
                case "--seed" -> seed = Long.parseLong(value);
                case "--out" -> out = Path.of(value);
                default -> throw new IllegalArgumentException("unknown option " + args[i]
                        + "; see FaultHarnessMain's javadoc for the options");
            }
            i++;
        }
        // Jobs of an earlier run under the same ids would be taken for this run's (their newer
        // checkpoints would even push this run's out of retention): start from an empty folder.
        Path work = out.resolve("jobs");
        if (Files.exists(work)) {
            try (var paths = Files.walk(work)) {
                for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
        Files.createDirectories(work);
        List<FaultHarness.Crash> crashes = new ArrayList<>();
        List<FaultHarness.JobOutcome> jobs = new ArrayList<>();
        for (int shards : new int[]{1, 2}) {
            int kills = shards == 1 ? single : two;
            if (kills == 0) {
                continue;
            }
            FaultHarness h = new FaultHarness(new FaultHarness.Options(session, shards, kills, perJob, seed + shards,
                    work.resolve(shards + "-node"), false, List.of()));
            try {
                h.run();
            } finally {
                crashes.addAll(h.crashes());
                jobs.addAll(h.jobs());
                new FaultReport("tests/faults/run-fault-harness.sh " + String.join(" ", args), crashes, jobs).write(out);
            }
        }
        FaultReport report = new FaultReport("tests/faults/run-fault-harness.sh " + String.join(" ", args), crashes, jobs);
        report.write(out);
        System.out.println(report.markdown());
        System.out.println("report: " + out.resolve("fault-report.md") + ", " + out.resolve("fault-report.json"));
        long over = crashes.stream().filter(c -> c.stepsRedone() > c.checkpointEvery()).count();
        if (over > 0) {
            System.out.println(over + " crash(es) redid more steps than the checkpoint interval");
            System.exit(1);
        }
        System.exit(0);
    }
}
