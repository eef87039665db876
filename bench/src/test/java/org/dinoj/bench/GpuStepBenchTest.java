package org.dinoj.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.dinoj.model.ssl.CenteringMode;
import org.dinoj.model.train.config.DinoV2Config;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class GpuStepBenchTest {

    @Test
    void vits14ConfigIsThePyTorchScriptsWorkload() {
        DinoV2Config c = GpuStepBench.config("vits14-224", "cuda", "bf16", null, List.of());
        assertThat(c.vit().embedDim()).isEqualTo(384);
        assertThat(c.vit().depth()).isEqualTo(12);
        assertThat(c.vit().patchSize()).isEqualTo(14);
        assertThat(c.crops().globalCropsSize()).isEqualTo(224);
        assertThat(c.crops().localCropsSize()).isEqualTo(98);
        assertThat(c.crops().localCropsNumber()).isEqualTo(8);
        assertThat(c.dinoHead().prototypes()).isEqualTo(65536);
        assertThat(c.dinoHead().hiddenDim()).isEqualTo(2048);
        assertThat(c.dinoHead().bottleneckDim()).isEqualTo(256);
        assertThat(c.train().batchSizePerGpu()).isEqualTo(8);
        assertThat(c.vit().dropPathRate()).isZero();
        assertThat(c.train().centering()).isEqualTo(CenteringMode.SINKHORN_KNOPP);
        assertThat(c.ibot().separateHead()).isFalse();
        assertThat(c.compute().backendKind()).isEqualTo("cuda");
        assertThat(GpuStepBench.config("vits14-224", "cuda", "f32", 64, List.of()).train().batchSizePerGpu()).isEqualTo(64);
    }

    @Test
    void flopsPerImageMatchThePyTorchScriptsCount() {
        // bench/pytorch/dinov2_step_gpu.py step_flops_per_image(CONFIGS["vits14-224"], m) for m = 0 and 40.5
        DinoV2Config c = GpuStepBench.config("vits14-224", "cuda", "bf16", null, List.of());
        assertThat(GpuStepBench.stepFlopsPerImage(c, 0)).isCloseTo(152000831488.0, within(1.0));
        assertThat(GpuStepBench.stepFlopsPerImage(c, 40.5)).isCloseTo(159220277248.0, within(1.0));
    }

    @Test
    void tinyStepOnTheReferenceBackendPrintsAResultLine() {
        StringWriter text = new StringWriter();
        CommandLine cli = new CommandLine(new BenchMain());
        cli.setOut(new PrintWriter(text));
        int rc = cli.execute("gpu-step", "--backend", "reference", "--config", "tiny-test", "--precision", "f32",
                "--steps", "1", "--warmup", "0");
        assertThat(rc).isZero();
        assertThat(text.toString()).contains("RESULT {\"impl\":\"dinoj\",\"backend\":\"reference\"")
                .containsPattern("\"step_ms\":[0-9.]+");
    }
}
