package org.dinoj.model.train;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;
import org.dinoj.model.backend.Backend;
import org.dinoj.model.backend.BinaryOp;
import org.dinoj.model.data.augment.MultiCropBatch;
import org.dinoj.model.nn.DinoHead;
import org.dinoj.model.nn.LayerContext;
import org.dinoj.model.nn.ViTOutput;
import org.dinoj.model.nn.VisionTransformer;
import org.dinoj.model.ssl.AdamW;
import org.dinoj.model.ssl.DinoLoss;
import org.dinoj.model.ssl.GradientClipping;
import org.dinoj.model.ssl.IbotPatchLoss;
import org.dinoj.model.ssl.KoLeoLoss;
import org.dinoj.model.ssl.NonFiniteStepException;
import org.dinoj.model.ssl.ParameterGroups;
import org.dinoj.model.ssl.ParameterGroups.GroupedParameter;
import org.dinoj.model.ssl.SinkhornKnopp;
import org.dinoj.model.ssl.SslConfig;
import org.dinoj.model.ssl.SslLossTerms;
import org.dinoj.model.ssl.SslSchedules;
import org.dinoj.model.ssl.TeacherCentering;
import org.dinoj.model.ssl.TeacherEma;
import org.dinoj.model.ssl.TeacherTargets;
import org.dinoj.model.tensor.Tensor;

/**
 * One DINOv2 training step ({@code SSLMetaArch.forward_backward} plus dinov2's {@code do_train}
 * body), read top to bottom:
 * <ol>
 *   <li>{@link #load}: the collated batch into planned tensors.</li>
 *   <li>{@link #computeTeacherTargets}: teacher backbone (no stochastic depth, nothing kept for
 *       backward) on the 2 unmasked global crops; the head on their CLS tokens and on the patch
 *       tokens at the masked positions (the DINO head, or the separate iBOT head); centering or
 *       Sinkhorn-Knopp with this step's teacher temperature, DINO and iBOT each with their own state.</li>
 *   <li>{@link #studentForwardBackward}: student backbone on the masked global crops and on the
 *       local crops (one pass per crop size); one packed head call on
 *       {@code [global CLS; local CLS; masked patches padded to U]} (two calls with a separate iBOT
 *       head); DINO loss over the cross-view pairs, iBOT loss, KoLeo on the backbone CLS of each
 *       global crop; backward through the heads and the backbone (gradients are zeroed first).</li>
 *   <li>{@link #apply}: refuse a non-finite loss or gradient with nothing applied; else clip the
 *       gradient norm per student sub-module, AdamW with dinov2's parameter groups, EMA update of
 *       the teacher.</li>
 * </ol>
 * {@link #run} does all four. Every buffer is planned in the constructor or on the first step
 * (backbone and head plans per input shape; the masked tokens are padded to dinov2's upper bound
 * U so the head sees one shape), so a steady-state step allocates no native memory.
 *
 * <p>Layouts: crops crop-major as dinov2's collate (row {@code c*B + b}); masked patches in
 * {@code mask_indices_list} order.
 */
public final class DinoV2Step implements AutoCloseable {
    private final Backend backend;
    private final DinoV2Model model;
    private final SslConfig ssl;
    private final int batch;
    private final int localCrops;
    private final int patches;
    private final int capacity;
    private final int firstPatchToken;
    private final BatchTensors inputs;

    // teacher
    /** [2B (+U with a shared head), D] teacher head input: global CLS, then masked patches. */
    private final Tensor teacherHeadIn;
    /** [U, D] masked teacher patch tokens: a slice of teacherHeadIn, or the separate iBOT head's input. */
    private final Tensor teacherPatchIn;
    private final TeacherTargets dinoTargets;
    private final TeacherTargets ibotTargets;
    /** [2B, K] and [U, Kp] teacher probabilities (crop order, not swapped). */
    private final Tensor dinoTargetProbs;
    private final Tensor ibotTargetProbs;

    // student
    /** [2B + LB (+U with a shared head), D]: global CLS, local CLS, masked patches. */
    private final Tensor studentHeadIn;
    private final Tensor studentPatchIn;
    /** Gradients of the head logits: [rows of studentHeadIn, K], and the patch part [U, Kp]. */
    private final Tensor dStudentLogits;
    private final Tensor dPatchLogits;
    private final Tensor dKoleo;
    private final Tensor dGlobalCls;
    /** [2B, Np, D] gradient of the global-crop patch tokens (non-zero at masked patches only). */
    private final Tensor dGlobalPatches;
    private final DinoLoss dinoLoss;
    private final IbotPatchLoss ibotLoss;
    private final KoLeoLoss koleo;

