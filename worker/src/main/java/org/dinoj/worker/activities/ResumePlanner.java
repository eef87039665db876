package org.dinoj.worker.activities;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.dinoj.model.checkpoint.Checkpoint;
import org.dinoj.model.checkpoint.CheckpointStore;
import org.dinoj.model.train.DilocoMerge;
import org.dinoj.workflows.CheckpointRef;
import org.dinoj.workflows.RoundHeartbeat;
import org.dinoj.workflows.TrainRoundRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Chooses where a TrainRound attempt starts, in this order: for a retried attempt the newest
 * verified checkpoint of this round in the shard's store (newer than its last heartbeat names, see
 * {@link #plan(CheckpointLayout, TrainRoundRequest, RoundHeartbeat, int)}), the checkpoint of the
 * last heartbeat, the request's {@code startFrom}, a fresh initialisation. A {@code startFrom}
 * outside the job's checkpoint store is the base checkpoint of a retraining: the session takes its
 * weights and starts at step 0. A checkpoint is used
 * only when it verifies against its manifest and its reference's sha256; one that does not falls
 * back to the previous verified one, and the reason travels with the plan so that the heartbeat
 * and the result show it.
 *
 * <p>With several shards a round starts from a global checkpoint (the merged model) but each shard
 * keeps its own optimizer and trainer state: the plan then composes a resume directory with the
 * global {@code model.safetensors} and the shard's own other files of the same step (hard links).
 */
final class ResumePlanner {
    private static final Logger log = LoggerFactory.getLogger(ResumePlanner.class);

    /**
     * Where to open the session.
     *
     * @param directory checkpoint directory to open, or null for a fresh initialisation
     * @param step global step of that state
     * @param source "newer checkpoint of this round", "heartbeat checkpoint", "earlier checkpoint of this round",
     *     "request", "fresh"
     * @param event what went wrong on the way, or null
     * @param composed a composed resume directory to delete when the round ends, or null
     * @param weightsOnly {@code directory} is another job's checkpoint (a retraining's base): only its
     *     weights are loaded, the session starts at step 0
     */
    record Plan(Path directory, long step, String source, String event, Path composed, boolean weightsOnly) {
        Plan(Path directory, long step, String source, String event, Path composed) {
            this(directory, step, source, event, composed, false);
        }
    }

    static final String BASE_WEIGHTS = "base checkpoint (weights only)";

    /** A start point that should exist does not, and no earlier one verifies: retrying cannot help. */
    static final class NoUsableCheckpointException extends IOException {
        NoUsableCheckpointException(String message) {
            super(message);
        }
    }

    private ResumePlanner() {
    }

    /**
     * An attempt's start: its plan, and the step above which its shard's checkpoints are set aside
     * before it trains (-1: none; see {@link #abandonedAfter}).
     */
    record Start(Plan plan, long abandonedAfter) {
    }

    /**
     * Decides the set-aside first: where there is one, the checkpoints above that step are another
     * run's, so the attempt plans as a first one, which does not look for newer checkpoints of its round.
     */
    static Start start(CheckpointLayout layout, TrainRoundRequest request, RoundHeartbeat heartbeat, int attempt,
                       String activity) throws IOException {
        long abandonedAfter = abandonedAfter(layout, request, heartbeat, attempt, activity);
        return new Start(plan(layout, request, heartbeat, abandonedAfter >= 0 ? 1 : attempt), abandonedAfter);
    }

    static Plan plan(CheckpointLayout layout, TrainRoundRequest request, RoundHeartbeat heartbeat) throws IOException {
        return plan(layout, request, heartbeat, 1);
    }

    /**
     * @param attempt the activity attempt (1 for the first): a retry also looks for checkpoints of
     *     this round newer than its last delivered heartbeat names. The SDK throttles heartbeats (at
     *     most one per 0.8 x the heartbeat timeout), so a killed attempt may have written several
     *     checkpoints the server never heard of; without this a crash could cost more steps than the
     *     checkpoint interval.
     */
    static Plan plan(CheckpointLayout layout, TrainRoundRequest request, RoundHeartbeat heartbeat, int attempt)
            throws IOException {
        CheckpointStore own = new CheckpointStore(layout.shard(request.shard()));
        long roundStart = request.startFrom() == null || isBase(layout, request.startFrom())
                ? 0 : request.startFrom().step();
        List<String> events = new ArrayList<>();
        CheckpointRef named = heartbeat == null ? null : heartbeat.lastCheckpoint();
        if (attempt > 1) {
            long after = named != null ? named.step() : roundStart;
            Optional<Checkpoint> newer = newestVerified(own, after, request.endStep());
            if (newer.isPresent()) {
                String event = "the last heartbeat named " + (named == null ? "no checkpoint" : "step " + named.step())
                        + "; resumed from the newer checkpoint of step " + newer.get().step()
                        + " that the previous attempt wrote";
                log.info("shard {} of job {}: {}", request.shard(), request.jobId(), event);
                return new Plan(newer.get().directory(), newer.get().step(), "newer checkpoint of this round", event,
                        null);
            }
        }
        if (named != null) {
            CheckpointRef last = named;
            Verified v = verify(last);
            if (v.checkpoint != null && v.checkpoint.directory().getParent().equals(own.root())) {
                return new Plan(v.checkpoint.directory(), last.step(), "heartbeat checkpoint", null, null);
            }
            String problem = v.checkpoint != null ? "is not in this shard's store " + own.root() : v.problem;
            Optional<Checkpoint> earlier = newestVerified(own, roundStart, request.endStep());
            if (earlier.isPresent()) {
                String event = "heartbeat checkpoint of step " + last.step() + " " + problem + "; resumed from step "
                        + earlier.get().step();
                log.warn("shard {} of job {}: {}", request.shard(), request.jobId(), event);
                return new Plan(earlier.get().directory(), earlier.get().step(), "earlier checkpoint of this round", event,
                        null);
            }
            events.add("heartbeat checkpoint of step " + last.step() + " " + problem);
        }
        if (request.startFrom() == null) {
            String event = events.isEmpty() ? null : String.join("; ", events) + "; starting fresh";
            return new Plan(null, 0, "fresh", event, null);
        }
        boolean base = isBase(layout, request.startFrom());
        Checkpoint start = base ? verifiedBase(request.startFrom()) : verifiedOrEarlier(request.startFrom(), events);
        String event = events.isEmpty() ? null : String.join("; ", events);
        if (event != null) {
            log.warn("shard {} of job {}: {}", request.shard(), request.jobId(), event);
        }
        if (base) {
            // Outside this job's store: the base checkpoint of a retraining. Its steps are another job's.
            return new Plan(start.directory(), 0, BASE_WEIGHTS, event, null, true);
        }
        boolean inOwnStore = start.directory().getParent().equals(own.root());
        if (inOwnStore || request.shards() == 1) {
            return new Plan(start.directory(), start.step(), "request", event, null);
        }
        Verified shardState = verifyStep(own, start.step());
        if (shardState.checkpoint == null) {
            String note = "shard " + request.shard() + " has no verified state of its own at step " + start.step()
                    + " (" + shardState.problem + "); it starts with the optimizer and trainer state of " + start.directory();
            log.warn("job {}: {}", request.jobId(), note);
            return new Plan(start.directory(), start.step(), "request", event == null ? note : event + "; " + note, null);
        }
        Path view = compose(layout, request.shard(), start, shardState.checkpoint);
        return new Plan(view, start.step(), "request (global model + shard state)", event, view);
    }

    /**
     * The step above which the shard's checkpoints are an abandoned run's, or -1 for none. A round
     * that has not trained yet starts where the workflow holds the job to be (its request's start; 0
     * for a fresh start or a retraining's base), so anything newer in the shard's store was written by
     * a run the job did not go on from: a job retried or restarted from its last global checkpoint, a
     * workflow reset. Left there, retention (newest by step) would delete the round's own checkpoints
     * first, and a retry after a crash would resume from the old run's state.
     *
     * <p>An attempt with heartbeat details has trained, and so has a retry whose activity recorded its
     * set-aside ({@link #recordSetAside}) before training: their newer checkpoints are the round's
     * own. A retry without that record follows an attempt that died before it trained. Decided on step
     * numbers and that record alone; a record that exists but cannot be read fails the attempt (retried)
     * rather than being taken for none.
     *
     * @param activity the activity's identity (workflow, run, activity id), the same for all its attempts
     */
    static long abandonedAfter(CheckpointLayout layout, TrainRoundRequest request, RoundHeartbeat heartbeat,
                               int attempt, String activity) throws IOException {
        if (heartbeat != null || attempt > 1 && activity.equals(setAsideBy(layout, request.shard()))) {
            return -1;
        }
        return request.startFrom() == null || isBase(layout, request.startFrom()) ? 0 : request.startFrom().step();
    }

    /** Records, after its set-aside and before it trains, that {@code activity} did it (see {@link #abandonedAfter}). */
    static void recordSetAside(CheckpointLayout layout, int shard, String activity) throws IOException {
        Path mark = layout.setAsideMark(shard);
        Path temp = mark.resolveSibling(".tmp-" + mark.getFileName() + "-" + UUID.randomUUID());
        Files.createDirectories(mark.getParent());
        Files.writeString(temp, activity);
        // On disk before the attempt trains: a mark lost to a power cut would set the round's own checkpoints aside.
        CheckpointStore.fsync(temp);
        Files.move(temp, mark, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        CheckpointStore.fsyncDirectory(mark.getParent());
    }

    private static String setAsideBy(CheckpointLayout layout, int shard) throws IOException {
        try {
            return Files.readString(layout.setAsideMark(shard)).strip();
        } catch (java.nio.file.NoSuchFileException e) {
            return null;
        }
    }

    /**
     * A retraining's base, which must verify itself: another of that job's checkpoints would be a
     * model nobody asked for.
     */
    private static Checkpoint verifiedBase(CheckpointRef ref) throws NoUsableCheckpointException {
        Verified v = verify(ref);
        if (v.checkpoint == null) {
            boolean rewritten = v.problem.startsWith(REWRITTEN);
            throw new NoUsableCheckpointException("the base checkpoint " + CheckpointLayout.directory(ref) + " "
                    + v.problem + "; restore it or start the job from another one" + (rewritten
                    ? " (a schedule keeps the weights it was created with: to retrain each firing from the new ones,"
                    + " create the schedule again)" : ""));
        }
        return v.checkpoint;
    }

    /** {@code ref} if it verifies, else the newest earlier verified checkpoint of the same store. */
    private static Checkpoint verifiedOrEarlier(CheckpointRef ref, List<String> events) throws IOException {
        Verified v = verify(ref);
        if (v.checkpoint != null) {
            return v.checkpoint;
        }
        Path dir = CheckpointLayout.directory(ref);
        CheckpointStore store = new CheckpointStore(dir.getParent());
        Optional<Checkpoint> earlier = newestVerified(store, -1, ref.step() - 1);
        if (earlier.isEmpty()) {
            throw new NoUsableCheckpointException("checkpoint " + dir + " " + v.problem + " and " + store.root()
                    + " holds no earlier checkpoint that verifies; restore it or start the job again without it");
        }
        events.add("checkpoint of step " + ref.step() + " " + v.problem + "; resumed from the previous verified"
                + " checkpoint, step " + earlier.get().step());
        return earlier.get();
    }

    /** Newest checkpoint of {@code store} with {@code after < step <= upTo} that verifies. */
    static Optional<Checkpoint> newestVerified(CheckpointStore store, long after, long upTo) throws IOException {
        for (long step : store.steps()) {
            if (step > upTo || step <= after) {
                continue;
            }
            Verified v = verifyStep(store, step);
            if (v.checkpoint != null) {
                return Optional.of(v.checkpoint);
            }
            log.warn("skipping checkpoint {}: {}", store.root().resolve(CheckpointStore.directoryName(step)), v.problem);
        }
        return Optional.empty();
    }

    /** A start point outside this job's store: a retraining's base, whose steps are another job's. */
    static boolean isBase(CheckpointLayout layout, CheckpointRef ref) {
        try {
            return !CheckpointLayout.directory(ref).startsWith(layout.root());
        } catch (IllegalArgumentException e) {
            return false; // verify() reports the bad reference
        }
    }

    private record Verified(Checkpoint checkpoint, String problem) {
    }

    private static final String REWRITTEN = "was rewritten since it was referenced";

    private static Verified verify(CheckpointRef ref) {
        Path dir;
        try {
            dir = CheckpointLayout.directory(ref);
        } catch (IllegalArgumentException e) {
            return new Verified(null, e.getMessage());
        }
        if (dir.getParent() == null) {
            return new Verified(null, "is not a checkpoint directory (" + dir + ")");
        }
        Verified v;
        if (dir.getFileName().toString().equals(CheckpointStore.directoryName(ref.step()))) {
            v = verifyStep(new CheckpointStore(dir.getParent()), ref.step());
        } else {
            // A directory under another name ('dinoj import --out DIR', a copy): a base for weights only.
            v = verified(() -> CheckpointStore.verifyDirectory(dir));
            if (v.checkpoint != null && v.checkpoint.step() != ref.step()) {
                return new Verified(null, "holds step " + v.checkpoint.step() + ", not the referenced step " + ref.step());
            }
        }
        if (v.checkpoint != null && ref.manifestSha256() != null
                && !ref.manifestSha256().equals(v.checkpoint.manifestSha256())) {
            return new Verified(null, REWRITTEN + " (manifest sha256 differs)");
        }
        return v;
    }

    private static Verified verifyStep(CheckpointStore store, long step) {
        return verified(() -> store.verify(step));
    }

    private interface Verification {
        Checkpoint run() throws IOException;
    }

    private static Verified verified(Verification verification) {
        try {
            return new Verified(verification.run(), null);
        } catch (java.nio.file.NoSuchFileException e) {
            return new Verified(null, "is missing");
        } catch (IOException e) {
            return new Verified(null, "does not verify: " + e.getMessage());
        }
    }

    /** The global model with the shard's own optimizer and trainer files, as one directory. */
    private static Path compose(CheckpointLayout layout, int shard, Checkpoint global, Checkpoint own) throws IOException {
        Path view = layout.views().resolve("shard-" + shard + "-" + CheckpointStore.directoryName(global.step()) + "-"
                + UUID.randomUUID());
        Files.createDirectories(view);
        try (DirectoryStream<Path> files = Files.newDirectoryStream(own.directory())) {
            for (Path f : files) {
                String name = f.getFileName().toString();
                if (!name.equals(CheckpointStore.MANIFEST) && !name.equals(DilocoMerge.MODEL_FILE)) {
                    link(f, view.resolve(name));
                }
            }
        }
        link(global.file(DilocoMerge.MODEL_FILE), view.resolve(DilocoMerge.MODEL_FILE));
        return view;
    }

    /** Hard link where the file system allows it (no copy of a large model), else a copy. */
    private static void link(Path existing, Path link) throws IOException {
        try {
            Files.createLink(link, existing);
        } catch (IOException | UnsupportedOperationException e) {
            Files.copy(existing, link, StandardCopyOption.COPY_ATTRIBUTES);
        }
    }

    static void deleteComposed(Path view) {
        if (view == null) {
            return;
        }
        try (var walk = Files.walk(view)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            log.warn("could not delete resume directory {}: {}", view, e.toString());
        }
    }
}
