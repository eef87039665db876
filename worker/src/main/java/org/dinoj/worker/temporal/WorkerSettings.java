package org.dinoj.worker.temporal;

import org.dinoj.worker.activities.TrainingPolicy;
import org.dinoj.workflows.ActivitySettings;

/**
 * How a worker process connects and works.
 *
 * @param target Temporal frontend, {@code host:port}
 * @param sticky sticky workflow execution (keep it on against a real cluster; off against the
 *     embedded test server, which cannot reroute the sticky tasks of a dead worker)
 */
public record WorkerSettings(String target, String namespace, String taskQueue, boolean sticky, TrainingPolicy policy) {
    public static WorkerSettings of(String target, boolean sticky) {
        return new WorkerSettings(target, "default", ActivitySettings.DEFAULT_TASK_QUEUE, sticky, TrainingPolicy.defaults());
    }
}
