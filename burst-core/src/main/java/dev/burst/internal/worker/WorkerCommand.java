package dev.burst.internal.worker;

import dev.burst.internal.core.ResourceAmounts;
import dev.burst.internal.core.TaskError;
import dev.burst.internal.core.TaskKey;
import dev.burst.internal.core.WorkerId;

import java.util.List;

/** What a worker asks its shell to do: run, fetch, drop, or tell the scheduler. */
public sealed interface WorkerCommand {

    /**
     * The commands that tell the scheduler something; a shell hands them on after releasing its
     * lock, each in its own transport (an event posted in-process, a message on the wire).
     */
    sealed interface Report extends WorkerCommand {}

    /** Run {@code payload} on a free thread with the stored results of {@code dependencies} as inputs. */
    record Execute(TaskKey key, long attempt, Object payload, List<TaskKey> dependencies,
                   ResourceAmounts resources) implements WorkerCommand {}

    /** Stop execution {@code attempt} of {@code key} if it still runs; its result will be dropped. */
    record CancelExecution(TaskKey key, long attempt) implements WorkerCommand {}

    /** Copy the result of {@code key} from one of {@code holders} into this worker's store. */
    record Fetch(TaskKey key, List<WorkerId> holders) implements WorkerCommand {}

    /**
     * Keep the value that came with the event being handled (an execution's return value or a
     * fetched copy) as the result of {@code key}. Emitted only when the state accepts it, so a
     * late value from a cancelled execution never overwrites a good one.
     */
    record StoreResult(TaskKey key) implements WorkerCommand {}

    /** Drop the stored result of {@code key}. */
    record DropResult(TaskKey key) implements WorkerCommand {}

    /** Tell the scheduler run {@code runId} of {@code key} finished here. */
    record SendFinished(TaskKey key, long runId, long nbytes, long durationNanos) implements Report {}

    /** Tell the scheduler run {@code runId} of {@code key} raised here. */
    record SendFailed(TaskKey key, long runId, TaskError error) implements Report {}

    /**
     * Tell the scheduler that the copies it asked for are settled: these {@code keys} ({@code nbytes}
     * aligned with them) are in memory here and kept until freed; keys it asked for that are not
     * named could not be copied.
     */
    record SendKeysCopied(List<TaskKey> keys, List<Long> nbytes) implements Report {}

    /**
     * Answer a steal request for run {@code runId} of {@code key}: {@code released} when this worker
     * dropped the task before starting it.
     */
    record SendStealAnswer(TaskKey key, long runId, boolean released) implements Report {}

    /** Tell the scheduler that, for run {@code runId} of {@code key}, {@code dependency} could not be fetched from {@code holder}. */
    record SendDataMissing(TaskKey key, long runId, TaskKey dependency, WorkerId holder) implements Report {}
}
