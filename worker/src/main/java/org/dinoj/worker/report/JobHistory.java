package org.dinoj.worker.report;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Consumer;

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
    private static final String STEP_FIELD = "\"step\":";
    private static final String RECORD_START = "{\"shard\":";
    // A field a later dinoj adds to a record is skipped, not taken for a line cut short. The fast
    // double parser halves the time of a long history's report, which is mostly parsing doubles.
    private static final ObjectMapper JSON = new ObjectMapper(JsonFactory.builder()
            .enable(StreamReadFeature.USE_FAST_DOUBLE_PARSER).build())
            .disable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    /** One optimizer step: losses after it, its schedule values and throughput; time in ms since the Unix epoch. */
    // step before terms: stepOf finds it without parsing the line
    @JsonPropertyOrder({"shard", "step", "timeMillis", "loss", "terms", "learningRate", "imagesPerSecond"})
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

    /**
     * Passes each shard's newest record per step to {@code sink}, shard file by shard file, in the
     * order the lines were written. Each file is read twice: first for the line that last wrote each
     * step, then for those lines. That holds 4 bytes per step in memory, not the records: a job of
     * days has millions of them. Lines appended while the file is read (another shard's worker) wait
     * for the next report.
     */
    public void forEachNewestStep(Consumer<StepRecord> sink) throws IOException {
        if (!Files.isDirectory(directory)) {
            return;
        }
        List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> listing = Files.newDirectoryStream(directory, STEPS_PREFIX + "*.jsonl")) {
            listing.forEach(files::add);
        }
        files.sort(Comparator.naturalOrder());
        for (Path f : files) {
            LastLines last = new LastLines();
            int lines = 0;
            try (BufferedReader in = Files.newBufferedReader(f, StandardCharsets.UTF_8)) {
                for (String line; (line = in.readLine()) != null; lines++) {
                    long step = stepOf(line);
                    if (step >= 0) {
                        last.put(step, lines);
                    }
                }
            }
            try (BufferedReader in = Files.newBufferedReader(f, StandardCharsets.UTF_8)) {
                String line;
                for (int i = 0; i < lines && (line = in.readLine()) != null; i++) {
                    long step = stepOf(line);
                    if (step >= 0 && last.get(step) == i) {
                        StepRecord r = parse(line, StepRecord.class);
                        if (r != null) {
                            sink.accept(r);
                        }
                    }
                }
            }
        }
    }

    /**
     * The {@code step} of a step line, found without parsing it: dinoj writes {@code step} before the
     * terms map, so the first {@code "step":} is the record's. -1 for a line that has none, that does
     * not end its object (cut short by a crash), or that holds a second record (a retry's append that
     * went on from a line cut short): such a line does not parse either, and an earlier whole line of
     * the step stays its newest.
     */
    static long stepOf(String line) {
        int end = line.length();
        while (end > 0 && Character.isWhitespace(line.charAt(end - 1))) {
            end--;
        }
        int at = line.indexOf(STEP_FIELD);
        if (end == 0 || line.charAt(end - 1) != '}' || at < 0 || line.indexOf(RECORD_START, 1) >= 0) {
            return -1;
        }
        long step = 0;
        int i = at + STEP_FIELD.length();
        int digits = 0;
        for (; i < end && line.charAt(i) >= '0' && line.charAt(i) <= '9'; i++, digits++) {
            step = step * 10 + (line.charAt(i) - '0');
            if (step > Integer.MAX_VALUE) {
                return -1; // beyond any job's length; LastLines indexes steps as ints
            }
        }
        return digits == 0 || i >= end || line.charAt(i) != ',' && line.charAt(i) != '}' ? -1 : step;
    }

    /** For each step, the index of the line that last wrote it: a growable int array over the steps seen. */
    private static final class LastLines {
        private long first = -1;
        private int[] lines = new int[0];

        void put(long step, int line) {
            if (first < 0) {
                first = step;
            }
            if (step < first) {
                int shift = (int) (first - step);
                int[] grown = new int[Math.max(lines.length + shift, 16)];
                Arrays.fill(grown, 0, shift, -1);
                System.arraycopy(lines, 0, grown, shift, lines.length);
                Arrays.fill(grown, shift + lines.length, grown.length, -1);
                lines = grown;
                first = step;
            }
            int at = (int) (step - first);
            if (at >= lines.length) {
                int old = lines.length;
                lines = Arrays.copyOf(lines, Math.max(at + 1, old * 2));
                Arrays.fill(lines, old, lines.length, -1);
            }
            lines[at] = line;
        }

        int get(long step) {
            long at = step - first;
            return first < 0 || at < 0 || at >= lines.length ? -1 : lines[(int) at];
        }
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
            T r = parse(line, type);
            if (r != null) {
                out.add(r);
            }
        }
        return out;
    }

    /** The record on {@code line}; null for a line cut short by a crash in the middle of an append (its step is written again on retry). */
    private static <T> T parse(String line, Class<T> type) {
        try {
            return JSON.readValue(line, type);
        } catch (JsonProcessingException e) {
            return null;
        }
    }
}
