// Time and heap of the report a worker writes at the end of every round (results.json and the
// plots, JobReport.write) over a job history of STEPS steps (default 1,000,000: about 426 MB of
// JSON lines, a week of steps at two a second). Build the CLI jar first (./dinoj --help does), then
// from the repository root, with a heap limit to find what the report needs:
//   java -Xmx64m -cp worker/target/dinoj.jar scripts/ReportSpeed.java [STEPS] [RUNS]
// The history is written once into a temporary folder; each run reads it whole.
import java.io.BufferedWriter;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.dinoj.worker.report.JobHistory.StepRecord;
import org.dinoj.worker.report.JobReport;

public class ReportSpeed {
    public static void main(String[] args) throws Exception {
        long steps = args.length > 0 ? Long.parseLong(args[0]) : 1_000_000L;
        int runs = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        Path store = Files.createTempDirectory("dinoj-report-speed");
        Path file = store.resolve("history/steps-shard-0.jsonl");
        Files.createDirectories(file.getParent());
        ObjectMapper json = new ObjectMapper();
        try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            for (long s = 1; s <= steps; s++) {
                Map<String, Double> terms = new TreeMap<>();
                for (String t : new String[] {"dino_global_crops_loss", "dino_local_crops_loss", "ibot_loss",
                        "koleo_loss", "backbone_grad_norm", "dino_head_grad_norm", "ibot_head_grad_norm", "teacher_entropy"}) {
                    terms.put(t, 9.5 + Math.sin(s * 1e-3) + t.length() * 1e-3);
                }
                out.write(json.writeValueAsString(new StepRecord(0, s, 1_700_000_000_000L + 500 * s, 10 - s * 1e-6, terms,
                        1e-3, 180)));
                out.write('\n');
            }
        }
        System.out.printf("history: %d steps, %.1f MB; max heap %d MB%n", steps, Files.size(file) / 1e6,
                Runtime.getRuntime().maxMemory() >> 20);
        for (int run = 0; run < runs; run++) {
            for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
                pool.resetPeakUsage();
            }
            long t0 = System.nanoTime();
            JobReport.write(store, "speed", "a: 1\n", 1000);
            double seconds = (System.nanoTime() - t0) / 1e9;
            long peak = 0;
            for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
                if (pool.getType() == MemoryType.HEAP) {
                    peak += pool.getPeakUsage().getUsed();
                }
            }
            System.out.printf("run %d: %.2f s, peak heap %d MB%n", run + 1, seconds, peak >> 20);
        }
        try (var walk = Files.walk(store)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
