package org.dinoj.model.data;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.dinoj.model.metrics.MeterFactory;
import org.dinoj.model.metrics.Meters;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Endless stream of batches over one shard of a dataset, epoch after epoch, decoded and augmented
 * in parallel ahead of the consumer.
 *
 * <p>Determinism: the batch at (seed, epoch, step, shard) is the same whatever the worker count
 * and however the threads are scheduled. Epoch e visits the images in the order
 * {@link EpochOrder#permutation}; this shard takes its contiguous part of it, step k takes
 * positions [k*B, (k+1)*B) of that part. The transform of the image at a position gets an RNG
 * seeded from (seed, e, image index); the collator gets one seeded from (seed, e, k, shard). An
 * image that cannot be decoded is replaced by the next decodable image of the epoch permutation
 * (wrapping around), still transformed with the RNG of the position it fills, so batches keep
 * their size; bad images are counted and logged once (see {@link BadImageTracker}).
 *
 * <p>Threads: a fixed pool of {@code workers} threads decodes and transforms each batch in
 * {@code workers} chunks and then collates it; up to {@code prefetchBatches} batches are in flight,
 * so {@link #next()} returns at once whenever the pool keeps up. Not thread-safe: one consumer.
 *
 * <p>Metrics ({@link Meters}): {@code dinoj_data_loader_queue_depth}, the batches ready when
 * {@link #next()} was last called (0 means the step waits for data), and
 * {@code dinoj_data_loader_wait_seconds_total}, the time {@link #next()} spent waiting.
 */
public final class DataLoader<T, B> implements AutoCloseable {
    /** Makes one sample from a decoded image; lets the labelled variant see index and label. */
    @FunctionalInterface
    private interface SampleFactory<T> {
        T make(Image image, int index, int label, SplittableRandom rng);
    }

    private static final AtomicInteger POOL_NUMBER = new AtomicInteger();
    private static final Logger LOG = LoggerFactory.getLogger(DataLoader.class);
    /** Reads of one file before a read error counts it as bad; the waits between grow from this. */
    private static final int READ_ATTEMPTS = 3;
    private static final long READ_RETRY_MILLIS = 200;
    /** Retried reads logged at info; the rest would flood the log when a whole mount fails. */
    private static final int LOGGED_RETRIES = 20;

    private final Dataset dataset;
    /** A file's read error outlasted its retries and no read has succeeded since: do not wait on the next one. */
    private volatile boolean readsFailing;
    private final AtomicInteger retriedReads = new AtomicInteger();
    private final SampleFactory<T> samples;
    private final BatchCollator<T, B> collator;
    private final LoaderOptions options;
    private final int shardStart;
    private final int shardSize;
    private final int stepsPerEpoch;
    private final BadImageTracker badImages;
    private final ExecutorService pool; // null when workers == 0
    private final ArrayDeque<CompletableFuture<B>> inFlight = new ArrayDeque<>();

    private LoaderPosition position; // of the batch next() returns
    private LoaderPosition scheduled; // of the next batch to submit
    private long permutationEpoch = -1;
    private int[] permutation;
    private long waitNanos;
    private volatile boolean closed; // read by the workers, so queued work stops early after close()
    private final MeterFactory.Gauge queueDepth = Meters.factory().gauge("dinoj_data_loader_queue_depth",
            "Batches decoded and ready when the training step asked for the next one");
    private final MeterFactory.Counter waitSeconds = Meters.factory().counter("dinoj_data_loader_wait_seconds",
            "Time the training step waited for the data loader");

    private DataLoader(Dataset dataset, SampleFactory<T> samples, BatchCollator<T, B> collator, LoaderOptions options,
            LoaderPosition start) {
        this.dataset = dataset;
        this.samples = samples;
        this.collator = collator;
        this.options = options;
        if (dataset.size() == 0) {
            throw new DatasetException(dataset.describe() + " holds no images: check the dataset path");
        }
        this.shardStart = EpochOrder.shardStart(dataset.size(), options.shardIndex(), options.shardCount());
        this.shardSize = EpochOrder.shardSize(dataset.size(), options.shardIndex(), options.shardCount());
        int batch = options.batchSize();
        this.stepsPerEpoch = options.dropLast() ? shardSize / batch : (shardSize + batch - 1) / batch;
        if (stepsPerEpoch == 0) {
            throw new DatasetUnusableException("shard " + options.shardIndex() + " of " + options.shardCount() + " of "
                    + dataset.describe() + " holds " + shardSize + " images, fewer than one batch of " + batch
                    + ": use a smaller batch size, fewer shards or more images");
        }
        if (start.stepInEpoch() >= stepsPerEpoch) {
            throw new DatasetException("loader position " + start + " lies beyond the " + stepsPerEpoch
                    + " steps per epoch of " + dataset.describe() + " with batch " + batch
                    + ": the dataset, batch size or shard count changed since the checkpoint, resume with the same ones");
        }
        this.position = start;
        this.scheduled = start;
        this.badImages = new BadImageTracker(dataset, options.maxBadFraction());
        this.pool = options.workers() == 0 ? null : newPool(options.workers());
    }

    /** A loader of transformed samples, starting at {@code start}. */
    public static <T, B> DataLoader<T, B> of(Dataset dataset, ImageTransform<T> transform, BatchCollator<T, B> collator,
            LoaderOptions options, LoaderPosition start) {
        return new DataLoader<>(dataset, (image, index, label, rng) -> transform.apply(image, rng), collator, options, start);
    }

    /** A loader whose samples also carry the dataset index and label of their image. */
    public static <T, B> DataLoader<LabeledSample<T>, B> labeled(Dataset dataset, ImageTransform<T> transform,
            BatchCollator<LabeledSample<T>, B> collator, LoaderOptions options, LoaderPosition start) {
        return new DataLoader<>(dataset,
                (image, index, label, rng) -> new LabeledSample<>(index, label, transform.apply(image, rng)),
                collator, options, start);
    }

    /**
     * Returns the batch at {@link #position()} and advances to the next step (the next epoch after
     * the last step).
     *
     * @throws DatasetException when too many images turned out to be undecodable
     */
    public B next() {
        if (closed) {
            throw new IllegalStateException("data loader over " + dataset.describe() + " is closed");
        }
        B batch;
        if (pool == null) {
            batch = assemble(permutationFor(position.epoch()), position.epoch(), position.stepInEpoch());
        } else {
            fill();
            queueDepth.set(readyBatches());
            CompletableFuture<B> head = inFlight.poll();
            fill(); // keep prefetchBatches in flight while the consumer works on this one
            batch = await(head);
        }
        position = position.next(stepsPerEpoch);
        return batch;
    }

    /** Batches already decoded and collated, waiting for {@link #next()} (0 without worker threads). */
    public int readyBatches() {
        int ready = 0;
        for (CompletableFuture<B> f : inFlight) {
            if (f.isDone()) {
                ready++;
            }
        }
        return ready;
    }

    /** Position of the batch the next call to {@link #next()} returns. */
    public LoaderPosition position() {
        return position;
    }

    /** Batches per epoch of this shard: one pass over the shard is this many calls to {@link #next()}. */
    public int stepsPerEpoch() {
        return stepsPerEpoch;
    }

    /** Number of distinct images found undecodable so far. */
    public int badImageCount() {
        return badImages.count();
    }

    /** Total time {@link #next()} spent waiting for the pool, in nanoseconds (0 when it kept up). */
    public long waitNanos() {
        return waitNanos;
    }

    public Dataset dataset() {
        return dataset;
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            inFlight.forEach(f -> f.cancel(false));
            inFlight.clear();
            if (pool != null) {
                // No interrupts: an interrupted file read would look like a damaged image.
                pool.shutdown();
            }
        }
    }

    private void fill() {
        while (inFlight.size() < options.prefetchBatches()) {
            inFlight.add(submit(permutationFor(scheduled.epoch()), scheduled.epoch(), scheduled.stepInEpoch()));
            scheduled = scheduled.next(stepsPerEpoch);
        }
    }

    /** Permutation of {@code epoch}; only the consumer thread calls this, epochs only grow. */
    private int[] permutationFor(long epoch) {
        if (epoch != permutationEpoch) {
            permutation = EpochOrder.permutation(options.seed(), epoch, dataset.size(), options.shuffle());
            permutationEpoch = epoch;
        }
        return permutation;
    }

    private CompletableFuture<B> submit(int[] order, long epoch, int step) {
        int count = batchCount(step);
        Object[] slots = new Object[count];
        int chunk = (count + options.workers() - 1) / options.workers();
        CompletableFuture<?>[] parts = new CompletableFuture<?>[(count + chunk - 1) / chunk];
        for (int c = 0; c < parts.length; c++) {
            int from = c * chunk;
            int to = Math.min(count, from + chunk);
            parts[c] = CompletableFuture.runAsync(() -> makeSamples(order, epoch, step, from, to, slots), pool);
        }
        return CompletableFuture.allOf(parts).thenApplyAsync(ignored -> collate(slots, epoch, step), pool);
    }

    private B assemble(int[] order, long epoch, int step) {
        Object[] slots = new Object[batchCount(step)];
        makeSamples(order, epoch, step, 0, slots.length, slots);
        return collate(slots, epoch, step);
    }

    private int batchCount(int step) {
        return Math.min(options.batchSize(), shardSize - step * options.batchSize());
    }

    /** Fills {@code slots[from, to)} of batch {@code step} with transformed samples. */
    private void makeSamples(int[] order, long epoch, int step, int from, int to, Object[] slots) {
        int base = shardStart + step * options.batchSize();
        for (int slot = from; slot < to && !closed; slot++) {
            int position = base + slot;
            // The first decodable image at or after this position (wrapping): the same whichever
            // thread found the bad ones first, because decoding a file always fails the same way.
            int used = -1;
            Image image = null;
            for (int t = 0; t < order.length && image == null; t++) {
                used = order[(position + t) % order.length];
                image = badImages.isBad(used) ? null : decodeOrNull(used);
            }
            if (image == null) {
                throw new DatasetException("no image of " + dataset.describe() + " could be decoded: check the dataset files");
            }
            SplittableRandom rng = new SplittableRandom(SeedMixer.mix(SeedMixer.IMAGE, options.seed(), epoch, order[position]));
            T sample = samples.make(image, used, dataset.label(used), rng);
            if (sample == null) {
                throw new IllegalStateException("the image transform returned null for " + dataset.source(used));
            }
            slots[slot] = sample;
        }
    }

    /**
     * The image, or null once it is recorded as bad. A read error that may pass (EIO from a network
     * mount) is tried again after a short wait first: a file skipped for a moment's error would change
     * the batches, and with them the exact resume. Damage, a missing file and a refused one are final here.
     * Once a file's error outlasted its reads, later errors are not waited on until a read succeeds
     * again: a mount that is gone must reach data.max_bad_fraction's sentence in seconds, not stall the
     * step (and its heartbeat) for minutes.
     */
    private Image decodeOrNull(int index) {
        for (int attempt = 1; ; attempt++) {
            try {
                Image image = dataset.image(index);
                readsFailing = false;
                return image;
            } catch (DamagedImageException | NoSuchFileException | AccessDeniedException e) {
                badImages.record(index, e);
                return null;
            } catch (IOException e) {
                if (attempt == READ_ATTEMPTS || readsFailing || closed) {
                    readsFailing = true;
                    badImages.record(index, e);
                    return null;
                }
                if (retriedReads.incrementAndGet() <= LOGGED_RETRIES) {
                    LOG.info("reading {} failed ({}); trying again", dataset.source(index), e.toString());
                }
                try {
                    Thread.sleep(READ_RETRY_MILLIS * attempt);
                } catch (InterruptedException interrupted) {
                    // Not the file's fault: the batch fails rather than leaving out an image that may be fine.
                    Thread.currentThread().interrupt();
                    throw new DatasetException("interrupted while waiting to read " + dataset.source(index) + " again", e);
                }
            }
        }
    }

    @SuppressWarnings("unchecked")
    private B collate(Object[] slots, long epoch, int step) {
        List<T> batch = Collections.unmodifiableList(Arrays.asList((T[]) slots));
        SplittableRandom rng = new SplittableRandom(
                SeedMixer.mix(SeedMixer.BATCH, options.seed(), epoch, step, options.shardIndex()));
        return collator.collate(batch, rng);
    }

    private B await(CompletableFuture<B> future) {
        long t0 = System.nanoTime();
        try {
            return future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for batch " + position + " of " + dataset.describe(), e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException r) {
                throw r;
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException("loading batch " + position + " of " + dataset.describe() + " failed", cause);
        } finally {
            long waited = System.nanoTime() - t0;
            waitNanos += waited;
            waitSeconds.increment(waited / 1e9);
        }
    }

    private static ExecutorService newPool(int workers) {
        int poolNumber = POOL_NUMBER.incrementAndGet();
        AtomicInteger threadNumber = new AtomicInteger();
        ThreadFactory factory = r -> {
            Thread t = new Thread(r, "dinoj-data-" + poolNumber + "-" + threadNumber.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
        // The queue holds at most prefetchBatches * (workers + 1) tasks, so it needs no bound of its own.
        return new ThreadPoolExecutor(workers, workers, 0, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), factory);
    }
}
