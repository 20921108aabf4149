package dev.burst.internal.executor;

import dev.burst.internal.core.StimulusId;
import dev.burst.internal.core.TaskKey;
import dev.burst.internal.core.WorkerId;
import dev.burst.internal.worker.WorkerCommand;

import java.util.List;

/**
 * What a {@link WorkerShell} asks of the worker it runs in: where results are kept, how a task is
 * invoked, how a result is copied from a peer, and how the scheduler is told. The embedded worker
 * keeps references in a map and posts events to its scheduler loop; a worker process keeps an
 * object store that spills to disk, decodes tasks in a session class loader, fetches over gRPC
 * and sends protobuf messages.
 *
 * <p>The shell calls {@link #store}, {@link #drop} and {@link #paused} while it holds its lock, so
 * those must be quick and never block or call back into the shell. It calls {@link #run},
 * {@link #fetch} and {@link #report} with the lock released.
 */
public interface WorkerEnvironment {

    /** What an execution returned: the value to {@link #store}, and its estimated size for the scheduler. */
    record TaskResult(Object value, long nbytes) {
    }

    /** A report for the scheduler, with the stimulus of the event that caused it. */
    record SchedulerReport(StimulusId stimulusId, WorkerCommand.Report command) {
    }

    /** Where a {@link #fetch} ends: exactly one call per fetched key. Callable from any thread, without locks held. */
    interface FetchAnswers {
        /** {@code value} (to {@link #store}, {@code nbytes} for the scheduler) is the result of {@code key}. */
        void fetched(TaskKey key, Object value, long nbytes);

        /** {@code key} could not be had from any holder; {@code holder} is the last one tried (null: none). */
        void notFetched(TaskKey key, WorkerId holder);
    }

    /**
     * Keeps {@code value} as the result of {@code key}; {@code value} is what {@link #run} returned
     * in a {@link TaskResult} or what a fetch answered. Called under the shell's lock.
     *
     * @return work to do once the lock is released (writing spilled results to disk), or null
     */
    Runnable store(TaskKey key, Object value);

    /** Forgets the result of {@code key}. Called under the shell's lock. */
    void drop(TaskKey key);

    /** Whether executors should start no new task for now (memory is full); they look again every 50 ms. */
    default boolean paused() {
        return false;
    }

    /**
     * Runs {@code task} on the calling executor thread with its dependencies' stored results as
     * inputs. Whatever it throws fails the task; an interrupt means the task was cancelled or the
     * worker is closing.
     */
    TaskResult run(WorkerCommand.Execute task) throws Exception;

    /** Starts copying these results from their holders; each ends with one call to {@code answers}. */
    void fetch(List<WorkerCommand.Fetch> fetches, FetchAnswers answers);

    /** Hands these reports to the scheduler, in order. */
    void report(List<SchedulerReport> reports);
}
