package dev.burst.internal.scheduler;

import dev.burst.internal.core.ClientId;
import dev.burst.internal.core.ResourceAmounts;
import dev.burst.internal.core.StimulusId;
import dev.burst.internal.core.TaskError;
import dev.burst.internal.core.TaskKey;
import dev.burst.internal.core.WorkerId;

import java.util.Collection;
import java.util.List;

/** Everything that can happen to the scheduler. Each event names its cause. */
public sealed interface SchedulerEvent {
    StimulusId stimulusId();

    /** A worker joined with {@code resources} (including {@code cpu} = its thread count). */
    record WorkerJoined(StimulusId stimulusId, WorkerId worker, ResourceAmounts resources) implements SchedulerEvent {}

    /** A worker is gone (it died, or its connection closed); its results are lost. */
    record WorkerLeft(StimulusId stimulusId, WorkerId worker) implements SchedulerEvent {}

    /** A client submits tasks and wants the results of {@code wanted}. */
    record GraphSubmitted(StimulusId stimulusId, ClientId client, List<TaskSpec> tasks,
                          Collection<TaskKey> wanted) implements SchedulerEvent {}

    /** A client no longer wants these results (the future was released or cancelled). */
    record KeysReleased(StimulusId stimulusId, ClientId client, Collection<TaskKey> keys) implements SchedulerEvent {}

    /**
     * A worker ran run {@code runId} of a task to completion; its result ({@code nbytes} big) is in
     * that worker's memory. Reports name the run they are about so that a late report of a run the
     * scheduler has taken back is recognised and ignored.
     */
    record TaskFinished(StimulusId stimulusId, WorkerId worker, TaskKey key, long runId, long nbytes,
                        long durationNanos) implements SchedulerEvent {}

    /** Run {@code runId} of a task raised on a worker. */
    record TaskFailed(StimulusId stimulusId, WorkerId worker, TaskKey key, long runId, TaskError error)
            implements SchedulerEvent {}

    /** For run {@code runId} of {@code key}, a worker could not get {@code dependency} from {@code holder}. */
    record DataMissing(StimulusId stimulusId, WorkerId worker, TaskKey key, long runId, TaskKey dependency,
                       WorkerId holder) implements SchedulerEvent {}

    /**
     * {@code client} now holds the results of {@code keys} itself (it fetched them after their
     * {@link SchedulerCommand.ReportDone}). A result that every client wanting it holds, and that no
     * unfinished dependent needs, is not recomputed when its last copy on the workers is lost; it is
     * recomputed only if something needs it again. Keys that are unknown, not in memory, or not
     * wanted by {@code client} are ignored.
     */
    record ResultsReceived(StimulusId stimulusId, ClientId client, List<TaskKey> keys) implements SchedulerEvent {}

    /** A client is gone; everything it wanted is released. */
    record ClientLeft(StimulusId stimulusId, ClientId client) implements SchedulerEvent {}

    /**
     * Retire these workers gracefully: they take no new tasks, finish what they run, hand results
     * that exist nowhere else to other workers, and are then let go ({@link SchedulerCommand.RetireWorker}).
     * Unknown workers are ignored.
     */
    record RetireWorkers(StimulusId stimulusId, List<WorkerId> workers) implements SchedulerEvent {}

    /**
     * {@code worker} now holds copies of {@code keys} ({@code nbytes} aligned with them), as asked by
     * {@link SchedulerCommand.CopyKeys}; keys it could not copy are left out.
     */
    record KeysCopied(StimulusId stimulusId, WorkerId worker, List<TaskKey> keys, List<Long> nbytes)
            implements SchedulerEvent {}

    /**
     * {@code worker}'s answer to a {@link SchedulerCommand.StealRequest} for run {@code runId} of
     * {@code key}: {@code released} when it dropped the task without starting it (it will not run
     * there), otherwise it keeps it (running, done, or not there any more).
     */
    record StealAnswered(StimulusId stimulusId, WorkerId worker, TaskKey key, long runId, boolean released)
            implements SchedulerEvent {}

    /**
     * From now on the scheduler takes no new work: every task not yet running (waiting, queued, or
     * with no worker that fits) fails with {@code refusal}, and so does every new task, and every
     * result lost later that would have been recomputed. Tasks running now run on; results in memory
     * stay where they are and are reported to whoever asks for them. For a cluster winding down
     * (a spent budget): nothing more is spent, nothing already computed is lost. It cannot be undone.
     */
    record AdmissionClosed(StimulusId stimulusId, TaskError refusal) implements SchedulerEvent {}
}
