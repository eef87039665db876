package org.dinoj.model.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.dinoj.model.data.Datasets;
import org.dinoj.model.data.Image;
import org.dinoj.model.data.Split;
import org.dinoj.model.nn.ViTOutput;
import org.dinoj.model.train.config.DinoV2Config;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TeacherAttentionTest {
    /** tiny-test with two registers, so the maps must skip the CLS and register columns. */
    private static final List<String> WITH_REGISTERS = List.of("student.num_register_tokens=2", "compute.backend=reference");

    @Test
    void mapsAreTheClsRowOfTheLastBlockOverPatchesOnly(@TempDir Path dir) throws Exception {
        DinoV2Config config = DinoV2Config.load("tiny-test", WITH_REGISTERS);
        Path checkpoint = dir.resolve("ckpt");
        Files.createDirectories(checkpoint);
        try (DinoV2Session session = DinoV2Session.open(config, 0, 1, null)) {
            session.trainStep();
            session.saveTo(checkpoint);
        }
        Image image = Datasets.open("synthetic:8:16x16x1", Split.TEST).image(3);
        TeacherAttention.Maps maps;
        try (TeacherAttention attention = TeacherAttention.open(config, checkpoint)) {
            maps = attention.maps(image);
            assertThat(attention.cropSize()).isEqualTo(16);
        }
        int heads = config.vit().heads();
        int grid = 16 / config.vit().patchSize();
        assertThat(maps.heads()).isEqualTo(heads);
        assertThat(maps.gridHeight()).isEqualTo(grid);
        assertThat(maps.gridWidth()).isEqualTo(grid);
        assertThat(maps.weights()).hasSize(heads * grid * grid);

        // The full [1, H, N, N] probabilities of an independent pass of the same teacher.
        float[] full;
        int tokens;
        try (TeacherBackbone teacher = TeacherBackbone.open(config, checkpoint)) {
            ViTOutput out = teacher.forward(List.of(image));
            var probabilities = out.lastBlockAttention();
            tokens = (int) probabilities.size(2);
            full = probabilities.toFloatArray();
        }
        int registers = 2;
        assertThat(tokens).isEqualTo(1 + registers + grid * grid);
        for (int h = 0; h < heads; h++) {
            int row = h * tokens * tokens; // query 0 = CLS
            double rowSum = 0;
            double patchSum = 0;
            for (int t = 0; t < tokens; t++) {
                rowSum += full[row + t];
            }
            for (int p = 0; p < grid * grid; p++) {
                float w = maps.weights()[h * grid * grid + p];
                assertThat(w).isEqualTo(full[row + 1 + registers + p]);
                patchSum += w;
            }
            assertThat(rowSum).isCloseTo(1.0, within(1e-5));
            // CLS and registers take the rest of the softmax row.
            double others = full[row] + full[row + 1] + full[row + 2];
            assertThat(patchSum + others).isCloseTo(1.0, within(1e-5));
        }
    }
}
