package dev.burst.internal.gateway.reclaim;

import dev.burst.internal.gateway.ledger.StopReason;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * Whether to stop a cluster now, and why. Pure.
 *
 * <p>Design note: three rules, checked in this order so that the recorded reason is the most
 * telling one: max-lifetime (a hard cap the admin set), no-client (the last client went away: a
 * killed kernel or a {@code kill -9} of the user's JVM; Dask Gateway leaves those clusters running,
 * dask-gateway #255 and #155; Coiled stops them after 2 minutes), idle (nothing queued or running
 * and no task activity; a running task is activity, a connected client is not, dask-gateway #759).
 * Detached clusters are made to outlive their client, so only idle and lifetime apply to them.
 */
public final class ReclaimPolicy {
    private ReclaimPolicy() {
    }

    public static Optional<ReclaimDecision> decide(ActivityTracker.Observation o, ReclaimTimeouts t, Instant now) {
        if (t.maxLifetime() != null && !now.isBefore(o.createdAt().plus(t.maxLifetime()))) {
            return Optional.of(new ReclaimDecision(StopReason.MAX_LIFETIME,
                    "lived " + seconds(Duration.between(o.createdAt(), now)) + " s, max-lifetime " + seconds(t.maxLifetime()) + " s"));
        }
        if (!o.detached() && t.noClient() != null && o.noClientSince() != null
                && !now.isBefore(o.noClientSince().plus(t.noClient()))) {
            return Optional.of(new ReclaimDecision(StopReason.NO_CLIENT,
                    "no client connected for " + seconds(Duration.between(o.noClientSince(), now)) + " s (no-client-timeout "
                            + seconds(t.noClient()) + " s)"));
        }
        if (t.idle() != null && !o.working() && !now.isBefore(o.lastActivity().plus(t.idle()))) {
            return Optional.of(new ReclaimDecision(StopReason.IDLE,
                    "no task queued or running and no task activity for " + seconds(Duration.between(o.lastActivity(), now))
                            + " s (idle-timeout " + seconds(t.idle()) + " s)"));
        }
        return Optional.empty();
    }

    /** When a cluster will be stopped, and why, if nothing changes from now on. */
    public record Scheduled(StopReason reason, Instant at) {
    }

    /**
     * When {@link #decide} will stop the cluster if nothing changes (no task activity, no client
     * coming): the earliest deadline of the rules that apply now, or empty when none does (a
     * detached cluster that is working, with no lifetime cap). For the user's page of clusters.
     */
    public static Optional<Scheduled> next(ActivityTracker.Observation o, ReclaimTimeouts t) {
        Scheduled best = null;
        if (t.maxLifetime() != null) {
            best = earlier(best, new Scheduled(StopReason.MAX_LIFETIME, o.createdAt().plus(t.maxLifetime())));
        }
        if (!o.detached() && t.noClient() != null && o.noClientSince() != null) {
            best = earlier(best, new Scheduled(StopReason.NO_CLIENT, o.noClientSince().plus(t.noClient())));
        }
        if (t.idle() != null && !o.working()) {
            best = earlier(best, new Scheduled(StopReason.IDLE, o.lastActivity().plus(t.idle())));
        }
        return Optional.ofNullable(best);
    }

    private static Scheduled earlier(Scheduled a, Scheduled b) {
        return a == null || b.at().isBefore(a.at()) ? b : a;
    }

    private static long seconds(Duration d) {
        return d.toSeconds();
    }
}
