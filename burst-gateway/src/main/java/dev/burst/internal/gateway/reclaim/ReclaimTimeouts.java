package dev.burst.internal.gateway.reclaim;

import java.time.Duration;

/**
 * When clusters are reclaimed.
 *
 * @param idle        no task queued or running and no task activity for this long (null: never)
 * @param noClient    no client connected for this long, for clusters not made detached (null: never)
 * @param maxLifetime a cluster's longest life (null: unlimited)
 */
public record ReclaimTimeouts(Duration idle, Duration noClient, Duration maxLifetime) {
    /** Coiled's and the defaults: 20 minutes idle, 2 minutes without a client, no lifetime limit. */
    public static final ReclaimTimeouts DEFAULTS = new ReclaimTimeouts(Duration.ofMinutes(20), Duration.ofMinutes(2), null);

    public ReclaimTimeouts {
        positiveOrNull("idle-timeout", idle);
        positiveOrNull("no-client-timeout", noClient);
        positiveOrNull("max-lifetime", maxLifetime);
    }

    private static void positiveOrNull(String name, Duration d) {
        if (d != null && (d.isZero() || d.isNegative())) {
            throw new IllegalArgumentException(name + " must be positive, got " + d);
        }
    }

    public ReclaimTimeouts withMaxLifetime(Duration d) {
        return new ReclaimTimeouts(idle, noClient, d);
    }
}
