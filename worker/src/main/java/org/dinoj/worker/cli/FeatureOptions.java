package org.dinoj.worker.cli;

import java.io.IOException;
import org.dinoj.model.data.Dataset;
import org.dinoj.model.data.LoaderOptions;
import org.dinoj.model.data.Split;
import org.dinoj.model.eval.FeatureExtraction;
import org.dinoj.model.eval.FeatureExtractor;
import org.dinoj.model.eval.FeatureExtractors;
import org.dinoj.model.eval.LabeledFeatures;
import org.dinoj.model.eval.RawPixelFeatures;
import org.dinoj.model.train.TeacherFeatures;
import org.dinoj.model.train.config.DinoV2Config;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The options every {@code dinoj eval} command on features shares: which features (raw pixels, or
 * the teacher CLS token of a checkpoint with the configuration it was trained with) of which dataset.
 */
final class FeatureOptions {
    /** Images per extraction batch for raw pixels; a checkpoint's teacher uses {@code eval.batch_size}. */
    private static final int RAW_PIXEL_BATCH = 256;

    @Option(names = "--features", defaultValue = RawPixelFeatures.NAME, paramLabel = "NAME",
            description = "Features without a checkpoint: raw-pixels (default: ${DEFAULT-VALUE}).")
    String features;

    @Mixin
    DatasetOption dataset;

    @Mixin
    TrainedModelOptions model;

    @Option(names = "--batch-size", paramLabel = "B",
            description = "Images per extraction batch (default: eval.batch_size with --checkpoint, else 256).")
    Integer batchSize;

    /** The chosen extractor; the caller closes it (a checkpoint's teacher holds native memory). */
    Extractor openExtractor() throws IOException {
        if (model.checkpoint != null) {
            if (!RawPixelFeatures.NAME.equals(features)) {
                throw new IllegalArgumentException("--features " + features + " and --checkpoint both choose the features: "
                        + "give one (a checkpoint's features are its teacher's CLS token)");
            }
            DinoV2Config trained = model.trainedConfig();
            return new Extractor(model.openTeacher(TeacherFeatures::open, trained),
                    batchSize != null ? batchSize : trained.eval().batchSize(), trained.data().maxBadFraction());
        }
        return new Extractor(FeatureExtractors.byName(features), batchSize != null ? batchSize : RAW_PIXEL_BATCH,
                maxBadFractionWithoutCheckpoint());
    }

    /**
     * Without a checkpoint there is no configuration: --config and --set would be ignored, so they
     * are refused, but for the one key raw pixels use, which the damaged-images error names.
     */
    private double maxBadFractionWithoutCheckpoint() {
        if (model.config != null) {
            throw new IllegalArgumentException("--config goes with --checkpoint (the configuration it was trained with);"
                    + " " + features + " features take none");
        }
        double maxBad = LoaderOptions.DEFAULT_MAX_BAD_FRACTION;
        for (String override : model.overrides) {
            int eq = override.indexOf('=');
            if (eq < 0 || !override.substring(0, eq).strip().equals("data.max_bad_fraction")) {
                throw new IllegalArgumentException("--set " + override + " goes with --checkpoint; without one only "
                        + "data.max_bad_fraction=F applies");
            }
            try {
                maxBad = Double.parseDouble(override.substring(eq + 1).strip());
            } catch (NumberFormatException e) {
                maxBad = Double.NaN;
            }
            if (!(maxBad >= 0 && maxBad <= 1)) {
                throw new IllegalArgumentException("--set " + override + ": data.max_bad_fraction must be a number in [0, 1]");
            }
        }
        return maxBad;
    }

    /**
     * An opened extractor with the batch size it runs at, and the fraction of damaged images a
     * training split may leave out (the checkpoint's {@code data.max_bad_fraction}, as its job's k-NN).
     */
    record Extractor(FeatureExtractor extractor, int batchSize, double maxBadFraction) implements AutoCloseable {
        String name() {
            return extractor.name();
        }

        /** Every image: the measured ones (queries, test images, exported embeddings). */
        LabeledFeatures extract(Dataset dataset) {
            return FeatureExtraction.extract(dataset, extractor, batchSize);
        }

        /** A k-NN bank or a probe's training images: damaged ones are left out as the job's training does. */
        LabeledFeatures extractTraining(Dataset dataset) {
            return FeatureExtraction.extractSkippingDamaged(dataset, extractor, batchSize, maxBadFraction);
        }

        @Override
        public void close() throws Exception {
            if (extractor instanceof AutoCloseable resource) {
                resource.close();
            }
        }
    }

    Dataset openDataset(Split split) {
        return dataset.open(split, model);
    }

    /** The dataset's spec as given, or as the checkpoint's configuration names it. */
    String datasetSpec() {
        return dataset.spec(model);
    }

    /** A split that must carry class labels, refused before any feature is extracted. */
    Dataset openLabelledDataset(Split split, String evaluation) {
        Dataset d = openDataset(split);
        if (d.numClasses() == 0) {
            throw new IllegalArgumentException(evaluation + " needs class labels, but " + d.describe()
                    + " has none: give a labelled --dataset (fashion-mnist, idx:DIR, folder:DIR with one folder per class)");
        }
        return d;
    }
}
