package org.dinoj.model.ssl;

import org.dinoj.model.backend.Backend;
import org.dinoj.model.backend.BinaryOp;
import org.dinoj.model.backend.Reduction;
import org.dinoj.model.tensor.DType;
import org.dinoj.model.tensor.Tensor;
import org.dinoj.model.tensor.TensorAllocator;

/**
 * The DINO cross-entropy on CLS logits with DINOv2's crop pairing and normalisation
 * ({@code DINOLoss.forward} as called by {@code SSLMetaArch.forward_backward}), forward and the
 * gradient w.r.t. the student logits in one pass.
 *
 * <p>For a student crop s and teacher crop t, {@code CE(s, t) = -mean_b sum_k T_t[b,k] log_softmax(S_s[b] / 0.1)_k}.
 * With 2 global crops and L local crops ({@code n_local_terms = max(2L, 1)}, {@code n_global_terms = 2},
 * {@code D = n_local_terms + n_global_terms}, 18 for L = 8):
 * <ul>
 *   <li>{@code dino_local_crops_loss = sum_{l < L} (CE(l, 0) + CE(l, 1)) / D} (0 without local crops)</li>
 *   <li>{@code dino_global_crops_loss = (CE(g0, 1) + CE(g1, 0)) / D}: each global crop against the
 *       other teacher crop, never against itself (dinov2 swaps the teacher halves; here the pairing
 *       does the swap, so teacher targets come in crop order)</li>
 * </ul>
 * The gradient written is that of {@code lossWeight * (local + global)}.
 *
 * <p>Layouts (crop-major, as dinov2's collate): student global logits {@code [2B, K]} (rows
 * {@code cB..cB+B-1} are crop c), student local logits {@code [L*B, K]}, teacher targets
 * {@code [2B, K]} (rows of probabilities, crop 0 first), gradients shaped like the logits. The
 * workspace (three {@code [B, K]} buffers) is planned once for (B, L, K).
 */
public final class DinoLoss implements AutoCloseable {
    /** dinov2's {@code student_temp}. */
    public static final double STUDENT_TEMP = 0.1;
    /** dinov2 asserts two global crops. */
    public static final int GLOBAL_CROPS = 2;

    private final Backend backend;
    private final DType dtype;
    private final int batchSize;
    private final int localCrops;
    private final int prototypes;
    private final int denominator;
    /** [B, K] log_softmax(S_s / T_s) of the current student chunk. */
    private final Tensor logProbs;
    /** [B, K] upstream gradient of the current chunk's log-probabilities. */
    private final Tensor logProbsGrad;
    /** [B, K] T_0 + T_1: the target every local crop is paired with. */
    private final Tensor teacherSum;
    /** [2 + L] sum_{b,k} target * log_softmax per student chunk (globals first). */
    private final Tensor chunkSums;
    private final Tensor[] chunkSumSlots;
    private final HostReadback readback;
    private final double[] chunkSumValues;

    /** The two unweighted DINO terms as dinov2 logs them. */
    public record Terms(double localCropsLoss, double globalCropsLoss) {
    }

    /**
     * @param batchSize B, images per step (rows per crop)
     * @param localCrops L, local crops per image (dinov2 {@code crops.local_crops_number})
     * @param prototypes K, the head's output size
     * @param dtype of logits, targets and gradients (F32; F64 for gradient checks)
     */
    public DinoLoss(Backend backend, TensorAllocator allocator, DType dtype, int batchSize, int localCrops,
                    int prototypes) {
        this.backend = backend;
        this.dtype = dtype;
        this.batchSize = Shapes.positive("DINO loss batch size", batchSize);
        if (localCrops < 0) {
            throw new IllegalArgumentException("local crop count is " + localCrops + "; it must be >= 0");
        }
        this.localCrops = localCrops;
        this.prototypes = Shapes.positive("DINO prototype count", prototypes);
        int localTerms = Math.max(localCrops * GLOBAL_CROPS, 1);
        int globalTerms = (GLOBAL_CROPS - 1) * GLOBAL_CROPS;
        this.denominator = localTerms + globalTerms;
        this.logProbs = allocator.allocate(dtype, batchSize, prototypes);
        this.logProbsGrad = allocator.allocate(dtype, batchSize, prototypes);
        this.teacherSum = localCrops > 0 ? allocator.allocate(dtype, batchSize, prototypes) : null;
        int chunks = GLOBAL_CROPS + localCrops;
        this.chunkSums = allocator.allocate(dtype, chunks);
        this.chunkSumSlots = new Tensor[chunks];
        for (int i = 0; i < chunks; i++) {
            chunkSumSlots[i] = chunkSums.slice(0, i, 1).view(1, 1);
        }
        this.readback = new HostReadback(backend, chunkSums);
        this.chunkSumValues = new double[chunks];
    }

