package dev.burst;

import dev.burst.internal.runtime.SchedulerEndpoint;

/**
 * A set of workers and the scheduler that drives them. {@link Client#connect(Cluster)} connects to
 * one. Implementations are Burst's own ({@link LocalCluster}; more backends later).
 */
public abstract class Cluster implements AutoCloseable {
    Cluster() {
    }

    /** The scheduler clients of this cluster talk to. */
    abstract SchedulerEndpoint endpoint();

    /** Resources used so far. */
    public abstract ClusterUsage usage();

    /** Stops the workers and the scheduler; pending results are failed. Idempotent. */
    @Override
    public abstract void close();
}
