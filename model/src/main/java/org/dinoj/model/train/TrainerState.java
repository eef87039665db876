package org.dinoj.model.train;

/**
 * {@code trainer.json}: everything beyond the tensors that decides what a resumed session does next.
 * Random streams are not stored as generator states: every one is derived from
 * {@code (seed, shard, step)} (stochastic depth) or {@code (seed, epoch, step, shard)} (data), so
 * the seed and the positions below pin them down.
 *
 * @param format          file format tag
 * @param step            optimizer steps completed (the global iteration of the next step)
 * @param officialEpoch   {@code step / OFFICIAL_EPOCH_LENGTH}, the schedules' epoch (for people)
 * @param dataEpoch       the loader's pass over the shard of the next batch
 * @param dataStepInEpoch the loader's step within that pass
 * @param optimizerSteps  AdamW's step count (bias correction)
 * @param lrScale         factor on the scheduled learning rates (halved by the orchestration after refusals)
 * @param seed            {@code train.seed}
 * @param shard           the shard this state belongs to
 * @param shards          the shard count it was trained with
 * @param centering       {@code train.centering}
 * @param configSha256    sha256 of the recipe (configuration without {@code job})
 * @param refusedSteps    steps refused as non-finite so far by this shard (their batches were skipped)
 * @param dataset         the training dataset's {@link org.dinoj.model.data.Dataset#fingerprint()}; null
 *                        in checkpoints written before dinoj kept it
 */
public record TrainerState(String format, long step, long officialEpoch, long dataEpoch, int dataStepInEpoch,
                           long optimizerSteps, double lrScale, long seed, int shard, int shards, String centering,
                           String configSha256, long refusedSteps, String dataset) {
    public static final String FORMAT = "dinoj-trainer/1";
}
