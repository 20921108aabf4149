package dev.burst.internal.gateway.ledger;

import java.time.Instant;

/**
 * A gateway cluster as the ledger holds it.
 *
 * @param pid         its scheduler process, once started
 * @param controlPort the loopback port the gateway controls it on
 */
public record ClusterRecord(long id, String name, long userId, String user, ClusterState state, String backend,
                            String optionsJson, ClusterShape shape, boolean detached, Instant createdAt, Instant startedAt,
                            Instant stoppedAt, StopReason stopReason, String stopDetail, Long pid, Integer controlPort,
                            String schedulerAddress, String certificateSha256, UsageFigures usage) {
}
