package dev.burst.internal.scheduler;

import dev.burst.internal.core.ClientId;
import dev.burst.internal.core.ResourceAmounts;
import dev.burst.internal.core.StimulusId;
import dev.burst.internal.core.TaskError;
import dev.burst.internal.core.TaskKey;
import dev.burst.internal.core.TaskPriority;
import dev.burst.internal.core.WorkerId;

import java.util.Collection;
import java.util.List;
import java.util.Map;

/** What the scheduler asks its shell to do. */
public sealed interface SchedulerCommand {

    /**
     * Run {@code key} on {@code worker} as run {@code runId} (unique per assignment; the worker's
     * reports repeat it); {@code whoHas} tells where each dependency's result is.
     * {@code dependencies} is in argument order.
     */
    record ComputeTask(WorkerId worker, TaskKey key, long runId, Object payload, List<TaskKey> dependencies,
                       Map<TaskKey, List<WorkerId>> whoHas, ResourceAmounts resources,
                       TaskPriority priority, StimulusId stimulusId) implements SchedulerCommand {}

    /** {@code worker} should drop these keys: stop running them, and free their results. */
    record FreeKeys(WorkerId worker, Collection<TaskKey> keys, StimulusId stimulusId) implements SchedulerCommand {}

    /**
     * Work stealing: ask {@code worker} to give up run {@code runId} of {@code key} if it has not
     * started it; it answers with {@link SchedulerEvent.StealAnswered}. The task moves only if it did.
     */
    record StealRequest(WorkerId worker, TaskKey key, long runId, StimulusId stimulusId) implements SchedulerCommand {}

    /** Tell {@code client} that {@code key} is done and held by {@code holders}. */
    record ReportDone(ClientId client, TaskKey key, List<WorkerId> holders) implements SchedulerCommand {}

    /** Tell {@code client} that {@code key} failed for good. */
    record ReportErred(ClientId client, TaskKey key, TaskError error) implements SchedulerCommand {}

    /** Tell {@code client} why {@code key} cannot run yet (for example no worker has the resources). */
    record ReportStalled(ClientId client, TaskKey key, String reason) implements SchedulerCommand {}

    /**
     * {@code worker} should fetch {@code keys} from the holders in {@code whoHas} and keep them until
     * freed, then answer with {@link SchedulerEvent.KeysCopied}. Sent while retiring the holders.
     */
    record CopyKeys(WorkerId worker, List<TaskKey> keys, Map<TaskKey, List<WorkerId>> whoHas,
                    StimulusId stimulusId) implements SchedulerCommand {}

    /**
     * {@code worker} has finished retiring: close it. The shell then reports
     * {@link SchedulerEvent.WorkerLeft} as for any worker that goes away. Sent once per worker.
     */
    record RetireWorker(WorkerId worker, StimulusId stimulusId) implements SchedulerCommand {}

    /**
     * Hand {@code event} back to the scheduler after the events already waiting: the rest of a long
     * job (releasing a million keys), cut into pieces so that no single event holds the scheduler
     * for long and others are handled in between.
     */
    record HandleLater(SchedulerEvent event) implements SchedulerCommand {}

    /** Something an operator should read, said once rather than per task. */
    record LogWarning(String message) implements SchedulerCommand {}
}
