package org.dinoj.model.train;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.dinoj.model.backend.Backend;
import org.dinoj.model.checkpoint.SafeTensors;
import org.dinoj.model.checkpoint.SafeTensorsFile;
import org.dinoj.model.data.Image;
import org.dinoj.model.data.augment.EvalTransform;
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
 * The teacher backbone of a checkpoint, run the way dinov2's evaluations run it: the evaluation
 * transform at the global crop size, an inference pass, no masks. Shared by the features
 * ({@link TeacherFeatures}) and the attention maps ({@link TeacherAttention}). Not thread-safe.
 */
public final class TeacherBackbone implements AutoCloseable {
    private static final String PREFIX = "teacher.backbone.";

    private final Backend backend;
    private final TensorAllocator allocator;
    private final VisionTransformer teacher;
    private final EvalTransform transform;
    private final int channels;
    private final HostArena host = new HostArena();
    private final Map<Integer, Inputs> inputsBySize = new HashMap<>();

    private TeacherBackbone(Backend backend, VisionTransformer teacher, TensorAllocator allocator,
                            EvalTransform transform, int channels) {
        this.backend = backend;
        this.teacher = teacher;
        this.allocator = allocator;
        this.transform = transform;
        this.channels = channels;
    }

    /** Loads the teacher backbone of {@code checkpoint} (a DINOv2 session's directory) on the configured backend. */
    public static TeacherBackbone open(DinoV2Config config, Path checkpoint) throws IOException {
        Backend backend = Backends.open(config.compute());
        TensorAllocator allocator = null;
        try {
            allocator = backend.newArena();
            VisionTransformer teacher = new VisionTransformer(new LayerContext(backend, allocator, DType.F32),
                    config.vit(), config.train().seed());
            try (SafeTensorsFile file = SafeTensors.read(checkpoint.resolve(DinoV2Session.MODEL_FILE))) {
                for (Parameter p : teacher.parameters()) {
                    CheckpointTensors.load(backend, file, PREFIX + p.name(), p.value(), config.vit().name());
                }
            }
            EvalTransform transform = new EvalTransform(config.crops().globalCropsSize(),
                    config.augmentation().normalization());
            return new TeacherBackbone(backend, teacher, allocator, transform, config.student().inChans());
        } catch (IOException | RuntimeException e) {
            closeArena(allocator);
            backend.close();
            throw e;
        }
    }

    /** The arena holds the teacher's weights and activations: native (or device) memory to give back. */
    private static void closeArena(TensorAllocator allocator) {
        if (allocator instanceof AutoCloseable arena) {
            try {
                arena.close();
            } catch (Exception e) {
                throw new IllegalStateException("closing the teacher's tensor arena failed: " + e.getMessage(), e);
            }
        }
    }

    public Backend backend() {
        return backend;
    }

    public VisionTransformer model() {
        return teacher;
    }

    /** The side of the square crop the teacher sees. */
    public int cropSize() {
        return transform.size();
    }

    /** Channels of the crops the teacher sees ({@code student.in_chans}). */
    public int channels() {
        return channels;
    }

    /** The normalised evaluation crop {@code [C, size, size]} of {@code image}, as the teacher sees it. */
    public float[] crop(Image image) {
        float[] out = new float[channels * transform.size() * transform.size()];
        transform.apply(image, out, 0);
        return out;
    }

    /**
     * The teacher's inference pass on {@code batch}. The output's tensors live on the backend and
     * are overwritten by the next pass of the same batch size.
     */
    public ViTOutput forward(List<Image> batch) {
        Inputs inputs = inputs(batch.size());
        int perImage = channels * transform.size() * transform.size();
        for (int i = 0; i < batch.size(); i++) {
            transform.apply(batch.get(i), inputs.pixels, i * perImage);
        }
        return run(inputs);
    }

    /** The teacher's inference pass on one crop already made by {@link #crop}. */
    public ViTOutput forwardCrop(float[] crop) {
        Inputs inputs = inputs(1);
        if (crop.length != inputs.pixels.length) {
            throw new IllegalArgumentException(crop.length + " values are not one " + channels + "x" + transform.size() + "x"
                    + transform.size() + " crop");
        }
        System.arraycopy(crop, 0, inputs.pixels, 0, crop.length);
        return run(inputs);
    }

    private ViTOutput run(Inputs inputs) {
        inputs.hostImages.copyFrom(inputs.pixels);
        if (inputs.images != inputs.hostImages) {
            backend.copy(inputs.hostImages, inputs.images);
        }
        return teacher.forwardInference(inputs.images, null);
    }

    /** A host tensor that lives as long as this backbone, to copy results into. */
    public Tensor hostTensor(long... shape) {
        return host.allocate(DType.F32, shape);
    }

    /** Per batch size (the full one and the last, shorter one): reused, so a pass allocates once. */
    private Inputs inputs(int batch) {
        Inputs b = inputsBySize.get(batch);
        if (b == null) {
            int size = transform.size();
            Tensor hostImages = host.allocate(DType.F32, batch, channels, size, size);
            Tensor images = hostImages;
            // The weights live where the backend computes: inputs go there too.
            if (teacher.parameters().getFirst().value().device() != Device.CPU) {
                images = allocator.allocate(DType.F32, batch, channels, size, size);
            }
            b = new Inputs(new float[(int) hostImages.numel()], hostImages, images);
            inputsBySize.put(batch, b);
        }
        return b;
    }

    private record Inputs(float[] pixels, Tensor hostImages, Tensor images) {
    }

    @Override
    public void close() {
        host.close();
        try {
            closeArena(allocator);
        } finally {
            backend.close();
        }
    }
}
