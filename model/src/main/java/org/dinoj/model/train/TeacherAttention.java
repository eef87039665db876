package org.dinoj.model.train;

import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import org.dinoj.model.data.Image;
import org.dinoj.model.nn.ViTOutput;
import org.dinoj.model.tensor.Tensor;
import org.dinoj.model.train.config.DinoV2Config;

/**
 * What the teacher's CLS token looks at: the last block's attention from the CLS token to each
 * patch, per head, as DINO's visualize_attention shows it (registers left out, rows of the
 * softmax over all tokens, so a map sums to at most 1).
 */
public final class TeacherAttention implements AutoCloseable {
    /**
     * One image's maps, {@code weights[h * gridH * gridW + y * gridW + x]}, and the normalised crop
     * {@code [C, size, size]} they belong to.
     */
    public record Maps(float[] weights, int heads, int gridHeight, int gridWidth, float[] crop) {}

    private final TeacherBackbone teacher;
    /** Host copy of the CLS query rows {@code [1, H, 1, N]}, allocated by the first image. */
    private Tensor clsRows;

    private TeacherAttention(TeacherBackbone teacher) {
        this.teacher = teacher;
    }

    /** Loads the teacher backbone of {@code checkpoint} (a DINOv2 session's directory) on the configured backend. */
    public static TeacherAttention open(DinoV2Config config, Path checkpoint) throws IOException {
        return new TeacherAttention(TeacherBackbone.open(config, checkpoint));
    }

    /** The side of the square crop the maps cover. */
    public int cropSize() {
        return teacher.cropSize();
    }

    /** Channels of the crop the maps belong to. */
    public int channels() {
        return teacher.channels();
    }

    /** The CLS-to-patch attention of the last block for one image. */
    public Maps maps(Image image) {
        float[] crop = teacher.crop(image);
        ViTOutput out = teacher.forwardCrop(crop);
        Tensor attention = out.lastBlockAttention();
        int heads = (int) attention.size(1);
        int tokens = (int) attention.size(2);
        int patches = out.patchCount();
        int firstPatch = tokens - patches;
        int grid = teacher.cropSize() / teacher.model().config().patchSize();
        if (grid * grid != patches) {
            throw new IllegalStateException(patches + " patch tokens do not form a " + grid + "x" + grid + " grid");
        }
        // The CLS query row of every head: [1, H, 1, N].
        if (clsRows == null) {
            clsRows = teacher.hostTensor(1, heads, 1, tokens);
        }
        teacher.backend().copy(attention.slice(2, 0, 1), clsRows);
        teacher.backend().synchronize();
        float[] weights = new float[heads * patches];
        for (int h = 0; h < heads; h++) {
            for (int p = 0; p < patches; p++) {
                weights[h * patches + p] = clsRows.data().getAtIndex(ValueLayout.JAVA_FLOAT, (long) h * tokens + firstPatch + p);
            }
        }
        return new Maps(weights, heads, grid, grid, crop);
    }

    @Override
    public void close() {
        teacher.close();
    }
}
