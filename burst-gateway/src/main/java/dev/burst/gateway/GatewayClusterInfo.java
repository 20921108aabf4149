package dev.burst.gateway;

import java.time.Instant;

/**
 * A gateway cluster as {@link Gateway#clusters()} lists it.
 *
 * @param state      {@code starting}, {@code running}, {@code stopped} or {@code failed}
 * @param stopReason why it stopped ({@code idle}, {@code no-client}, {@code max-lifetime}, {@code budget}, {@code user},
 *                   {@code admin}, {@code scheduler-lost}, {@code gateway-restart}, ...), or null
 * @param workers    workers connected now (0 when not known)
 * @param maxWorkers the most workers it may hold
 * @param windDown   why it takes no new work (its owner's budget is spent: new tasks are refused,
 *                   results computed stay fetchable until it is stopped), or null while it does
 */
public record GatewayClusterInfo(String name, String user, String state, Instant createdAt, Instant stoppedAt, String stopReason,
                                 String stopDetail, int workers, int maxWorkers, boolean detached,
                                 double allocatedCoreSeconds, double busyCoreSeconds, String windDown) {
}
