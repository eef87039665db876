package org.dinoj.worker.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.dinoj.worker.report.JobHistory.StepRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JobReportTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path store;

    private static double loss(long step) {
        return 10 + (step % 7) - step / 1000.0;
    }

    private static StepRecord step(long step, double loss) {
        Map<String, Double> terms = new TreeMap<>();
        for (String name : List.of("dino_global_crops_loss", "dino_local_crops_loss", "ibot_loss", "koleo_loss",
                "backbone_grad_norm", "dino_head_grad_norm", "ibot_head_grad_norm", "teacher_entropy")) {
            terms.put(name, loss / 4);
        }
        return new StepRecord(0, step, 1_700_000_000_000L + 500 * step, loss, terms, 1e-3, 180.5);
    }

    /** Writes steps 1..n as a worker would, with a first attempt of (from, to] that a retry replaced. */
    private void writeHistory(long n, long replacedFrom, long replacedTo) throws IOException {
        Path file = store.resolve("history/steps-shard-0.jsonl");
        Files.createDirectories(file.getParent());
        try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            for (long s = 1; s <= n; s++) {
                if (s == replacedTo + 1) {
                    for (long r = replacedFrom + 1; r <= replacedTo; r++) {
                        out.write(JSON.writeValueAsString(step(r, 999.0)) + "\n");
                    }
                    for (long r = replacedFrom + 1; r <= replacedTo; r++) {
                        out.write(JSON.writeValueAsString(step(r, loss(r))) + "\n");
                    }
                }
                out.write(JSON.writeValueAsString(step(s, loss(s))) + "\n");
            }
        }
    }

    @Test
    void aLongJobIsPlottedInAtMostTwoThousandPointsWithExactEpochMeans() throws IOException {
        writeHistory(10_000, 4_000, 4_500);
        JobReport.write(store, "long", "a: 1\n", 1_000);

        JsonNode results = JSON.readTree(store.resolve(JobReport.RESULTS).toFile());
        assertThat(results.at("/training/recorded_steps").asLong()).isEqualTo(10_000);
        assertThat(results.at("/training/last_step").asLong()).isEqualTo(10_000);
        assertThat(results.at("/training/epochs").asDouble()).isEqualTo(10.0);
        // 10,000 steps halved into points until at most 2000 remain: 8 steps a point, 1250 points.
        assertThat(results.at("/training/steps_per_plot_point").asLong()).isEqualTo(8);
        JsonNode first = results.at("/loss_history/first");
        assertThat(first.get("from_step").asLong()).isEqualTo(1);
        assertThat(first.get("step").asLong()).isEqualTo(8);
        double firstMean = 0;
        for (long s = 1; s <= 8; s++) {
            firstMean += loss(s) / 8;
        }
        assertThat(first.get("loss").asDouble()).isCloseTo(firstMean, within(1e-9));
        assertThat(results.at("/loss_history/last/step").asLong()).isEqualTo(10_000);
        JsonNode epochs = results.at("/loss_history/per_epoch");
        assertThat(epochs).hasSize(10);
        for (int e = 0; e < 10; e++) {
            double mean = 0;
            for (long s = e * 1000L + 1; s <= (e + 1) * 1000L; s++) {
                mean += loss(s) / 1000;
            }
            // Epoch 5 holds the replaced attempt's 999s: they must not count.
            assertThat(epochs.get(e).get("steps").asInt()).isEqualTo(1000);
            assertThat(epochs.get(e).get("loss_mean").asDouble()).as("epoch %d", e + 1).isCloseTo(mean, within(1e-9));
            assertThat(epochs.get(e).get("ibot_loss_mean").asDouble()).isCloseTo(mean / 4, within(1e-9));
        }
        assertThat(results.at("/training/images_per_second_mean").asDouble()).isEqualTo(180.5);
        assertThat(store.resolve("plots").resolve(JobReport.LOSS_VS_EPOCH)).isNotEmptyFile();
    }

    @Test
    void theReportOfAMonthOfStepsFitsInAFewMegabytesOfHeap() throws Exception {
        // 150,000 steps of ~375 bytes: 56 MB of JSON lines. Held as records this needs several times
        // that; the report runs in a JVM limited to 32 MB.
        writeHistory(150_000, 100_000, 100_500);
        assertThat(Files.size(store.resolve("history/steps-shard-0.jsonl"))).isGreaterThan(50_000_000L);
        String java = ProcessHandle.current().info().command().orElseThrow();
        Path output = store.resolve("report.log");
        Process p = new ProcessBuilder(java, "-Xmx32m", "-Djava.awt.headless=true", "-cp",
                System.getProperty("java.class.path"), ReportMain.class.getName(), store.toString())
                .redirectErrorStream(true).redirectOutput(output.toFile()).start();
        boolean ended = p.waitFor(120, TimeUnit.SECONDS);
        if (!ended) {
            p.destroyForcibly();
        }
        assertThat(ended).as(Files.readString(output)).isTrue();
        assertThat(p.exitValue()).as(Files.readString(output)).isZero();
        JsonNode results = JSON.readTree(store.resolve(JobReport.RESULTS).toFile());
        assertThat(results.at("/training/recorded_steps").asLong()).isEqualTo(150_000);
        assertThat(results.at("/loss_history/per_epoch")).hasSize(150);
    }

    /** Writes the report of the store named by its argument, in a JVM of its own heap. */
    public static final class ReportMain {
        public static void main(String[] args) throws IOException {
            JobReport.write(Path.of(args[0]), "month", "a: 1\n", 1_000);
        }
    }
}
