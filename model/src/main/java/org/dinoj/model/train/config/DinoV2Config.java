package org.dinoj.model.train.config;

import com.fasterxml.jackson.annotation.JsonIgnore;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import org.dinoj.model.config.ConfigException;
import org.dinoj.model.config.ConfigLoader;
import org.dinoj.model.data.augment.AugmentationConfig;
import org.dinoj.model.data.augment.CropsConfig;
import org.dinoj.model.data.augment.MaskingConfig;
import org.dinoj.model.data.augment.Interval;
import org.dinoj.model.nn.DinoHeadConfig;
import org.dinoj.model.nn.ViTConfig;
import org.dinoj.model.ssl.DinoConfig;
import org.dinoj.model.ssl.IbotConfig;
import org.dinoj.model.ssl.OptimConfig;
import org.dinoj.model.ssl.SslConfig;
import org.dinoj.model.ssl.TeacherConfig;
import org.dinoj.model.ssl.TrainConfig;

/**
 * A whole dinoj training configuration, sectioned as dinov2's yaml ({@code student}, {@code dino},
 * {@code ibot}, {@code teacher}, {@code optim}, {@code train}, {@code crops}) plus dinoj's own
 * {@code data}, {@code eval}, {@code compute} and {@code job}. Read it with {@link #load} (preset
 * or file plus dotted overrides) or {@link #parse} (the YAML text of a job spec); every key not
 * written takes the dinov2 default of {@link #defaults()}.
 *
 * <p>Deviation: {@code ibot.mask_ratio_min_max: [a, b]} is written as the two keys
 * {@code ibot.mask_ratio_min} and {@code ibot.mask_ratio_max}.
 */
public record DinoV2Config(StudentConfig student, DinoConfig dino, IbotConfig ibot, TeacherConfig teacher,
                           OptimConfig optim, TrainConfig train, CropsConfig crops, DataConfig data, EvalConfig eval,
                           ComputeConfig compute, JobConfig job) {

    public DinoV2Config {
        if (student == null || dino == null || ibot == null || teacher == null || optim == null || train == null
                || crops == null || data == null || eval == null || compute == null || job == null) {
            throw new IllegalArgumentException("a configuration section is null; leave a section out to get its defaults");
        }
    }

    /** dinov2's {@code ssl_default_config.yaml} (vit_large, 224/96 px crops; the patch size is the preset's) with dinoj's
     * own sections. Not checked with {@link #requireConsistent()}: 96 px local crops need patch 16. */
    public static DinoV2Config defaults() {
        return new DinoV2Config(StudentConfig.defaults(), DinoConfig.defaults(), IbotConfig.defaults(),
                TeacherConfig.defaults(), OptimConfig.defaults(), TrainConfig.defaults(), CropsConfig.dinov2Default(),
                DataConfig.defaults(), EvalConfig.defaults(), ComputeConfig.defaults(), JobConfig.defaults());
    }

    /**
     * Checks what crosses sections (patch size against crop sizes, channels against normalisation,
     * KoLeo against the batch); {@link #load} and {@link #parse} call it.
     *
     * @throws ConfigException naming the keys in one sentence
     */
    public DinoV2Config requireConsistent() {
        try {
            ViTConfig vit = student.vit(crops.globalCropsSize());
            if (crops.localCropsNumber() > 0 && crops.localCropsSize() % vit.patchSize() != 0) {
                throw new IllegalArgumentException("crops.local_crops_size " + crops.localCropsSize()
                        + " is not a multiple of the patch size " + vit.patchSize() + " (dinov2 uses 98 px with patch 14)");
            }
            if (crops.localCropsNumber() == 2 && crops.localCropsSize() == crops.globalCropsSize()) {
                throw new IllegalArgumentException("2 local crops of the global crop size would share the global crops' "
                        + "activation buffers: change crops.local_crops_size or crops.local_crops_number");
            }
            if (data.mean().size() != student.inChans()) {
                throw new IllegalArgumentException("data.mean has " + data.mean().size() + " values but student.in_chans is "
                        + student.inChans() + ": give one mean and std per image channel");
            }
            // The form only: the data may sit on a mount the machine that checks this lacks.
            // eval.dataset only where it is used: a job that never evaluates never opened it.
            for (String spec : new String[] {data.dataset(), job.evalEveryEpochs() >= 0 ? eval.dataset() : null}) {
                if (spec != null && !spec.isBlank()) {
                    org.dinoj.model.data.Datasets.checkSpec(spec);
                }
            }
            if (dino.koleoLossWeight() > 0 && train.batchSizePerGpu() < 2) {
                throw new IllegalArgumentException("KoLeo needs train.batch_size_per_gpu >= 2 (got "
                        + train.batchSizePerGpu() + "); raise it or set dino.koleo_loss_weight to 0");
            }
        } catch (IllegalArgumentException e) {
            throw new ConfigException(e.getMessage(), e);
        }
        return this;
    }

    /** A preset name or YAML file, then {@code section.key=value} overrides. */
    public static DinoV2Config load(String source, List<String> overrides) {
        return ConfigLoader.load(source, overrides, defaults()).requireConsistent();
    }

    /** The YAML text of a job spec. */
    public static DinoV2Config parse(String yaml) {
        return ConfigLoader.parse(yaml, defaults()).requireConsistent();
    }

    /** Every key, defaults included, as YAML. */
    public String toYaml() {
        return ConfigLoader.toYaml(this);
    }

    /** sha256 of {@link #toYaml()} without the {@code job} section, which does not change the numbers. */
    public String recipeSha256() {
        DinoV2Config withoutJob = new DinoV2Config(student, dino, ibot, teacher, optim, train, crops, data, eval, compute,
                JobConfig.defaults());
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(withoutJob.toYaml().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(hash);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }

    /** The five dinov2 recipe sections. */
    public SslConfig ssl() {
        return new SslConfig(dino, ibot, teacher, optim, train);
    }

    /** The backbone architecture (pos_embed for the global crop size). */
    public ViTConfig vit() {
        return student.vit(crops.globalCropsSize());
    }

    /** The DINO head: {@code dino.head_*}. */
    public DinoHeadConfig dinoHead() {
        return new DinoHeadConfig(vit().embedDim(), dino.headNPrototypes(), dino.headNlayers(), dino.headHiddenDim(),
                dino.headBottleneckDim(), 1e-12f);
    }

    /** The separate iBOT head ({@code ibot.separate_head: true}): {@code ibot.head_*}. */
    public DinoHeadConfig ibotHead() {
        return new DinoHeadConfig(vit().embedDim(), ibot.headNPrototypes(), ibot.headNlayers(), ibot.headHiddenDim(),
                ibot.headBottleneckDim(), 1e-12f);
    }

    /** K of the patch-token logits: the iBOT head's with a separate head, else the DINO head's. */
    @JsonIgnore
    public int ibotPrototypes() {
        return ibot.separateHead() ? ibot.headNPrototypes() : dino.headNPrototypes();
    }

    public AugmentationConfig augmentation() {
        return new AugmentationConfig(crops, data.blurProbabilities(), data.normalization(),
                data.colorJitterProbability(), data.solarizeProbability());
    }

    public MaskingConfig masking() {
        return new MaskingConfig(ibot.maskSampleProbability(), new Interval(ibot.maskRatioMin(), ibot.maskRatioMax()),
                vit().patchSize());
    }

    /** {@code optim.epochs * train.OFFICIAL_EPOCH_LENGTH}: the steps of the whole job. */
    public long totalSteps() {
        return (long) optim.epochs() * train.officialEpochLength();
    }
}
