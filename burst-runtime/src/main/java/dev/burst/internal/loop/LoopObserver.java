package dev.burst.internal.loop;

import dev.burst.internal.core.TaskKey;
import dev.burst.internal.core.WorkerId;

import java.util.List;

/**
 * Told by the {@link SchedulerLoop} what happened in a loop round (tasks that ended, workers that
 * came and went), in one batch per round, on the loop thread: it must only hand the batch on.
 */
public interface LoopObserver {
    /** What the loop tells. */
    sealed interface Observed permits TaskEnded, WorkerJoined, WorkerLeft {
    }

    /** A task ended on {@code worker}; the duration is the worker's (0 for a failure). */
    record TaskEnded(TaskKey key, WorkerId worker, boolean failed, long durationNanos) implements Observed {
    }

    record WorkerJoined(WorkerId worker) implements Observed {
    }

    record WorkerLeft(WorkerId worker) implements Observed {
    }

    void observed(List<Observed> batch);
}
