// Speed of the k-NN evaluation's two parts, measured separately: teacher CLS feature extraction
// (images/s, wall and per CPU second) and the neighbour search (10000 queries x 60000 bank x 192).
// Build the CLI jar first (./dinoj --help does), then from the repository root:
//   java --enable-native-access=ALL-UNNAMED -cp worker/target/dinoj.jar scripts/KnnEvalSpeed.java [IMAGES] [KEY=VALUE...]
// IMAGES (default 2048) Fashion-MNIST train images are embedded by a fresh fashion-mnist preset
// model (random weights cost the same as trained ones); KEY=VALUE are config overrides such as
// eval.batch_size=64. The machine's load changes wall times: compare the per-CPU-second figures.
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.dinoj.model.backend.Precision;
import org.dinoj.model.backend.dnnl.DnnlBackend;
import org.dinoj.model.data.Dataset;
import org.dinoj.model.data.Datasets;
import org.dinoj.model.data.Image;
import org.dinoj.model.data.Split;
import org.dinoj.model.eval.BlockedNeighbourSearch;
import org.dinoj.model.eval.FeatureExtraction;
import org.dinoj.model.eval.FeatureMatrix;
import org.dinoj.model.eval.MatmulNeighbourSearch;
import org.dinoj.model.train.DinoV2Session;
import org.dinoj.model.train.TeacherFeatures;
import org.dinoj.model.train.config.DinoV2Config;

public class KnnEvalSpeed {
    static double cpuSeconds() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime() * 1e-9;
    }

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 2048;
        List<String> overrides = args.length > 1 ? Arrays.asList(args).subList(1, args.length) : List.of();
        DinoV2Config config = DinoV2Config.load("fashion-mnist", overrides);
        Path checkpoint = Files.createTempDirectory("knn-eval-speed");
        try (DinoV2Session session = DinoV2Session.open(config, 0, 1, null)) {
            session.saveTo(checkpoint);
        }
        Dataset train = Datasets.open("fashion-mnist", Split.TRAIN);
        Dataset first = new Dataset() {
            public int size() { return Math.min(n, train.size()); }
            public Image image(int i) throws java.io.IOException { return train.image(i); }
            public int label(int i) { return train.label(i); }
            public int numClasses() { return train.numClasses(); }
            public String describe() { return "first " + size() + " of " + train.describe(); }
        };
        try (TeacherFeatures teacher = TeacherFeatures.open(config, checkpoint)) {
            FeatureExtraction.extract(first, teacher, config.eval().batchSize()); // warm-up: primitives, JIT
            double cpu0 = cpuSeconds();
            long t0 = System.nanoTime();
            FeatureExtraction.extract(first, teacher, config.eval().batchSize());
            double wall = (System.nanoTime() - t0) * 1e-9;
            double cpu = cpuSeconds() - cpu0;
            System.out.printf("extraction, batch %d: %d images in %.2f s = %.1f images/s; %.2f CPU s = %.1f images per CPU s%n",
                    config.eval().batchSize(), first.size(), wall, first.size() / wall, cpu, first.size() / cpu);
        }
        Random random = new Random(1);
        FeatureMatrix bank = FeatureMatrix.zeros(60000, 192);
        FeatureMatrix queries = FeatureMatrix.zeros(10000, 192);
        for (float[] values : List.of(bank.values(), queries.values())) {
            for (int i = 0; i < values.length; i++) {
                values[i] = (float) random.nextGaussian();
            }
        }
        bank.l2NormalizeRows();
        queries.l2NormalizeRows();
        try (DnnlBackend f32 = new DnnlBackend(Precision.F32)) {
            double cpu0 = cpuSeconds();
            long t0 = System.nanoTime();
            new MatmulNeighbourSearch(f32).search(queries, bank, 20);
            System.out.printf("search, oneDNN f32 matmul tiles: %.2f s, %.2f CPU s%n", (System.nanoTime() - t0) * 1e-9,
                    cpuSeconds() - cpu0);
        }
        double cpu0 = cpuSeconds();
        long t0 = System.nanoTime();
        new BlockedNeighbourSearch().search(queries, bank, 20);
        System.out.printf("search, pure-Java blocked: %.2f s, %.2f CPU s%n", (System.nanoTime() - t0) * 1e-9,
                cpuSeconds() - cpu0);
    }
}
