package dev.burst.internal.worker;

import dev.burst.internal.core.ResourceAmounts;
import dev.burst.internal.core.StimulusId;
import dev.burst.internal.core.TaskError;
import dev.burst.internal.core.TaskKey;
import dev.burst.internal.core.TaskPriority;
import dev.burst.internal.core.WorkerId;

import java.util.Collection;
import java.util.List;
import java.util.Map;

/** Everything that can happen to a worker. Each event names its cause. */
public sealed interface WorkerEvent {
    StimulusId stimulusId();

    /** The scheduler asks this worker to run {@code key}, as run {@code runId}. */
    record ComputeRequested(StimulusId stimulusId, TaskKey key, long runId, Object payload, List<TaskKey> dependencies,
                            Map<TaskKey, List<WorkerId>> whoHas, ResourceAmounts resources,
                            TaskPriority priority) implements WorkerEvent {}

    /** The scheduler no longer needs these keys here. */
    record KeysFreed(StimulusId stimulusId, Collection<TaskKey> keys) implements WorkerEvent {}

    /** Execution {@code attempt} of {@code key} returned a value of {@code nbytes}, now in the store. */
    record ExecutionSucceeded(StimulusId stimulusId, TaskKey key, long attempt, long nbytes,
                              long durationNanos) implements WorkerEvent {}

    /** Execution {@code attempt} of {@code key} raised. */
    record ExecutionFailed(StimulusId stimulusId, TaskKey key, long attempt, TaskError error,
                           long durationNanos) implements WorkerEvent {}

    /** The result of {@code key} was copied from a peer into the store. */
    record FetchSucceeded(StimulusId stimulusId, TaskKey key, long nbytes) implements WorkerEvent {}

    /** No peer in the list could give {@code key}. */
    record FetchFailed(StimulusId stimulusId, TaskKey key, WorkerId holder) implements WorkerEvent {}

    /** The scheduler asks this worker to give up run {@code runId} of {@code key} unless it has started it (work stealing). */
    record StealRequested(StimulusId stimulusId, TaskKey key, long runId) implements WorkerEvent {}

    /**
     * The scheduler asks this worker to copy {@code keys} from the holders in {@code whoHas} and keep
     * them until freed (another worker is retiring).
     */
    record CopyRequested(StimulusId stimulusId, List<TaskKey> keys, Map<TaskKey, List<WorkerId>> whoHas)
            implements WorkerEvent {}
}
