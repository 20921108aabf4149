package dev.burst.spi;

import java.util.Collection;
import java.util.List;
import java.util.OptionalLong;

/**
 * What a backend supplies: starts and stops workers of one {@link WorkerShape} for one scheduler.
 * The adaptive controller decides how many; the pool only carries it out, never blocks for long,
 * and reports to its {@link Events} when workers run, stop, fail to start or end unasked. Burst's
 * own pools: threads in this JVM, local worker processes, Slurm batch jobs.
 *
 * <p>Each worker is started under a name the pool chooses and joins the scheduler under that name
 * (the {@code --name} of {@link WorkerLaunch#command}), so that the controller can tell workers
 * asked for from workers arrived.
 */
public interface WorkerPool extends AutoCloseable {

    /** Makes a pool for one cluster, once its scheduler listens. */
    @FunctionalInterface
    interface Factory {
        WorkerPool create(PoolContext context) throws java.io.IOException;
    }

    /**
     * What a pool tells its cluster, from any thread. {@link #workerRunning} and
     * {@link #workerStopped} are the usage ledger's allocation: a worker is allocated from the
     * moment its process runs (its start is paid for) until it is gone.
     */
    interface Events {
        /** The worker's process runs since {@code sinceNanos} (the pool's {@link Ticker}). Repeats are ignored. */
        default void workerRunning(String worker, long sinceNanos) {
        }

        /** The worker's process is gone (retired, stopped, died) since {@code atNanos}. Repeats are ignored. */
        default void workerStopped(String worker, long atNanos) {
        }

        /**
         * The worker could not be started or ended before joining: {@code reason} names the cause
         * (the backend's refusal, the worker's exit code and last log lines).
         */
        void startFailed(String worker, String reason);

        /** A worker ended without being asked to stop (after it had started). */
        void workerEnded(String worker, String reason);
    }

    /** What each worker looks like. */
    WorkerShape shape();

    /** Asks for {@code n} more workers; returns their names at once. Failures arrive at the events. */
    List<String> start(int n);

    /**
     * Stops these workers (retired ones, or requests no longer wanted); names it does not know are
     * ignored. Does not wait for them to be gone.
     */
    void stop(Collection<String> workers);

    /** Workers started or asked for that have not ended. */
    List<PoolWorker> workers();

    /**
     * When the worker should be retired and replaced (the pool's {@link Ticker}), for backends whose
     * workers have a limited life (a batch job's walltime); empty for no limit.
     */
    default OptionalLong retireAfterNanos(String worker) {
        return OptionalLong.empty();
    }

    /**
     * When the worker's process started running, for backends where that can be long after it was
     * asked for (a batch queue); empty to use the request time.
     */
    default OptionalLong runningSinceNanos(String worker) {
        return OptionalLong.empty();
    }

    /**
     * The cluster became elastic: from now on its adaptive controller replaces workers that end, so
     * a pool that replaces dead workers by itself (as a fixed-size local cluster does) stops doing so.
     */
    default void adaptiveStarted() {
    }

    /**
     * The cluster's initial workers have joined: its start is over (a pool that replaced dead
     * workers only after the start, or warmed spares meanwhile, goes on from here).
     */
    default void initialWorkersJoined() {
    }

    /** Stops every worker it started and waits (bounded) until they are gone; idempotent. */
    @Override
    void close();
}
