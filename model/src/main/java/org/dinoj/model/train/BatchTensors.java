package org.dinoj.model.train;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.IdentityHashMap;
import org.dinoj.model.backend.Backend;
import org.dinoj.model.data.augment.MultiCropBatch;
import org.dinoj.model.nn.LayerContext;
import org.dinoj.model.tensor.DType;
import org.dinoj.model.tensor.Device;
import org.dinoj.model.tensor.TensorAllocator;
import org.dinoj.model.tensor.Tensor;

/**
 * The tensors one collated {@link MultiCropBatch} becomes, planned once for its shape and
 * overwritten by every {@link #load}: global crops {@code [2B, C, G, G]}, local crops
 * {@code [L*B, C, S, S]}, iBOT masks {@code [2B, Np]} (1 = masked) and the per-masked-patch weights
 * {@code [U, 1]} (rows past the M masked patches are 0), all in the model dtype. Device tensors are
 * filled through host staging tensors planned once as well.
 */
final class BatchTensors implements AutoCloseable {
    private final Backend backend;
    private final int batch;
    private final int channels;
    private final int globalSize;
    private final int localSize;
    private final int localCrops;
    private final int patches;
    private final int capacity;
    private final Tensor globalImages;
    private final Tensor localImages;
    private final Tensor masks;
    private final Tensor maskWeights;
    private final float[] maskValues;
    private final float[] weightValues;
    /** Upload staging from the backend (page-locked on a GPU), null on host backends. */
    private final TensorAllocator staging;
    /** Device tensor -> its F32 host staging twin, allocated on first use. */
    private final IdentityHashMap<Tensor, Tensor> stagingTensors = new IdentityHashMap<>();
    private int[] maskIndices = new int[0];

    /**
     * @param capacity U, the most masked patches a batch can have (dinov2's {@code upperbound})
     */
    BatchTensors(LayerContext context, int batch, int channels, int globalSize, int localSize, int localCrops,
                 int patches, int capacity) {
        this.backend = context.backend();
        this.batch = batch;
        this.channels = channels;
        this.globalSize = globalSize;
        this.localSize = localSize;
        this.localCrops = localCrops;
        this.patches = patches;
        this.capacity = capacity;
        this.globalImages = context.tensor(2L * batch, channels, globalSize, globalSize);
        this.localImages = localCrops > 0 ? context.tensor((long) localCrops * batch, channels, localSize, localSize) : null;
        this.masks = context.tensor(2L * batch, patches);
        this.maskWeights = context.tensor(Math.max(capacity, 1), 1);
        this.maskValues = new float[2 * batch * patches];
        this.weightValues = new float[Math.max(capacity, 1)];
        this.staging = globalImages.device() == Device.CPU ? null : context.backend().newHostStagingArena();
    }

    /** Copies a collated batch in; its geometry must be the planned one. */
    void load(MultiCropBatch b) {
        if (b.batchSize() != batch || b.channels() != channels || b.globalCropsSize() != globalSize
                || b.localCropsNumber() != localCrops || (localCrops > 0 && b.localCropsSize() != localSize)
                || b.patchesPerCrop() != patches) {
            throw new IllegalArgumentException("batch of " + b.batchSize() + " images, " + b.channels() + " channels, "
                    + b.globalCropsSize() + "/" + b.localCropsSize() + " px, " + b.localCropsNumber() + " local crops does not "
                    + "match the planned " + batch + ", " + channels + ", " + globalSize + "/" + localSize + " px, "
                    + localCrops + "; the loader and the step must come from one configuration");
        }
        if (b.nMaskedPatches() > capacity) {
            throw new IllegalArgumentException("batch has " + b.nMaskedPatches() + " masked patches, more than the planned "
                    + "upper bound " + capacity);
        }
        write(b.globalCrops(), globalImages);
        if (localImages != null) {
            write(b.localCrops(), localImages);
        }
        boolean[] m = b.masks();
        for (int i = 0; i < maskValues.length; i++) {
            maskValues[i] = m[i] ? 1f : 0f;
        }
        write(maskValues, masks);
        Arrays.fill(weightValues, 0f);
        System.arraycopy(b.masksWeight(), 0, weightValues, 0, b.nMaskedPatches());
        write(weightValues, maskWeights);
        maskIndices = b.maskIndices();
    }

    /** {@code [2B, C, G, G]}: crop-major, row {@code c*B + b} is global crop c of image b. */
    Tensor globalImages() {
        return globalImages;
    }

    /** {@code [L*B, C, S, S]}, or null without local crops. */
    Tensor localImages() {
        return localImages;
    }

    /** {@code [2B, Np]}: 1 where the student sees the mask token. */
    Tensor masks() {
        return masks;
    }

    /** {@code [U, 1]}: dinov2's {@code masks_weight} in its first M rows, 0 after. */
    Tensor maskWeights() {
        return maskWeights;
    }

    /** Flat indices {@code crop * Np + patch} of the M masked patches, ascending. */
    int[] maskIndices() {
        return maskIndices;
    }

    int maskedCount() {
        return maskIndices.length;
    }

    int capacity() {
        return capacity;
    }

    private void write(float[] values, Tensor dst) {
        if (dst.device() == Device.CPU && dst.dtype() == DType.F32 && dst.isContiguous()) {
            MemorySegment.copy(values, 0, dst.data(), ValueLayout.JAVA_FLOAT_UNALIGNED, 0, values.length);
        } else if (dst.device() == Device.CPU) {
            for (int i = 0; i < values.length; i++) {
                dst.setFlat(i, values[i]);
            }
        } else {
            Tensor host = stagingFor(dst);
            MemorySegment.copy(values, 0, host.data(), ValueLayout.JAVA_FLOAT_UNALIGNED, 0, values.length);
            backend.copy(host, dst);
        }
    }

    private Tensor stagingFor(Tensor dst) {
        return stagingTensors.computeIfAbsent(dst, d -> staging.allocate(DType.F32, d.shape()));
    }

    @Override
    public void close() {
        if (staging instanceof AutoCloseable closeable) {
            try {
                closeable.close();
            } catch (Exception e) {
                throw new IllegalStateException("could not free the batch upload staging memory", e);
            }
        }
    }
}
