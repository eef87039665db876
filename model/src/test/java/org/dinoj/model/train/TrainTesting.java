package org.dinoj.model.train;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.dinoj.model.data.augment.Interval;
import org.dinoj.model.data.augment.MaskingConfig;
import org.dinoj.model.data.augment.MultiCropBatch;
import org.dinoj.model.data.augment.MultiCropCollator;
import org.dinoj.model.data.augment.MultiCropSample;
import org.dinoj.model.nn.DinoHeadConfig;
import org.dinoj.model.nn.LayerContext;
import org.dinoj.model.nn.Parameter;
import org.dinoj.model.nn.ViTConfig;
import org.dinoj.model.ssl.CenteringMode;
import org.dinoj.model.ssl.DinoConfig;
import org.dinoj.model.ssl.IbotConfig;
import org.dinoj.model.ssl.OptimConfig;
import org.dinoj.model.ssl.SslConfig;
import org.dinoj.model.ssl.TeacherConfig;
import org.dinoj.model.ssl.TrainConfig;

/** A tiny DINOv2 set-up for the step tests: model sizes, recipe and batches. */
final class TrainTesting {
    static final int BATCH = 3;
    static final int CHANNELS = 2;
    static final int GLOBAL = 8;
    static final int LOCAL = 4;
    static final int LOCALS = 2;
    static final int PATCH = 4;
    static final int PATCHES = (GLOBAL / PATCH) * (GLOBAL / PATCH);
    static final int DIM = 8;
    static final int PROTOTYPES = 6;
    static final int IBOT_PROTOTYPES = 5;

    private TrainTesting() {
    }

    /**
     * A 1-block ViT with a register, LayerScale 0.5 (not dinov2's 1e-5, so that the blocks' gradients
     * are not 1e-5 times smaller than the rest) and the given stochastic-depth rate.
     */
    static ViTConfig vit(double dropPath) {
        return new ViTConfig("tiny", GLOBAL, PATCH, CHANNELS, DIM, 1, 2, 2.0, ViTConfig.FfnKind.MLP, 1, 0.5f, dropPath,
                0.1, true, true, true);
    }

    static DinoHeadConfig head(int prototypes) {
        return new DinoHeadConfig(DIM, prototypes, 3, 10, 5, 1e-12f);
    }

    static DinoV2Model model(LayerContext context, boolean separateHead, double dropPath) {
        return new DinoV2Model(context, vit(dropPath), head(PROTOTYPES), separateHead ? head(IBOT_PROTOTYPES) : null, 11);
    }

    static SslConfig ssl(CenteringMode mode, boolean separateHead) {
        return new SslConfig(new DinoConfig(1.0, PROTOTYPES, 5, 3, 10, 0.1),
                new IbotConfig(1.0, 0.5, 0.1, 0.5, separateHead, IBOT_PROTOTYPES, 5, 3, 10),
                TeacherConfig.defaults(),
                new OptimConfig(2, 0.04, 0.4, 0.004, 0, 1e-6, 3.0, 0, OptimConfig.SQRT_WRT_1024, 0.2, 0.9, 0.9, 0.999),
                new TrainConfig(BATCH, 10, mode, 0));
    }

    static DinoV2Step step(LayerContext context, DinoV2Model model, SslConfig ssl) {
        return new DinoV2Step(context, model, ssl, BATCH, CHANNELS, GLOBAL, LOCAL, LOCALS, PATCHES * BATCH);
    }

    /** Random normalised crops and dinov2 masks drawn by the real collator (masking 4x4 grids at ratio 0.1-0.5). */
    static MultiCropBatch batch(long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        List<MultiCropSample> samples = new ArrayList<>();
        for (int b = 0; b < BATCH; b++) {
            float[][] global = new float[2][CHANNELS * GLOBAL * GLOBAL];
            float[][] local = new float[LOCALS][CHANNELS * LOCAL * LOCAL];
            for (float[] crop : global) {
                fill(crop, rng);
            }
            for (float[] crop : local) {
                fill(crop, rng);
            }
            samples.add(new MultiCropSample(CHANNELS, GLOBAL, LOCAL, global, local));
        }
        return collator().collate(samples, rng);
    }

    /** The same crops with the given masks ({@code masked[c]}: masked patch indices of global crop c). */
    static MultiCropBatch withMasks(MultiCropBatch b, int[][] masked) {
        boolean[] masks = new boolean[2 * BATCH * PATCHES];
        List<Integer> indices = new ArrayList<>();
        List<Float> weights = new ArrayList<>();
        int[] targets = new int[2 * BATCH];
        for (int c = 0; c < masked.length; c++) {
            for (int p : masked[c]) {
                masks[c * PATCHES + p] = true;
            }
        }
        for (int c = 0; c < 2 * BATCH; c++) {
            int count = c < masked.length ? masked[c].length : 0;
            targets[c] = count;
            for (int p = 0; p < PATCHES; p++) {
                if (masks[c * PATCHES + p]) {
                    indices.add(c * PATCHES + p);
                    weights.add(1f / count);
                }
            }
        }
        int[] idx = indices.stream().mapToInt(Integer::intValue).toArray();
        float[] w = new float[weights.size()];
        for (int i = 0; i < w.length; i++) {
            w[i] = weights.get(i);
        }
        return new MultiCropBatch(b.batchSize(), b.channels(), b.globalCropsSize(), b.localCropsSize(),
                b.localCropsNumber(), b.globalCrops(), b.localCrops(), PATCHES, masks, idx, w, targets, idx.length);
    }

    static MultiCropCollator collator() {
        return new MultiCropCollator(new MaskingConfig(0.5, new Interval(0.1, 0.5), PATCH), GLOBAL);
    }

    private static void fill(float[] crop, SplittableRandom rng) {
        for (int i = 0; i < crop.length; i++) {
            crop[i] = (float) rng.nextGaussian();
        }
    }

    /** Every value of every parameter, for before/after comparisons. */
    static double[][] values(List<Parameter> parameters) {
        double[][] out = new double[parameters.size()][];
        for (int i = 0; i < out.length; i++) {
            out[i] = parameters.get(i).value().toDoubleArray();
        }
        return out;
    }

    static double[][] grads(List<Parameter> parameters) {
        double[][] out = new double[parameters.size()][];
        for (int i = 0; i < out.length; i++) {
            out[i] = parameters.get(i).grad().toDoubleArray();
        }
        return out;
    }
}