    // update
    private final GradientClipping clipping;
    private final AdamW adamw;
    private final TeacherEma ema;
    private boolean gradientsReady;

    /**
     * @param capacity U, the most masked patches of a batch (dinov2's {@code upperbound}, see
     *                 {@code MultiCropCollator.maskedPatchUpperbound})
     */
    public DinoV2Step(LayerContext context, DinoV2Model model, SslConfig ssl, int batch, int channels, int globalSize,
                      int localSize, int localCrops, int capacity) {
        this.backend = context.backend();
        this.model = model;
        this.ssl = ssl;
        this.batch = batch;
        this.localCrops = localCrops;
        VisionTransformer student = model.studentBackbone();
        int patchSize = student.config().patchSize();
        int grid = globalSize / patchSize;
        this.patches = grid * grid;
        this.capacity = capacity;
        this.firstPatchToken = 1 + student.config().registerTokens();
        int dim = student.config().embedDim();
        int globalRows = 2 * batch;
        int clsRows = globalRows + localCrops * batch;
        int padded = Math.max(capacity, 1);
        boolean shared = !model.separateIbotHead();
        int dinoK = model.studentDinoHead().config().prototypes();
        int ibotK = shared ? dinoK : model.studentIbotHead().config().prototypes();
        this.inputs = new BatchTensors(context, batch, channels, globalSize, localSize, localCrops, patches, capacity);

        this.teacherHeadIn = context.tensor(globalRows + (shared ? padded : 0), dim);
        this.teacherPatchIn = shared ? teacherHeadIn.slice(0, globalRows, padded) : context.tensor(padded, dim);
        this.dinoTargets = TeacherTargets.of(ssl.train().centering(), backend, context.allocator(), context.dtype(),
                globalRows, dinoK);
        this.ibotTargets = TeacherTargets.of(ssl.train().centering(), backend, context.allocator(), context.dtype(),
                padded, ibotK);
        this.dinoTargetProbs = context.tensor(globalRows, dinoK);
        this.ibotTargetProbs = context.tensor(padded, ibotK);

        this.studentHeadIn = context.tensor(clsRows + (shared ? padded : 0), dim);
        this.studentPatchIn = shared ? studentHeadIn.slice(0, clsRows, padded) : context.tensor(padded, dim);
        this.dStudentLogits = context.tensor(studentHeadIn.size(0), dinoK);
        this.dPatchLogits = shared ? dStudentLogits.slice(0, clsRows, padded) : context.tensor(padded, ibotK);
        this.dKoleo = context.tensor(globalRows, dim);
        this.dGlobalCls = context.tensor(globalRows, dim);
        this.dGlobalPatches = context.tensor(globalRows, patches, dim);
        this.dinoLoss = new DinoLoss(backend, context.allocator(), context.dtype(), batch, localCrops, dinoK);
        this.ibotLoss = new IbotPatchLoss(backend, context.allocator(), context.dtype(), padded, ibotK);
        this.koleo = ssl.dino().koleoLossWeight() > 0
                ? new KoLeoLoss(backend, batch, dim, context.dtype(), teacherHeadIn.device()) : null;

        this.clipping = new GradientClipping(backend, context.allocator(), model.studentModules());
        this.adamw = new AdamW(backend, context.allocator(), parameterGroups(model, ssl), ssl.optim());
        this.ema = new TeacherEma(backend, context.allocator(), model.teacherParameters(), model.studentParameters());
    }

    /** dinov2's {@code get_params_groups}: per student sub-module, by parameter name. */
    static List<GroupedParameter> parameterGroups(DinoV2Model model, SslConfig ssl) {
        double decay = ssl.optim().layerwiseDecay();
        double patchMult = ssl.optim().patchEmbedLrMult();
        List<GroupedParameter> groups = new ArrayList<>();
        model.studentModules().forEach((module, params) -> {
            if (module.equals(DinoV2Model.BACKBONE)) {
                groups.addAll(ParameterGroups.backbone(module, params, model.studentBackbone().config().depth(), false,
                        decay, patchMult));
            } else {
                groups.addAll(ParameterGroups.head(module, params, decay, patchMult));
            }
        });
        return groups;
    }

