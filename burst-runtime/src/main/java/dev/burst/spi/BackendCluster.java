package dev.burst.spi;

import dev.burst.Cluster;

/**
 * A cluster of a backend: Burst's scheduler in this JVM (TLS on the spec's host), workers from the
 * spec's {@link WorkerPool}, and everything else every cluster shares (adapting, the usage ledger,
 * closing). Backends return one from {@link ClusterBackend#create}, or subclass it to add what is
 * theirs (a Slurm cluster's job ids, through {@link #workerPool()}).
 */
public class BackendCluster extends Cluster {
    /** Starts the scheduler, the pool and the spec's initial workers (waiting until they joined). */
    public BackendCluster(ClusterSpec spec) {
        super(spec);
    }
}
