package dev.burst.internal.cluster;

import dev.burst.internal.core.WorkerId;
import dev.burst.internal.loop.SchedulerEndpoint;
import dev.burst.internal.loop.SchedulerLoop;
import dev.burst.internal.transport.BurstAddress;
import dev.burst.internal.usage.UsageLedger;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * A cluster's scheduler, whichever way clients and workers reach it: in this JVM without a network
 * (the embedded cluster), or over TLS ({@link NetworkScheduler}). The one choice
 * {@link ClusterRuntime} makes once; everything above it is written for both.
 */
public interface ClusterScheduler extends AutoCloseable {
    /** The loop owning the scheduler's state (for the adaptive controller and tests). */
    SchedulerLoop loop();

    /** A new connection for one client. */
    SchedulerEndpoint connectClient();

    /** Workers connected now, by id. */
    List<WorkerId> workerIds();

    /** The name a worker joined with (its pool's name for it). */
    String workerName(WorkerId id);

    /** A worker's counters as its scheduler knows them (remote: from its last heartbeat). */
    /** A worker's counters; {@code executing}: tasks on its threads now (a heartbeat behind for a worker process). */
    record WorkerCounters(long busyNanos, long cpuNanos, long spilledBytes, int executing) {
    }

    /** Each connected worker's counters, by id. */
    java.util.Map<WorkerId, WorkerCounters> workerCounters();

    /** Gives {@code ledger} every worker's cumulative figures (busy, GPU, CPU, tasks, spilled). */
    void reportFigures(UsageLedger ledger);

    /** {@code burst://host:port} for clients in other processes; empty when embedded. */
    Optional<BurstAddress> address();

    /** The token file clients in other processes need; empty when embedded. */
    Optional<Path> tokenFile();

    /**
     * Starts a worker in the scheduler's own process that runs nothing (it joins once the cluster
     * takes no new work) and holds the results of workers that retire, so that they stay
     * fetchable after every worker of the pool has stopped. Closing it drops them.
     *
     * @throws UnsupportedOperationException for an embedded scheduler, whose workers are this JVM
     */
    dev.burst.internal.workerprocess.WorkerNode startResultKeeper() throws java.io.IOException;

    /** Stops scheduling: clients are told the cluster closed, workers are asked to stop. Idempotent. */
    @Override
    void close();
}
