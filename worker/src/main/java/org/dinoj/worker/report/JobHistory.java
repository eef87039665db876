package org.dinoj.worker.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A job's training and evaluation history in its checkpoint store, as append-only JSON lines under
 * {@code <store>/history/}: {@code steps-shard-<k>.jsonl} (one line per optimizer step of shard k,
 * written by the worker that ran it) and {@code evals.jsonl} (one line per k-NN evaluation). A
 * retried round writes its steps again; readers keep the newest line per step. A line cut short by
 * a crash is skipped.
 */
public final class JobHistory {
    public static final String DIRECTORY = "history";
    private static final String EVALS = "evals.jsonl";
    private static final String STEPS_PREFIX = "steps-shard-";
    // A field a later dinoj adds to a record is skipped, not taken for a line cut short.
    private static final ObjectMapper JSON = new ObjectMapper()
            .disable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    /** One optimizer step: losses after it, its schedule values and throughput; time in ms since the Unix epoch. */
    public record StepRecord(int shard, long step, long timeMillis, double loss, Map<String, Double> terms,
                             double learningRate, double imagesPerSecond) {
        public StepRecord {
            terms = new TreeMap<>(terms);
        }
    }

    /**
     * One k-NN evaluation (top-1/top-5 in percent) and how long it took; {@code checkpoint} is the
     * evaluated directory relative to the store ({@code shard-0/step-0000001000}; null in records
     * written before dinoj kept it).
     */
    public record EvalRecord(int epoch, long step, long timeMillis, int k, double top1, double top5,
                             double seconds, String checkpoint) {
    }

    private final Path directory;

    /** The history of the job whose checkpoint store is {@code storeRoot}. */
    public JobHistory(Path storeRoot) {
        this.directory = storeRoot.resolve(DIRECTORY);
    }

    public Path directory() {
        return directory;
    }

    public void appendStep(StepRecord r) throws IOException {
        append(directory.resolve(STEPS_PREFIX + r.shard() + ".jsonl"), r);
    }

    public void appendEval(EvalRecord r) throws IOException {
        append(directory.resolve(EVALS), r);
    }

    private void append(Path file, Object record) throws IOException {
        Files.createDirectories(directory);
        byte[] line = (JSON.writeValueAsString(record) + "\n").getBytes(StandardCharsets.UTF_8);
        Files.write(file, line, StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.WRITE);
    }

    /** Every shard's steps, the newest line per (shard, step), ordered by step then shard. */
    public List<StepRecord> steps() throws IOException {
        Map<String, StepRecord> byKey = new LinkedHashMap<>();
        if (!Files.isDirectory(directory)) {
            return List.of();
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(directory, STEPS_PREFIX + "*.jsonl")) {
            for (Path f : files) {
                for (StepRecord r : read(f, StepRecord.class)) {
                    byKey.put(r.shard() + ":" + r.step(), r);
                }
            }
        }
        List<StepRecord> out = new ArrayList<>(byKey.values());
        out.sort(Comparator.comparingLong(StepRecord::step).thenComparingInt(StepRecord::shard));
        return out;
    }

    /** Evaluations, the newest per checkpoint step, ordered by step. */
    public List<EvalRecord> evals() throws IOException {
        Map<Long, EvalRecord> byStep = new TreeMap<>();
        for (EvalRecord r : read(directory.resolve(EVALS), EvalRecord.class)) {
            byStep.put(r.step(), r);
        }
        return new ArrayList<>(byStep.values());
    }

    /** The evaluation with the highest top-1 (the later one on a tie), if any. */
    public Optional<EvalRecord> best() throws IOException {
        return best(evals());
    }

    /** Of {@code evals} in step order: the highest top-1, the later one on a tie. */
    static Optional<EvalRecord> best(List<EvalRecord> evals) {
        EvalRecord best = null;
        for (EvalRecord r : evals) {
            if (best == null || r.top1() >= best.top1()) {
                best = r;
            }
        }
        return Optional.ofNullable(best);
    }

    private static <T> List<T> read(Path file, Class<T> type) throws IOException {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return List.of();
        }
        List<T> out = new ArrayList<>(lines.size());
        for (String line : lines) {
            if (line.isBlank()) {
                continue;
            }
            try {
                out.add(JSON.readValue(line, type));
            } catch (JsonProcessingException e) {
                // a line cut short by a crash in the middle of an append: the step is written again on retry
            }
        }
        return out;
    }
}
