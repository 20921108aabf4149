package dev.burst.internal.gateway.reclaim;

import dev.burst.internal.gateway.ledger.StopReason;

/** Stop the cluster, for {@code reason}; {@code detail} is the sentence the log and the ledger keep. */
public record ReclaimDecision(StopReason reason, String detail) {
}
