package org.dinoj.tests.faults;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Follows the worker log files of a {@link org.dinoj.worker.supervise.WorkerSupervisor} and keeps
 * the two kinds of lines the fault harness measures with, stamped with this JVM's clock when they
 * were read: the start of a TrainRound attempt (step it resumed from, and why) and each step done
 * (TrainingActivitiesImpl's debug line, enabled for the workers by the harness).
 */
final class WorkerLogTail {
    /** An attempt of a round began on {@code worker}, at {@code fromStep}, from {@code source}. */
    record Start(int worker, String job, int shard, long fromStep, long endStep, String source, long seenNanos) {
    }

    /** {@code worker} finished global step {@code step} of {@code shard}. */
    record StepDone(int worker, String job, int shard, long step, long seenNanos) {
    }

    private static final Pattern START = Pattern.compile(
            "job (\\S+) round \\d+ shard (\\d+)/\\d+: steps (\\d+) -> (\\d+), starting from .+? \\("
                    + "(newer checkpoint of this round|heartbeat checkpoint|earlier checkpoint of this round|request.*|fresh)\\)$");
    private static final Pattern STEP = Pattern.compile("job (\\S+) shard (\\d+): step (\\d+) done$");

    private final List<Path> files;
    private final long[] offsets;
    private final StringBuilder[] partial;
    private final List<Start> starts = new ArrayList<>();
    private final List<StepDone> steps = new ArrayList<>();

    WorkerLogTail(List<Path> files) {
        this.files = List.copyOf(files);
        this.offsets = new long[files.size()];
        this.partial = new StringBuilder[files.size()];
        for (int i = 0; i < partial.length; i++) {
            partial[i] = new StringBuilder();
        }
    }

    /** Reads what the workers appended since the last call. */
    synchronized void poll() throws IOException {
        long now = System.nanoTime();
        for (int w = 0; w < files.size(); w++) {
            Path f = files.get(w);
            if (!Files.exists(f)) {
                continue;
            }
            try (RandomAccessFile in = new RandomAccessFile(f.toFile(), "r")) {
                long length = in.length();
                if (length < offsets[w]) {
                    offsets[w] = 0; // the supervisor rotated the log (LogRotation): it starts again
                    partial[w].setLength(0);
                }
                if (length <= offsets[w]) {
                    continue;
                }
                byte[] bytes = new byte[(int) (length - offsets[w])];
                in.seek(offsets[w]);
                in.readFully(bytes);
                offsets[w] = length;
                partial[w].append(new String(bytes, StandardCharsets.UTF_8));
            }
            int newline;
            while ((newline = partial[w].indexOf("\n")) >= 0) {
                parse(w, partial[w].substring(0, newline).stripTrailing(), now);
                partial[w].delete(0, newline + 1);
            }
        }
    }

    private void parse(int worker, String line, long now) {
        Matcher m = STEP.matcher(line);
        if (m.find()) {
            steps.add(new StepDone(worker, m.group(1), Integer.parseInt(m.group(2)), Long.parseLong(m.group(3)), now));
            return;
        }
        m = START.matcher(line);
        if (m.find()) {
            starts.add(new Start(worker, m.group(1), Integer.parseInt(m.group(2)), Long.parseLong(m.group(3)),
                    Long.parseLong(m.group(4)), m.group(5), now));
        }
    }

    synchronized Optional<Start> lastStart(Predicate<Start> filter) {
        for (int i = starts.size() - 1; i >= 0; i--) {
            if (filter.test(starts.get(i))) {
                return Optional.of(starts.get(i));
            }
        }
        return Optional.empty();
    }

    synchronized Optional<Start> firstStart(Predicate<Start> filter) {
        return starts.stream().filter(filter).findFirst();
    }

    synchronized Optional<StepDone> lastStep(Predicate<StepDone> filter) {
        for (int i = steps.size() - 1; i >= 0; i--) {
            if (filter.test(steps.get(i))) {
                return Optional.of(steps.get(i));
            }
        }
        return Optional.empty();
    }

    synchronized Optional<StepDone> firstStep(Predicate<StepDone> filter) {
        return steps.stream().filter(filter).findFirst();
    }
}
