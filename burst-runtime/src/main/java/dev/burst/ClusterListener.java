package dev.burst;

import java.time.Duration;
import java.time.Instant;

/**
 * Told of tasks and workers as they come and go ({@link Cluster#addListener}): what a task stream, a
 * live progress display or an audit log needs beyond {@link ClusterStatus}. Calls come from one
 * thread of the cluster's, in order, a little after the scheduler handled each event; a slow
 * listener delays other listeners, never the scheduler. Every method does nothing by default.
 */
public interface ClusterListener {
    /** A task ended on a worker: finished, or failed. */
    default void taskEnded(TaskRecord task) {
    }

    /** A worker joined the cluster. */
    default void workerJoined(String worker) {
    }

    /** A worker left the cluster (retired, stopped, lost). */
    default void workerLeft(String worker) {
    }

    /**
     * One task's run.
     *
     * @param key      the task's key ({@link TaskFuture#key()})
     * @param prefix   its prefix (function or name)
     * @param worker   the worker that ran it
     * @param failed   whether it failed (its own exception)
     * @param duration how long it ran (zero when it failed: the worker does not report it)
     * @param endedAt  when the scheduler learned that it ended
     */
    record TaskRecord(String key, String prefix, String worker, boolean failed, Duration duration, Instant endedAt) {
    }
}
