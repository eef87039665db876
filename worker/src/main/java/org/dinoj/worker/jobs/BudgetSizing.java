package org.dinoj.worker.jobs;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
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

    private BudgetSizing() {
    }

    /**
     * @param secondsWaited time between the workflow's request and this attempt's start (a queue
     *     behind another job's round, earlier attempts on a worker that died), which the budget spent too
     * @throws IllegalArgumentException when the configuration is not a one-shard DINOv2 job or the
     *     budget does not hold its warm-up epochs, in one sentence
     */
    public static SizedSchedule size(SizeScheduleRequest request, double secondsWaited) throws IOException {
        long start = System.nanoTime();
        DinoV2Config config = DinoV2Config.parse(request.config());
        Path scratch = Path.of(URI.create(request.checkpointStore())).resolve(".time-budget");
        ScheduleCalibration.Costs costs = ScheduleCalibration.measure(config, scratch, CALIBRATION_SECONDS);
        double left = request.secondsLeft() - secondsWaited - (System.nanoTime() - start) * 1e-9;
        TimeBudget.Fit fit = TimeBudget.fit(costs, TimeBudget.Shape.of(config), left);
        String description = fit.describe() + " (the configuration said " + config.optim().epochs() + " epochs);"
                + " measured " + costs.describe();
        log.info("job {}: time budget: {}", request.jobId(), description);
        return new SizedSchedule(fit.epochs(), description);
    }
}
