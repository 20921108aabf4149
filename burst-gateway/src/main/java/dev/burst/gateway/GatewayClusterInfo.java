package dev.burst.gateway;

import java.net.URI;
import java.time.Instant;

/**
 * A gateway cluster as {@link Gateway#clusters()} lists it.
 *
 * @param state      {@code starting}, {@code running}, {@code stopped} or {@code failed}
 * @param stopReason why it stopped ({@code idle}, {@code no-client}, {@code max-lifetime}, {@code budget}, {@code user},
 *                   {@code admin}, {@code scheduler-lost}, {@code gateway-restart}, ...), or null
 * @param workers    workers connected now (0 when not known)
 * @param maxWorkers the most workers it may hold
 * @param usage      core-seconds allocated and busy, and tasks, so far (final once stopped): read from
 *                   the cluster at the request by {@link GatewayCluster#info()}; in
 *                   {@link Gateway#clusters()} as of the gateway's last poll (about a second old)
 * @param windDown   why it takes no new work (its owner's budget is spent: new tasks are refused,
 *                   results computed stay fetchable until it is stopped), or null while it does
 * @param dashboard  the cluster's dashboard, relayed by the gateway behind its sign-in, or null while
 *                   it has none (stopped, or still starting)
 */
public record GatewayClusterInfo(String name, String user, String state, Instant createdAt, Instant stoppedAt, String stopReason,
                                 String stopDetail, int workers, int maxWorkers, boolean detached, GatewayUsage.Figures usage,
                                 String windDown, URI dashboard) {
    /** Core-seconds the cluster's workers were alive for, times their cores. */
    public double allocatedCoreSeconds() {
        return usage.allocatedCoreSeconds();
    }

    /** Core-seconds its tasks ran for. */
    public double busyCoreSeconds() {
        return usage.busyCoreSeconds();
    }

    /** Tasks that finished on it. */
    public long tasks() {
        return usage.tasks();
    }
}
