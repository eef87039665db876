package org.dinoj.model.train;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.dinoj.model.data.Image;
import org.dinoj.model.eval.FeatureExtractor;
import org.dinoj.model.nn.ViTOutput;
import org.dinoj.model.tensor.Tensor;
import org.dinoj.model.train.config.DinoV2Config;

/**
 * The teacher backbone's CLS token (x_norm_clstoken) of a checkpoint as k-NN features, the way
 * dinov2's k-NN evaluation reads them (see {@link TeacherBackbone}). Not thread-safe: extraction
 * runs batch after batch.
 */
public final class TeacherFeatures implements FeatureExtractor, AutoCloseable {
    public static final String NAME = "teacher-cls";

    private final TeacherBackbone teacher;
    /** Host copies of the CLS tokens per batch size, reused so extraction allocates once. */
    private final Map<Integer, Tensor> clsBySize = new HashMap<>();

    private TeacherFeatures(TeacherBackbone teacher) {
        this.teacher = teacher;
    }

    /** Loads the teacher backbone of {@code checkpoint} (a DINOv2 session's directory) on the configured backend. */
    public static TeacherFeatures open(DinoV2Config config, Path checkpoint) throws IOException {
        return new TeacherFeatures(TeacherBackbone.open(config, checkpoint));
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public int dimension(Image example) {
        return teacher.model().config().embedDim();
    }

    @Override
    public void extract(List<Image> batch, float[] out, int offset) {
        ViTOutput result = teacher.forward(batch);
        Tensor cls = clsBySize.computeIfAbsent(batch.size(),
                b -> teacher.hostTensor(b, teacher.model().config().embedDim()));
        teacher.backend().copy(result.clsToken(), cls);
        teacher.backend().synchronize();
        MemorySegment.copy(cls.data(), ValueLayout.JAVA_FLOAT, 0, out, offset, (int) cls.numel());
    }

    @Override
    public void close() {
        teacher.close();
    }
}
