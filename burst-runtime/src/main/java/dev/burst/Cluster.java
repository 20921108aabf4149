package dev.burst;

import dev.burst.internal.adaptive.AdaptiveSettings;
import dev.burst.internal.cluster.AdaptiveController;
import dev.burst.internal.cluster.ClusterManager;
import dev.burst.internal.runtime.SchedulerEndpoint;
import dev.burst.internal.runtime.SchedulerLoop;

import java.time.Duration;

/**
 * A set of workers and the scheduler that drives them. {@link Client#connect(Cluster)} connects to
 * one. Implementations are Burst's own: {@link LocalCluster} (threads or processes on this
 * machine) and {@link SlurmCluster} (batch jobs).
 *
 * <p>{@link #adapt(int, int)} makes the cluster elastic: workers are started when work is queued
 * and retired when they are idle, so the core-seconds allocated stay close to those used
 * ({@link #usage()}).
 */
public abstract class Cluster implements AutoCloseable {
    private AdaptiveController adaptive;
    /** Set when closing starts, so that an adapt() racing with close() cannot leave a controller running. */
    private boolean closing;

    Cluster() {
    }

    /** The scheduler clients of this cluster talk to. */
    abstract SchedulerEndpoint endpoint();

    /** The loop owning the scheduler's state, for the adaptive controller. */
    abstract SchedulerLoop schedulerLoop();

    /** The backend that starts and stops this cluster's workers. */
    abstract ClusterManager manager();

    /** The backend's adaptive defaults (durations) and how often to decide. */
    abstract AdaptiveSettings adaptiveDefaults();

    abstract Duration adaptiveInterval();

    /** Called once, when {@link #adapt} first makes the cluster elastic. */
    void becomingElastic(AdaptiveController controller) {
    }

    /** Name used in logs. */
    abstract String name();

    /** True once closed. */
    abstract boolean isClosed();

    /**
     * Scales between {@code minimum} and {@code maximum} workers from now on, with the backend's
     * defaults for everything else. Calling it again replaces the previous bounds.
     *
     * @throws IllegalArgumentException if minimum &lt; 0, maximum &lt; 1 or maximum &lt; minimum
     */
    public final void adapt(int minimum, int maximum) {
        adapt(AdaptiveOptions.between(minimum, maximum));
    }

    /** Scales as {@code options} say from now on; replaces earlier settings. */
    public final synchronized void adapt(AdaptiveOptions options) {
        java.util.Objects.requireNonNull(options, "options must not be null");
        if (closing || isClosed()) {
            throw new IllegalStateException(name() + " is closed");
        }
        AdaptiveSettings settings = options.toSettings(adaptiveDefaults());
        if (adaptive != null) {
            adaptive.close();
        }
        AdaptiveController c = new AdaptiveController(name(), schedulerLoop(), manager(), settings, adaptiveInterval());
        becomingElastic(c);
        schedulerLoop().onWorkSubmitted(c::poke);
        adaptive = c;
    }

    /**
     * Why this adaptive cluster cannot get workers, when {@code attempts} starts in a row have failed
     * since a worker last joined (a Slurm that is not reachable, a refused job, workers dying before
     * they join): the last failure's cause; empty otherwise, and for a cluster of fixed size.
     */
    public final synchronized java.util.Optional<String> startProblem(int attempts) {
        if (adaptive == null || adaptive.startFailuresInARow() < attempts || adaptive.lastStartFailure().isEmpty()) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(adaptive.lastStartFailure());
    }

    /** The adaptive controller, or null when the cluster has a fixed size. */
    final synchronized AdaptiveController adaptive() {
        return adaptive;
    }

    /** Stops adapting (before the cluster closes its workers). */
    final synchronized void stopAdapting() {
        closing = true;
        schedulerLoop().onWorkSubmitted(null);
        if (adaptive != null) {
            adaptive.close();
            adaptive = null;
        }
    }

    /** Resources used so far. */
    public abstract ClusterUsage usage();

    /** Stops the workers and the scheduler; pending results are failed. Idempotent. */
    @Override
    public abstract void close();
}
