package dev.burst.internal.adaptive;

import java.util.List;

/**
 * What the scheduler knows that matters for scaling, taken on the scheduler thread.
 *
 * @param workers          connected workers
 * @param waitingTasks     runnable tasks no worker has been given yet (queued root tasks, tasks with no worker)
 * @param waitingWorkNanos their expected nanoseconds of work (learned durations, the default for unknown ones)
 */
public record ClusterSnapshot(List<WorkerView> workers, int waitingTasks, double waitingWorkNanos) {
    public ClusterSnapshot {
        workers = List.copyOf(workers);
    }
}
