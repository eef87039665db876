package org.dinoj.model.train.config;

/**
 * The k-NN evaluation of the teacher (dinov2's {@code eval/knn.py} defaults: k 20, T 0.07).
 *
 * @param dataset     dataset spec whose train split is the memory bank and test split the queries;
 *                    null uses {@code data.dataset}
 * @param k           neighbours
 * @param temperature softmax temperature of the neighbour votes
 * @param batchSize   images per feature-extraction batch
 */
public record EvalConfig(String dataset, int k, double temperature, int batchSize) {

    public EvalConfig {
        if (k < 1 || batchSize < 1 || !(temperature > 0)) {
            throw new IllegalArgumentException("eval.k (" + k + ") and eval.batch_size (" + batchSize
                    + ") must be >= 1 and eval.temperature (" + temperature + ") positive");
        }
    }

    /**
     * Batch 32: inference activations of small batches stay in cache. Measured for ViT-Ti/4 at 28 px
     * (bf16, dnnl) on the shared 2-core host: 444-491 images per CPU second at 32, 407-460 at 64,
     * 320 at 128 and 256.
     */
    public static EvalConfig defaults() {
        return new EvalConfig(null, 20, 0.07, 32);
    }

    /** The evaluation dataset: its own, else the training one. */
    public String datasetOr(String trainingDataset) {
        return dataset == null || dataset.isBlank() ? trainingDataset : dataset;
    }
}
