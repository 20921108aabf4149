package dev.burst.internal.gateway.server;

import dev.burst.internal.gateway.clusterprocess.ClusterProcess;
import dev.burst.internal.gateway.clusterprocess.ControlStatus;
import dev.burst.internal.gateway.ledger.ClusterRecord;
import dev.burst.internal.gateway.ledger.UsageFigures;
import dev.burst.internal.gateway.reclaim.ActivityTracker;
import dev.burst.internal.gateway.reclaim.ReclaimTimeouts;

import java.time.Instant;
import java.util.HashSet;
import java.util.Set;

/**
 * A running gateway cluster as the fleet tracks it: its ledger record, its process, the
 * credentials its owner connects with, and what the fleet last read from it.
 */
final class LiveCluster {
    final ClusterRecord record;
    final ClusterProcess process;
    final String schedulerAddress;
    /** The client-only token: what the cluster's user gets (it cannot join as a worker). */
    final String token;
    final String certificateSha256;
    final ActivityTracker activity;
    final ReclaimTimeouts timeouts;
    final Set<String> workers = new HashSet<>();
    /** The newest status read ({@link #readStatus}); null before the first. */
    volatile ControlStatus lastStatus;
    private long statusReads;
    private long statusKept;
    volatile boolean stopping;
    /**
     * Why the cluster takes no new work (its owner's budget is spent), or null while it does: set
     * once its process confirmed it, so that whoever reads it (the REST API) can count on new
     * tasks being refused from then on.
     */
    volatile String windDown;
    /** Why the cluster was asked to wind down, from the moment it was asked (it starts no workers from then on); or null. */
    volatile String windDownAsked;
    UsageFigures recorded;
    Instant usageWrittenAt;
    int failedReads;

    LiveCluster(ClusterRecord record, ClusterProcess process, String schedulerAddress, String token, String certificateSha256,
                ReclaimTimeouts timeouts, UsageFigures recorded, Instant now) {
        this.record = record;
        this.process = process;
        this.schedulerAddress = schedulerAddress;
        this.token = token;
        this.certificateSha256 = certificateSha256;
        this.activity = new ActivityTracker(record.createdAt(), now);
        this.timeouts = timeouts;
        this.recorded = recorded;
        this.usageWrittenAt = now;
    }

    String name() {
        return record.name();
    }

    static UsageFigures usageOf(ControlStatus s) {
        return new UsageFigures(s.allocatedCoreSeconds(), s.busyCoreSeconds(), s.allocatedGpuSeconds(), s.busyGpuSeconds(), s.tasks());
    }

    /**
     * Reads the cluster's status from its process now and keeps it as {@link #lastStatus}, unless a
     * read that started later was kept first: the poller and requests read concurrently, and an
     * older answer that arrives last must not put old figures back.
     */
    ControlStatus readStatus() {
        long read;
        synchronized (this) {
            read = ++statusReads;
        }
        ControlStatus s = process.status();
        synchronized (this) {
            if (read > statusKept) {
                statusKept = read;
                lastStatus = s;
            }
        }
        return s;
    }
}
