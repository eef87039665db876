package org.dinoj.model.eval;

import java.util.SplittableRandom;

/**
 * Multinomial logistic regression on frozen features: {@code logits = W x + b}, W {@code [C, D]},
 * b {@code [C]}; loss = mean cross-entropy + {@code wd/2 * ||W||^2}. Trained by mini-batch SGD with
 * momentum 0.9 and a cosine learning-rate schedule to 0 (as dinov2's linear eval), from zeros
 * (the problem is convex, so no random init is needed).
 */
public final class SoftmaxRegression {
    static final double MOMENTUM = 0.9;

    private final int numClasses;
    private final int dim;
    private final float[][] weights; // [C][D]
    private final float[] bias; // [C]
    private boolean diverged;

    private SoftmaxRegression(int numClasses, int dim) {
        this.numClasses = numClasses;
        this.dim = dim;
        this.weights = new float[numClasses][dim];
        this.bias = new float[numClasses];
    }

    /**
     * Trains on the rows {@code rows} of x {@code [N, D]} with labels {@code [N]} in [0, numClasses).
     * The visiting order is shuffled per epoch from {@code seed}.
     */
    public static SoftmaxRegression train(FeatureMatrix x, int[] labels, int[] rows, int numClasses, LinearProbeConfig config,
                                          int epochs, int batchSize, long seed) {
        if (rows.length == 0) {
            throw new IllegalArgumentException("no rows to train the linear probe on");
        }
        if (epochs <= 0 || batchSize <= 0) {
            throw new IllegalArgumentException("linear probe needs epochs > 0 and batch size > 0, got " + epochs + " and " + batchSize);
        }
        SoftmaxRegression model = new SoftmaxRegression(numClasses, x.dim());
        model.fit(x, labels, rows.clone(), config, epochs, batchSize, new SplittableRandom(seed));
        return model;
    }

    private void fit(FeatureMatrix x, int[] labels, int[] order, LinearProbeConfig config, int epochs, int batchSize,
                     SplittableRandom rng) {
        float[][] gradW = new float[numClasses][dim];
        float[][] velocityW = new float[numClasses][dim];
        double[] gradB = new double[numClasses];
        double[] velocityB = new double[numClasses];
        float[] sample = new float[dim]; // a copy, so the axpy below reads and writes at one index
        double[] probs = new double[numClasses];
        int batchesPerEpoch = (order.length + batchSize - 1) / batchSize;
        long totalSteps = (long) batchesPerEpoch * epochs;
        long step = 0;
        float[] values = x.values();
        for (int epoch = 0; epoch < epochs; epoch++) {
            shuffle(order, rng);
            for (int from = 0; from < order.length; from += batchSize) {
                int to = Math.min(order.length, from + batchSize);
                for (float[] g : gradW) {
                    java.util.Arrays.fill(g, 0f);
                }
                java.util.Arrays.fill(gradB, 0);
                for (int i = from; i < to; i++) {
                    int row = order[i];
                    System.arraycopy(values, row * dim, sample, 0, dim);
                    probabilities(sample, probs);
                    probs[labels[row]] -= 1; // d(CE)/d(logits) = p - onehot
                    for (int c = 0; c < numClasses; c++) {
                        float g = (float) probs[c];
                        float[] gw = gradW[c];
                        for (int d = 0; d < dim; d++) {
                            gw[d] += g * sample[d];
                        }
                        gradB[c] += probs[c];
                    }
                }
                double lr = config.learningRate() * 0.5 * (1 + Math.cos(Math.PI * step / totalSteps));
                float scale = 1f / (to - from);
                float wd = (float) config.weightDecay();
                float mu = (float) MOMENTUM;
                float lrf = (float) lr;
                for (int c = 0; c < numClasses; c++) {
                    float[] w = weights[c];
                    float[] v = velocityW[c];
                    float[] g = gradW[c];
                    for (int d = 0; d < dim; d++) {
                        v[d] = mu * v[d] + g[d] * scale + wd * w[d];
                        w[d] -= lrf * v[d];
                    }
                    velocityB[c] = MOMENTUM * velocityB[c] + gradB[c] * scale;
                    bias[c] -= (float) (lr * velocityB[c]);
                }
                step++;
            }
            if (!allFinite()) {
                diverged = true;
                return;
            }
        }
    }

    private boolean allFinite() {
        for (int c = 0; c < numClasses; c++) {
            if (!Float.isFinite(bias[c])) {
                return false;
            }
            for (float w : weights[c]) {
                if (!Float.isFinite(w)) {
                    return false;
                }
            }
        }
        return true;
    }

    private static void shuffle(int[] a, SplittableRandom rng) {
        for (int i = a.length - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }

    /** Softmax of the logits of one feature vector x {@code [D]} into probs {@code [C]}. */
    private void probabilities(float[] x, double[] probs) {
        double max = Double.NEGATIVE_INFINITY;
        for (int c = 0; c < numClasses; c++) {
            probs[c] = logit(c, x, 0);
            max = Math.max(max, probs[c]);
        }
        double sum = 0;
        for (int c = 0; c < numClasses; c++) {
            probs[c] = Math.exp(probs[c] - max);
            sum += probs[c];
        }
        for (int c = 0; c < numClasses; c++) {
            probs[c] /= sum;
        }
    }

    private double logit(int c, float[] x, int offset) {
        float[] w = weights[c];
        double s = bias[c];
        for (int d = 0; d < dim; d++) {
            s += (double) w[d] * x[offset + d];
        }
        return s;
    }

    /** True when training produced a non-finite weight (learning rate too high); it then stopped. */
    public boolean diverged() {
        return diverged;
    }

    public int numClasses() {
        return numClasses;
    }

    /** Predicted class of row {@code row} of x {@code [N, D]}: the largest logit, ties to the lower class. */
    public int predict(FeatureMatrix x, int row) {
        if (x.dim() != dim) {
            throw new IllegalArgumentException("features of width " + x.dim() + " given to a linear probe trained on width " + dim);
        }
        int best = 0;
        double bestLogit = Double.NEGATIVE_INFINITY;
        for (int c = 0; c < numClasses; c++) {
            double l = logit(c, x.values(), row * dim);
            if (l > bestLogit) {
                bestLogit = l;
                best = c;
            }
        }
        return best;
    }

    /** Top-1 accuracy in percent over the given rows of x {@code [N, D]}; NaN when diverged or no rows. */
    public double accuracy(FeatureMatrix x, int[] labels, int[] rows) {
        if (diverged || rows.length == 0) {
            return Double.NaN;
        }
        int correct = 0;
        for (int row : rows) {
            if (predict(x, row) == labels[row]) {
                correct++;
            }
        }
        return 100.0 * correct / rows.length;
    }

    /** Weight {@code W[c, d]}. */
    public float weight(int c, int d) {
        return weights[c][d];
    }

    public float bias(int c) {
        return bias[c];
    }
}