    /**
     * The whole step: load, teacher targets, student forward and backward, then {@link #apply}.
     *
     * @param lrScale factor on the scheduled learning rates (the orchestration's halving; 1 normally)
     * @param dropPathRng draws the stochastic-depth subsets of this step
     * @throws NonFiniteStepException with nothing applied: no optimizer, EMA or center update
     */
    public StepOutcome run(MultiCropBatch b, long step, SslSchedules.Values schedule, double lrScale,
                           RandomGenerator dropPathRng) throws NonFiniteStepException {
        load(b);
        computeTeacherTargets(schedule.teacherTemp());
        SslLossTerms terms = studentForwardBackward(dropPathRng);
        Map<String, Double> norms = apply(step, terms, schedule, lrScale);
        return new StepOutcome(terms, terms.total(ssl.dino().lossWeight(), ssl.ibot().lossWeight()), norms, schedule,
                inputs.maskedCount());
    }

    /** Step 1: the collated batch into the planned input tensors. */
    public void load(MultiCropBatch b) {
        inputs.load(b);
    }

    /** Step 2: teacher probabilities of the global-crop CLS tokens and of the masked patches. */
    public void computeTeacherTargets(double teacherTemp) {
        int globalRows = 2 * batch;
        int masked = inputs.maskedCount();
        ViTOutput t = model.teacherBackbone().forwardInference(inputs.globalImages(), null);
        backend.copy(t.clsToken(), teacherHeadIn.slice(0, 0, globalRows));
        MaskedTokens.gather(backend, t.tokens(), firstPatchToken, patches, inputs.maskIndices(), teacherPatchIn);
        zeroTail(teacherPatchIn, masked);
        Tensor clsLogits;
        Tensor patchLogits;
        DinoHead.Output out = model.teacherDinoHead().forwardInference(teacherHeadIn);
        if (model.separateIbotHead()) {
            clsLogits = out.logits();
            patchLogits = model.teacherIbotHead().forwardInference(teacherPatchIn).logits();
        } else {
            clsLogits = out.logits().slice(0, 0, globalRows);
            patchLogits = out.logits().slice(0, globalRows, teacherPatchIn.size(0));
        }
        dinoTargets.compute(clsLogits, teacherTemp, dinoTargetProbs);
        if (masked > 0) {
            ibotTargets.compute(patchLogits.slice(0, 0, masked), teacherTemp, ibotTargetProbs.slice(0, 0, masked));
        }
    }

    /**
     * Step 3: zeroes the student gradients, runs the student and the losses and writes every student
     * gradient. Needs {@link #computeTeacherTargets} for the loaded batch first.
     */
    public SslLossTerms studentForwardBackward(RandomGenerator dropPathRng) {
        VisionTransformer student = model.studentBackbone();
        int globalRows = 2 * batch;
        int localRows = localCrops * batch;
        int masked = inputs.maskedCount();
        for (List<org.dinoj.model.nn.Parameter> params : model.studentModules().values()) {
            org.dinoj.model.nn.Parameters.zeroGrad(backend, params);
        }
        ViTOutput global = student.forward(inputs.globalImages(), inputs.masks(), dropPathRng);
        ViTOutput local = localCrops > 0 ? student.forward(inputs.localImages(), null, dropPathRng) : null;
        backend.copy(global.clsToken(), studentHeadIn.slice(0, 0, globalRows));
        if (local != null) {
            backend.copy(local.clsToken(), studentHeadIn.slice(0, globalRows, localRows));
        }
        MaskedTokens.gather(backend, global.tokens(), firstPatchToken, patches, inputs.maskIndices(), studentPatchIn);
        zeroTail(studentPatchIn, masked);

        DinoHead dinoHead = model.studentDinoHead();
        DinoHead.Output out = dinoHead.forward(studentHeadIn);
        DinoHead.Output patchOut = model.separateIbotHead() ? model.studentIbotHead().forward(studentPatchIn) : null;
        Tensor logits = out.logits();
        Tensor patchLogits = patchOut != null ? patchOut.logits() : logits.slice(0, globalRows + localRows, studentPatchIn.size(0));

        DinoLoss.Terms dino = dinoLoss.forwardBackward(logits.slice(0, 0, globalRows),
                localRows > 0 ? logits.slice(0, globalRows, localRows) : null, dinoTargetProbs, ssl.dino().lossWeight(),
                dStudentLogits.slice(0, 0, globalRows), localRows > 0 ? dStudentLogits.slice(0, globalRows, localRows) : null);
        double ibot = 0;
        if (masked > 0) {
            ibot = ibotLoss.forwardBackward(patchLogits.slice(0, 0, masked), ibotTargetProbs.slice(0, 0, masked),
                    inputs.maskWeights().slice(0, 0, masked), globalRows, ssl.ibot().lossWeight(),
                    dPatchLogits.slice(0, 0, masked));
        }
        zeroTail(dPatchLogits, masked);
        double koleoTerm = 0;
        if (koleo != null) {
            koleoTerm = koleo.forwardBackwardGlobalCrops(global.clsToken(), ssl.dino().koleoLossWeight(), dKoleo);
        }

        Tensor dHeadIn = dinoHead.backward(out, dStudentLogits);
        Tensor dPatchIn = patchOut != null ? model.studentIbotHead().backward(patchOut, dPatchLogits)
                : dHeadIn.slice(0, globalRows + localRows, studentPatchIn.size(0));
        Tensor dGlobal = dHeadIn.slice(0, 0, globalRows);
        if (koleo != null) {
            backend.binary(BinaryOp.ADD, dGlobal, dKoleo, dGlobalCls);
            dGlobal = dGlobalCls;
        }
        backend.fill(dGlobalPatches, 0f);
        MaskedTokens.scatter(backend, dPatchIn, inputs.maskIndices(), dGlobalPatches);
        if (local != null) {
            student.backward(local, dHeadIn.slice(0, globalRows, localRows), null, null);
        }
        student.backward(global, dGlobal, null, dGlobalPatches);
        gradientsReady = true;
        return new SslLossTerms(dino.localCropsLoss(), dino.globalCropsLoss(), koleoTerm, ibot);
    }

