package org.dinoj.model.ssl;

/**
 * The DINOv2 recipe configuration, grouped as in dinov2's yaml ({@code dino}, {@code ibot},
 * {@code teacher}, {@code optim}, {@code train}). Architecture ({@code student.*}) and
 * augmentation ({@code crops.*}) keys live with the network and data code.
 */
public record SslConfig(DinoConfig dino, IbotConfig ibot, TeacherConfig teacher, OptimConfig optim,
                        TrainConfig train) {

    public SslConfig {
        if (dino == null || ibot == null || teacher == null || optim == null || train == null) {
            throw new IllegalArgumentException("every SslConfig section (dino, ibot, teacher, optim, train) is required");
        }
    }

    /** dinov2's {@code ssl_default_config.yaml}. */
    public static SslConfig defaults() {
        return new SslConfig(DinoConfig.defaults(), IbotConfig.defaults(), TeacherConfig.defaults(),
                OptimConfig.defaults(), TrainConfig.defaults());
    }
}
