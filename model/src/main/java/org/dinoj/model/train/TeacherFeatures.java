package org.dinoj.model.train;

import java.io.IOException;
import java.nio.file.Path;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.dinoj.model.backend.Backend;
import org.dinoj.model.checkpoint.SafeTensors;
import org.dinoj.model.checkpoint.SafeTensorsFile;
import org.dinoj.model.data.Image;
import org.dinoj.model.data.augment.EvalTransform;
import org.dinoj.model.eval.FeatureExtractor;
import org.dinoj.model.nn.LayerContext;
import org.dinoj.model.nn.Parameter;
import org.dinoj.model.nn.ViTOutput;
import org.dinoj.model.nn.VisionTransformer;
import org.dinoj.model.tensor.DType;
import org.dinoj.model.tensor.Device;
import org.dinoj.model.tensor.HostArena;
import org.dinoj.model.tensor.Tensor;
import org.dinoj.model.tensor.TensorAllocator;
import org.dinoj.model.train.config.DinoV2Config;

/**
 * The teacher backbone's CLS token (x_norm_clstoken) of a checkpoint as k-NN features, the way
 * dinov2's k-NN evaluation reads them: evaluation transform at the global crop size, inference
 * pass, no masks. Not thread-safe: extraction runs batch after batch.
 */
public final class TeacherFeatures implements FeatureExtractor, AutoCloseable {
    public static final String NAME = "teacher-cls";
    private static final String PREFIX = "teacher.backbone.";

    private final Backend backend;
    private final TensorAllocator allocator;
    private final VisionTransformer teacher;
    private final EvalTransform transform;
    private final int channels;
    private final HostArena host = new HostArena();
    private final Map<Integer, Buffers> buffersBySize = new HashMap<>();

    private TeacherFeatures(Backend backend, VisionTransformer teacher, TensorAllocator allocator,
                            EvalTransform transform, int channels) {
        this.backend = backend;
        this.teacher = teacher;
        this.allocator = allocator;
        this.transform = transform;
        this.channels = channels;
    }

    /** Loads the teacher backbone of {@code checkpoint} (a DINOv2 session's directory) on the configured backend. */
    public static TeacherFeatures open(DinoV2Config config, Path checkpoint) throws IOException {
        Backend backend = Backends.open(config.compute());
        try {
            TensorAllocator allocator = backend.newArena();
            VisionTransformer teacher = new VisionTransformer(new LayerContext(backend, allocator, DType.F32),
                    config.vit(), config.train().seed());
            try (SafeTensorsFile file = SafeTensors.read(checkpoint.resolve(DinoV2Session.MODEL_FILE))) {
                for (Parameter p : teacher.parameters()) {
                    CheckpointTensors.load(backend, file, PREFIX + p.name(), p.value(), config.vit().name());
                }
            }
            EvalTransform transform = new EvalTransform(config.crops().globalCropsSize(),
                    config.augmentation().normalization());
            return new TeacherFeatures(backend, teacher, allocator, transform, config.student().inChans());
        } catch (IOException | RuntimeException e) {
            backend.close();
            throw e;
        }
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public int dimension(Image example) {
        return teacher.config().embedDim();
    }

    @Override
    public void extract(List<Image> batch, float[] out, int offset) {
        Buffers buffers = buffers(batch.size());
        int perImage = channels * transform.size() * transform.size();
        for (int i = 0; i < batch.size(); i++) {
            transform.apply(batch.get(i), buffers.pixels, i * perImage);
        }
        buffers.hostImages.copyFrom(buffers.pixels);
        if (buffers.images != buffers.hostImages) {
            backend.copy(buffers.hostImages, buffers.images);
        }
        ViTOutput result = teacher.forwardInference(buffers.images, null);
        backend.copy(result.clsToken(), buffers.cls);
        backend.synchronize();
        MemorySegment.copy(buffers.cls.data(), ValueLayout.JAVA_FLOAT, 0, out, offset, (int) buffers.cls.numel());
    }

    /** Per batch size (the full one and the last, shorter one): reused, so extraction allocates once. */
    private Buffers buffers(int batch) {
        Buffers b = buffersBySize.get(batch);
        if (b == null) {
            int size = transform.size();
            Tensor hostImages = host.allocate(DType.F32, batch, channels, size, size);
            Tensor images = hostImages;
            Tensor probe = allocator.allocate(DType.F32, 1);
            if (probe.device() != Device.CPU) {
                images = allocator.allocate(DType.F32, batch, channels, size, size);
            }
            b = new Buffers(new float[(int) hostImages.numel()], hostImages, images,
                    host.allocate(DType.F32, batch, teacher.config().embedDim()));
            buffersBySize.put(batch, b);
        }
        return b;
    }

    private record Buffers(float[] pixels, Tensor hostImages, Tensor images, Tensor cls) {
    }

    @Override
    public void close() {
        host.close();
        backend.close();
    }
}
