package dev.burst.internal.scheduler;

import dev.burst.internal.core.ResourceAmounts;
import dev.burst.internal.core.WorkerId;

import java.util.List;
import java.util.Map;

/**
 * The scheduler's books in brief, taken on its thread and immutable after: tasks per state, progress
 * per task prefix, each worker's load ({@link SchedulerState#status()}).
 *
 * @param tasks    tasks the scheduler holds, per state (FORGOTTEN ones are gone and not listed)
 * @param prefixes progress per task prefix, by name
 * @param workers  each connected worker's load
 */
public record SchedulerStatus(Map<SchedulerTaskState, Integer> tasks, List<PrefixProgress> prefixes, List<WorkerLoad> workers) {
    public SchedulerStatus {
        tasks = Map.copyOf(tasks);
        prefixes = List.copyOf(prefixes);
        workers = List.copyOf(workers);
    }

    /** Tasks in {@code state} now. */
    public int count(SchedulerTaskState state) {
        return tasks.getOrDefault(state, 0);
    }

    /**
     * @param total      tasks of this prefix ever submitted
     * @param finished   of which finished (at least once)
     * @param erred      of which failed for good (at least once)
     * @param processing running or assigned to a worker now
     */
    public record PrefixProgress(String prefix, long total, long finished, long erred, int processing) {
    }

    /**
     * @param processing  tasks assigned to it and not finished
     * @param storedBytes bytes of results it holds
     * @param retiring    being retired (takes nothing new)
     */
    public record WorkerLoad(WorkerId id, int threads, ResourceAmounts resources, int processing, long storedBytes,
                             boolean retiring) {
    }
}