    /**
     * Step 4: refuses the step if a loss term or a gradient is not finite (then nothing is applied
     * and the centering rows of this step are forgotten); else clips, steps AdamW and updates the
     * teacher.
     *
     * @return sub-module -> gradient norm before clipping
     */
    public Map<String, Double> apply(long step, SslLossTerms terms, SslSchedules.Values schedule, double lrScale)
            throws NonFiniteStepException {
        if (!gradientsReady) {
            throw new IllegalStateException("apply needs the gradients of studentForwardBackward for this batch");
        }
        gradientsReady = false;
        Map<String, Double> norms;
        try {
            terms.requireFinite(step);
            norms = clipping.clip(step, ssl.optim().clipGrad());
        } catch (NonFiniteStepException e) {
            discardCenteringRows();
            throw e;
        }
        adamw.step(schedule.lr() * lrScale, schedule.weightDecay(), schedule.lastLayerLr() * lrScale);
        ema.update(schedule.teacherMomentum());
        return norms;
    }

    private void discardCenteringRows() {
        if (dinoTargets instanceof TeacherCentering c) {
            c.discardPendingUpdate();
        }
        if (ibotTargets instanceof TeacherCentering c) {
            c.discardPendingUpdate();
        }
    }

    /** Folds pending centering rows into the centers (before a checkpoint; the next step would do it). */
    public void settleCenters() {
        if (dinoTargets instanceof TeacherCentering c) {
            c.applyPendingUpdate();
        }
        if (ibotTargets instanceof TeacherCentering c) {
            c.applyPendingUpdate();
        }
    }

    /** The DINO centering state {@code [1, K]}, or null with Sinkhorn-Knopp. */
    public Tensor dinoCenter() {
        return dinoTargets instanceof TeacherCentering c ? c.center() : null;
    }

    /** The iBOT centering state {@code [1, Kp]}, or null with Sinkhorn-Knopp. */
    public Tensor ibotCenter() {
        return ibotTargets instanceof TeacherCentering c ? c.center() : null;
    }

    public boolean usesSinkhornKnopp() {
        return dinoTargets instanceof SinkhornKnopp;
    }

    public AdamW optimizer() {
        return adamw;
    }

    public DinoV2Model model() {
        return model;
    }

    /** M of the loaded batch. */
    public int maskedPatches() {
        return inputs.maskedCount();
    }

    /** U, the planned masked-patch rows. */
    public int maskCapacity() {
        return capacity;
    }

    /** {@code [2B, D]} the teacher backbone's CLS tokens of the last step's global crops (head input). */
    public Tensor teacherClsTokens() {
        return teacherHeadIn.slice(0, 0, dinoTargetProbs.size(0));
    }

    /** {@code [2B, K]} teacher DINO targets of the last {@link #computeTeacherTargets}. */
    public Tensor dinoTargetProbabilities() {
        return dinoTargetProbs;
    }

    private void zeroTail(Tensor rows, int used) {
        long n = rows.size(0);
        if (used < n) {
            backend.fill(rows.slice(0, used, n - used), 0f);
        }
    }

    @Override
    public void close() {
        inputs.close();
        dinoLoss.close();
        ibotLoss.close();
        if (koleo != null) {
            koleo.close();
        }
        clipping.close();
    }
}