    /** {@code n_local_terms + n_global_terms}: 18 for 8 local crops, dinov2's {@code max(2L, 1) + 2}. */
    public int denominator() {
        return denominator;
    }

    /**
     * Computes both DINO terms and writes {@code d(lossWeight * (local + global)) / d logits}.
     *
     * @param studentGlobal {@code [2B, K]} student logits of the global crops (crop-major)
     * @param studentLocal {@code [L*B, K]} student logits of the local crops, or null when L = 0
     * @param teacherTargets {@code [2B, K]} teacher probabilities of the global crops in crop order (not swapped)
     * @param gradGlobal {@code [2B, K]} written
     * @param gradLocal {@code [L*B, K]} written, or null when L = 0
     */
    public Terms forwardBackward(Tensor studentGlobal, Tensor studentLocal, Tensor teacherTargets, double lossWeight,
                                 Tensor gradGlobal, Tensor gradLocal) {
        long b = batchSize;
        long k = prototypes;
        Shapes.require(studentGlobal, "student global-crop logits", dtype, GLOBAL_CROPS * b, k);
        Shapes.require(teacherTargets, "teacher targets", dtype, GLOBAL_CROPS * b, k);
        Shapes.require(gradGlobal, "gradient of the student global-crop logits", dtype, GLOBAL_CROPS * b, k);
        if (localCrops > 0) {
            Shapes.require(studentLocal, "student local-crop logits", dtype, localCrops * b, k);
            Shapes.require(gradLocal, "gradient of the student local-crop logits", dtype, localCrops * b, k);
        }
        // Every (student chunk, teacher chunk) pair weighs 1/(B*D) per row in the summed loss.
        double rowScale = lossWeight / ((double) b * denominator);
        Tensor teacher0 = teacherTargets.slice(0, 0, b);
        Tensor teacher1 = teacherTargets.slice(0, b, b);
        for (int c = 0; c < GLOBAL_CROPS; c++) {
            Tensor target = c == 0 ? teacher1 : teacher0;
            crossEntropyChunk(studentGlobal.slice(0, c * b, b), target, rowScale, gradGlobal.slice(0, c * b, b),
                    chunkSumSlots[c]);
        }
        if (localCrops > 0) {
            backend.binary(BinaryOp.ADD, teacher0, teacher1, teacherSum);
            for (int l = 0; l < localCrops; l++) {
                crossEntropyChunk(studentLocal.slice(0, l * b, b), teacherSum, rowScale,
                        gradLocal.slice(0, l * b, b), chunkSumSlots[GLOBAL_CROPS + l]);
            }
        }
        readback.read(chunkSumValues);
        double global = 0;
        for (int c = 0; c < GLOBAL_CROPS; c++) {
            global -= chunkSumValues[c];
        }
        double local = 0;
        for (int l = 0; l < localCrops; l++) {
            local -= chunkSumValues[GLOBAL_CROPS + l];
        }
        double norm = (double) b * denominator;
        return new Terms(local / norm, global / norm);
    }

    /**
     * One student chunk {@code [B, K]} against its (summed) target {@code [B, K]}: writes
     * {@code sum target * log_softmax(S/T_s)} into {@code sumSlot} and the gradient of
     * {@code -rowScale * sum target * log_softmax(S/T_s)} into {@code grad}, which first serves as
     * scratch for the product.
     */
    private void crossEntropyChunk(Tensor student, Tensor target, double rowScale, Tensor grad, Tensor sumSlot) {
        backend.linear(student, (float) (1 / STUDENT_TEMP), 0f, logProbs);
        backend.softmaxForward(logProbs, logProbs, true);
        backend.binary(BinaryOp.MUL, target, logProbs, grad);
        backend.reduce(Reduction.SUM, grad, sumSlot);
        // d/dS = (1/T_s) * logSoftmaxBackward(dy = -rowScale * target)
        backend.linear(target, (float) (-rowScale / STUDENT_TEMP), 0f, logProbsGrad);
        backend.softmaxBackward(logProbs, logProbsGrad, grad, true);
    }

    @Override
    public void close() {
        readback.close();
    }
}
