package dev.burst.internal.cluster;

import dev.burst.internal.usage.UsageLedger;
import dev.burst.spi.WorkerPool;
import dev.burst.spi.WorkerShape;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where a cluster's pool reports, written once for every backend: running and stopped workers are
 * the usage ledger's allocation; failed starts and unasked ends go to the adaptive controller when
 * the cluster adapts (it decides what to replace), and to {@link #lastStartFailure} for a cluster
 * that waits for its first workers.
 */
final class ClusterEvents implements WorkerPool.Events {
    private static final Logger log = LoggerFactory.getLogger(ClusterEvents.class);

    private final String clusterName;
    private final UsageLedger ledger;
    private final WorkerShape shape;
    private volatile WorkerPool.Events controller;
    private volatile String lastStartFailure;

    ClusterEvents(String clusterName, UsageLedger ledger, WorkerShape shape) {
        this.clusterName = clusterName;
        this.ledger = ledger;
        this.shape = shape;
    }

    /** From now on failures go to {@code controller} too (null: no longer). */
    void forwardTo(WorkerPool.Events controller) {
        this.controller = controller;
    }

    /** The last start failure's reason, or null. */
    String lastStartFailure() {
        return lastStartFailure;
    }

    @Override
    public void workerRunning(String worker, long sinceNanos) {
        synchronized (ledger) {
            if (ledger.liveWorker(worker)) {
                return; // told twice (a pool that reports on every poll)
            }
            ledger.workerStarted(worker, shape.threads(), shape.gpus(), sinceNanos);
        }
    }

    @Override
    public void workerStopped(String worker, long atNanos) {
        synchronized (ledger) {
            if (ledger.knows(worker)) {
                ledger.workerStopped(worker, atNanos);
            }
        }
    }

    @Override
    public void startFailed(String worker, String reason) {
        lastStartFailure = "worker " + worker + " did not start: " + reason;
        WorkerPool.Events c = controller;
        if (c != null) {
            c.startFailed(worker, reason);
        } else {
            log.warn("{}: worker {} did not start: {}", clusterName, worker, reason);
        }
    }

    @Override
    public void workerEnded(String worker, String reason) {
        WorkerPool.Events c = controller;
        if (c != null) {
            c.workerEnded(worker, reason);
        } else {
            log.warn("{}: worker {} ended: {}", clusterName, worker, reason);
        }
    }
}
