package dev.burst.internal.cluster;

import java.util.Collection;
import java.util.List;

/**
 * The backend SPI: starts and stops workers of one {@link WorkerShape} for one scheduler. Three
 * implementations: in-process (threads), local processes (child JVMs), Slurm (one batch job per
 * worker). The adaptive controller decides how many; the manager only carries it out, never blocks
 * for long, and reports workers that fail to start or end unasked to its {@link Listener}.
 *
 * <p>Each worker is started under a name the manager chooses and joins the scheduler under that
 * name, so that the controller can tell requested workers from arrived ones.
 */
public interface ClusterManager extends AutoCloseable {

    /** Told about workers that did not start or ended without being asked to. Called from any thread. */
    interface Listener {
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

    /** Asks for {@code n} more workers; returns their names at once. Failures arrive at the listener. */
    List<String> start(int n);

    /**
     * Stops these workers (retired ones, or pending requests no longer wanted); names it does not
     * know are ignored. Does not wait for them to be gone.
     */
    void stop(Collection<String> workers);

    /** Workers started or asked for that have not ended. */
    List<ManagedWorker> workers();

    /**
     * When the worker should be retired and replaced ({@link System#nanoTime()}), for backends whose
     * workers have a limited life (a batch job's walltime); empty for no limit.
     */
    default java.util.OptionalLong retireAfterNanos(String worker) {
        return java.util.OptionalLong.empty();
    }

    /**
     * When the worker's process started running ({@link System#nanoTime()}), for backends where
     * that can be long after it was asked for (a batch queue); empty to use the request time.
     */
    default java.util.OptionalLong runningSinceNanos(String worker) {
        return java.util.OptionalLong.empty();
    }

    /** Stops every worker it started and waits (bounded) until they are gone; idempotent. */
    @Override
    void close();
}
