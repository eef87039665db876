package org.dinoj.tests;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code dinoj pretrain} on a folder of a user's own unlabelled images, as it is run, in its own JVM
 * on the production class path (the DINOv2 trainer): photos of several sizes, a few grayscale ones
 * among the colour ones, and one damaged file. Each problem ends the job in seconds with the sentence
 * that says what to change, and the job then trains; a retraining from its weights then takes its
 * configuration from the checkpoint.
 */
class OwnImagesPretrainTest {
    private static final long LIMIT_SECONDS = 120;

    @TempDir(cleanup = org.junit.jupiter.api.io.CleanupMode.ON_SUCCESS)
    Path dir;

    private Path writeImages() throws Exception {
        Path images = dir.resolve("images");
        Files.createDirectories(images);
        Random random = new Random(5);
        for (int i = 0; i < 30; i++) {
            boolean gray = i % 10 == 3; // three grayscale files among the colour ones
            int w = 12 + random.nextInt(30);
            int h = 12 + random.nextInt(30);
            BufferedImage image = new BufferedImage(w, h, gray ? BufferedImage.TYPE_BYTE_GRAY : BufferedImage.TYPE_INT_RGB);
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    image.setRGB(x, y, random.nextInt());
                }
            }
            ImageIO.write(image, i % 2 == 0 ? "png" : "jpg", images.resolve(String.format("photo%02d.%s", i, i % 2 == 0 ? "png" : "jpg")).toFile());
        }
        Path broken = images.resolve("photo07.jpg");
        Files.write(images.resolve("broken.jpg"), Arrays.copyOf(Files.readAllBytes(broken), (int) Files.size(broken) / 2));
        return images;
    }

    private Run dinoj(String name, String... args) throws Exception {
        Path log = dir.resolve(name + ".log");
        Process p = ProductionClassPath.startDinoj(dir, log, args);
        boolean ended = p.waitFor(LIMIT_SECONDS, TimeUnit.SECONDS);
        if (!ended) {
            p.destroyForcibly();
        }
        String out = Files.readString(log);
        assertThat(ended).as("ended within %d s:%n%s", LIMIT_SECONDS, out).isTrue();
        return new Run(p.exitValue(), out);
    }

    private record Run(int exit, String out) {
    }

    private String[] pretrain(Path images, String jobId, String... more) {
        String[] base = {"pretrain", "--config", "tiny-test", "--set", "data.dataset=folder:" + images,
            "--set", "student.in_chans=3", "--set", "data.mean=[0.5,0.5,0.5]", "--set", "data.std=[0.25,0.25,0.25]",
            "--job-id", jobId, "--checkpoint-dir", dir.resolve("ckpt").toString(), "--port", "0"};
        String[] all = Arrays.copyOf(base, base.length + more.length);
        System.arraycopy(more, 0, all, base.length, more.length);
        return all;
    }

    @Test
    void unlabelledMixedImagesWithADamagedFileFailFastWithTheirSentenceThenTrain() throws Exception {
        Path images = writeImages();

        // k-NN needs labels: refused at the job's start, not at its first evaluation.
        Run unlabelled = dinoj("unlabelled", pretrain(images, "own"));
        assertThat(unlabelled.exit()).as(unlabelled.out()).isEqualTo(1);
        assertThat(unlabelled.out()).contains("job own failed: k-NN cannot use evaluation dataset folder:" + images + ": it"
                + " has no class folders, so it has no labels; set eval.dataset to a labelled dataset with a held-out split,"
                + " or job.eval_every_epochs=-1 to train without k-NN (as a new job: a retry keeps the eval and job sections)");

        // With a time budget the worker first times the machine: refused before that measurement too.
        Run budgeted = dinoj("budgeted", pretrain(images, "own-budget", "--time-budget", "5"));
        assertThat(budgeted.exit()).as(budgeted.out()).isEqualTo(1);
        assertThat(budgeted.out()).contains("job own-budget failed: k-NN cannot use evaluation dataset folder:" + images);
        assertThat(Files.readString(dir.resolve("ckpt/logs/worker-0.log"))).contains("activityType=SizeSchedule")
                .doesNotContain("job own-budget: time budget");

        // Without k-NN, the damaged file (1 of 31, over the default 1%) fails the job once instead of being retried.
        Run damaged = dinoj("damaged", pretrain(images, "own2", "--set", "job.eval_every_epochs=-1"));
        assertThat(damaged.exit()).as(damaged.out()).isEqualTo(1);
        assertThat(damaged.out()).contains("job own2 failed: at least 1 of the 31 images of folder:" + images + " are damaged or not"
                + " images, more than data.max_bad_fraction allows (1%; first: " + images.resolve("broken.jpg")
                + "): fix or remove these files, or raise data.max_bad_fraction");
        String workerLog = Files.readString(dir.resolve("ckpt/logs/worker-0.log"));
        assertThat(workerLog).contains("activityType=TrainRound, attempt=1").doesNotContain("activityType=TrainRound, attempt=2");

        // Fewer images than one batch: final at the first attempt, not retried for ever.
        Run small = dinoj("small", pretrain(images, "own-small", "--set", "job.eval_every_epochs=-1",
                "--set", "data.max_bad_fraction=0.05", "--set", "train.batch_size_per_gpu=64"));
        assertThat(small.exit()).as(small.out()).isEqualTo(1);
        assertThat(small.out()).contains("job own-small failed: shard 0 of 1 of folder:" + images)
                .contains(", fewer than one batch of 64: use a smaller batch size, fewer shards or more images");
        assertThat(small.out()).doesNotContain("Temporal retries it");

        // Retried with more damaged files allowed, it trains on the grayscale files among the colour ones to the end.
        Run retried = dinoj("retried", "pretrain", "--job-id", "own2", "--retry", "--set", "data.max_bad_fraction=0.05",
                "--checkpoint-dir", dir.resolve("ckpt").toString(), "--port", "0");
        assertThat(retried.exit()).as(retried.out()).isZero();
        assertThat(retried.out()).contains("retrying job own2 from the start with data.max_bad_fraction=0.05")
                .contains("job own2 completed at step 40;");
        JsonNode results = new ObjectMapper().readTree(dir.resolve("ckpt/own2/results.json").toFile());
        assertThat(results.path("training").path("last_step").asLong()).isEqualTo(40);
        assertThat(results.path("evaluations").size()).as(results.toPrettyString()).isZero();

        // Retraining from those weights needs no --config: the checkpoint names the recipe (RGB, the folder,
        // no k-NN, the raised bad-image limit), and --set changes what differs.
        Path trained = dir.resolve("ckpt/own2/shard-0/step-0000000040");
        Run again = dinoj("again", "pretrain", "--init-from", trained.toString(), "--set", "optim.epochs=1",
                "--job-id", "own3", "--checkpoint-dir", dir.resolve("ckpt").toString(), "--port", "0");
        assertThat(again.exit()).as(again.out()).isZero();
        assertThat(again.out()).contains("configuration: " + trained.resolve("config.yaml"))
                .contains("starting from the weights of " + trained).contains("job own3 completed at step 10;");
    }

    @Test
    void aJobOnCudaIsRefusedAtOnceWhereTheEmbeddedServersWorkersHaveNoGpu() throws Exception {
        String reason = org.dinoj.model.backend.cuda.CudaDevice.unavailableReason();
        org.junit.jupiter.api.Assumptions.assumeTrue(reason != null, "this machine has a CUDA device: nothing to refuse");
        Run cuda = dinoj("cuda", "pretrain", "--config", "tiny-test", "--device", "cuda", "--job-id", "own-cuda",
                "--checkpoint-dir", dir.resolve("ckpt").toString(), "--port", "0");
        assertThat(cuda.exit()).as(cuda.out()).isEqualTo(2);
        assertThat(cuda.out()).contains("the job computes on cuda, which this machine cannot use (" + reason + "), and the"
                + " embedded server's workers all run here: use --device dnnl (the CPU), or with --temporal HOST:PORT and a GPU worker");
        assertThat(dir.resolve("ckpt/registry/own-cuda.json")).doesNotExist();
    }
}
