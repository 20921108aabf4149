package dev.burst.internal.gateway.reclaim;

import java.time.Instant;

/**
 * One cluster's activity on the gateway's clock, from successive status readings.
 *
 * <p>Design note: the scheduler's own "last activity" is on its machine's wall clock; the gateway
 * keeps its own, on its injected clock, by noticing change: a reading with tasks queued or running,
 * or with other submitted/finished counts than the last, is activity now. So a long-running task
 * keeps a cluster alive (it is running), while a client that stays connected without submitting
 * does not (Dask Gateway's idle timeout counts a connected client as activity, so a forgotten
 * notebook holds its workers for ever; dask-gateway #759).
 */
public final class ActivityTracker {
    private final Instant createdAt;
    private Instant lastActivity;
    private Instant noClientSince;
    private long submitted = -1;
    private long finished = -1;

    /**
     * A cluster made at {@code createdAt} (what max-lifetime counts from) and running since
     * {@code startedAt} (what idle and no-client count from: a slow start is not the user's idling).
     */
    public ActivityTracker(Instant createdAt, Instant startedAt) {
        this.createdAt = createdAt;
        this.lastActivity = startedAt;
        this.noClientSince = startedAt;
    }

    /** Takes in one status reading made at {@code now}. */
    public synchronized void observe(Instant now, boolean working, long submitted, long finished, int clients) {
        if (working || submitted != this.submitted || finished != this.finished) {
            if (this.submitted >= 0 || working) {
                lastActivity = now;
            }
            this.submitted = submitted;
            this.finished = finished;
        }
        if (clients > 0) {
            noClientSince = null;
        } else if (noClientSince == null) {
            noClientSince = now;
        }
    }

    public synchronized Observation observation(boolean working, boolean detached) {
        return new Observation(createdAt, lastActivity, noClientSince, working, detached);
    }

    /**
     * What the policy looks at.
     *
     * @param noClientSince since when no client is connected; null while one is
     */
    public record Observation(Instant createdAt, Instant lastActivity, Instant noClientSince, boolean working, boolean detached) {
    }
}
