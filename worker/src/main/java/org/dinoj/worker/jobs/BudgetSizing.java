package org.dinoj.worker.jobs;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.nio.file.Path;
import java.util.Locale;
import org.dinoj.model.train.config.DinoV2Config;
import org.dinoj.workflows.SizeScheduleRequest;
import org.dinoj.workflows.SizedSchedule;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The worker's side of a time budget: times the job's configuration here ({@link ScheduleCalibration})
 * and picks the longest schedule that fits what is left ({@link TimeBudget}), counting the
 * measurement itself. The scratch checkpoint lies in the job's store and is deleted.
 */
public final class BudgetSizing {
    private static final Logger log = LoggerFactory.getLogger(BudgetSizing.class);
    /** Training time the measurement spends after its warm-up steps. */
    static final double CALIBRATION_SECONDS = 20;
    /** Load above the cores that counts as other work: the measurement's own threads reach about the cores. */
    private static final double BUSY_MARGIN = 0.5;

    private BudgetSizing() {
    }

    /**
     * @param secondsWaited time between the workflow's request and this attempt's start (a queue
     *     behind another job's round, earlier attempts on a worker that died), which the budget spent too
     * @throws IllegalArgumentException when the configuration is not a DINOv2 job or the budget does
     *     not hold its warm-up epochs, in one sentence
     */
    public static SizedSchedule size(SizeScheduleRequest request, double secondsWaited) throws IOException {
        long start = System.nanoTime();
        DinoV2Config config = DinoV2Config.parse(request.config());
        Path scratch = Path.of(URI.create(request.checkpointStore())).resolve(".time-budget");
        ScheduleCalibration.Costs costs = ScheduleCalibration.measure(config, scratch, CALIBRATION_SECONDS);
        double left = request.secondsLeft() - secondsWaited - (System.nanoTime() - start) * 1e-9;
        TimeBudget.Shape shape = TimeBudget.Shape.of(config);
        TimeBudget.Fit fit = TimeBudget.fit(costs, shape, left);
        String busy = busyNote(ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(),
                Runtime.getRuntime().availableProcessors());
        String shards = shape.shards() == 1 ? "" : String.format(Locale.ROOT, "; each of its %d shards timed as this"
                + " worker trains, and a merge of about %.1f s a round", shape.shards(), TimeBudget.mergeSeconds(costs, shape));
        String description = fit.describe() + " (the configuration said " + config.optim().epochs() + " epochs);"
                + " measured " + costs.describe() + shards + busy;
        if (busy.isEmpty()) {
            log.info("job {}: time budget: {}", request.jobId(), description);
        } else {
            log.warn("job {}: time budget: {}", request.jobId(), description);
        }
        return new SizedSchedule(fit.epochs(), description, shape.minEpochs(), costs.evaluationSeconds());
    }

    /**
     * A warning for the schedule's description when other work ran on this machine while it was
     * measured (a one-minute load average above its cores): the measurement was slower than the
     * machine, and a schedule sized on it is short if that work has stopped since. Empty otherwise,
     * and where the load is not known (a negative value).
     */
    static String busyNote(double loadAverage, int cores) {
        if (loadAverage < 0 || loadAverage <= cores + BUSY_MARGIN) {
            return "";
        }
        return String.format(Locale.ROOT, "; the machine was busy while it was measured (load %.1f on %d cores), so"
                + " this schedule may be shorter than the machine trains when quiet", loadAverage, cores);
    }
}
