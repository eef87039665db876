package org.dinoj.model.ssl;

/**
 * The five per-iteration schedules of dinov2's {@code build_schedulers}, in iterations of
 * {@code train.OFFICIAL_EPOCH_LENGTH} per epoch.
 *
 * <ul>
 *   <li>lr: warm-up from 0 to the scaled lr over {@code warmup_epochs}, cosine to {@code min_lr} at {@code epochs}</li>
 *   <li>weight decay: cosine {@code weight_decay -> weight_decay_end}, no warm-up</li>
 *   <li>teacher momentum: cosine {@code momentum_teacher -> final_momentum_teacher}, no warm-up</li>
 *   <li>teacher temperature: linear {@code warmup_teacher_temp -> teacher_temp} over
 *       {@code warmup_teacher_temp_epochs}, then constant</li>
 *   <li>last-layer lr: the lr schedule with its first {@code freeze_last_layer_epochs} epochs set to 0</li>
 * </ul>
 */
public final class SslSchedules {
    private final CosineSchedule lr;
    private final CosineSchedule weightDecay;
    private final CosineSchedule momentum;
    private final CosineSchedule teacherTemp;
    private final long lastLayerFreezeIters;
    private final long totalIters;

    /**
     * @param batchSizeTotal images per step over all processes, for the sqrt lr scaling rule
     */
    public SslSchedules(OptimConfig optim, TeacherConfig teacher, TrainConfig train, long batchSizeTotal) {
        long epochLength = train.officialEpochLength();
        this.totalIters = optim.epochs() * epochLength;
        this.lr = new CosineSchedule(optim.scaledLr(batchSizeTotal), optim.minLr(), totalIters,
                optim.warmupEpochs() * epochLength, 0, 0);
        this.weightDecay = CosineSchedule.cosine(optim.weightDecay(), optim.weightDecayEnd(), totalIters);
        this.momentum = CosineSchedule.cosine(teacher.momentumTeacher(), teacher.finalMomentumTeacher(), totalIters);
        long tempWarmup = teacher.warmupTeacherTempEpochs() * epochLength;
        this.teacherTemp = new CosineSchedule(teacher.teacherTemp(), teacher.teacherTemp(), tempWarmup, tempWarmup,
                teacher.warmupTeacherTemp(), 0);
        this.lastLayerFreezeIters = optim.freezeLastLayerEpochs() * epochLength;
    }

    public SslSchedules(SslConfig config, long batchSizeTotal) {
        this(config.optim(), config.teacher(), config.train(), batchSizeTotal);
    }

    /** {@code optim.epochs * OFFICIAL_EPOCH_LENGTH}: dinov2's {@code max_iter}. */
    public long totalIters() {
        return totalIters;
    }

    public double lr(long iteration) {
        return lr.at(iteration);
    }

    public double weightDecay(long iteration) {
        return weightDecay.at(iteration);
    }

    public double teacherMomentum(long iteration) {
        return momentum.at(iteration);
    }

    public double teacherTemp(long iteration) {
        return teacherTemp.at(iteration);
    }

    /** The lr of parameters named {@code *last_layer*}: 0 while frozen, else {@link #lr(long)}. */
    public double lastLayerLr(long iteration) {
        // dinov2 zeroes a copy of the lr table; past the table both return the final value.
        if (iteration < lastLayerFreezeIters && iteration < lr.totalIters()) {
            return 0;
        }
        return lr.at(iteration);
    }

    /** All scheduled values of one iteration. */
    public Values at(long iteration) {
        return new Values(iteration, lr(iteration), weightDecay(iteration), teacherMomentum(iteration),
                teacherTemp(iteration), lastLayerLr(iteration));
    }

    /** The scheduled values of one iteration, as dinov2 looks them up at the top of each step. */
    public record Values(long iteration, double lr, double weightDecay, double teacherMomentum, double teacherTemp,
                         double lastLayerLr) {
    }
}
