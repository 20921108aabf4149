package dev.burst.internal.gateway.ledger;

import java.time.Instant;

/** A user of the gateway as the ledger holds it. {@code groupName} is null for a user in no group. */
public record UserRecord(long id, String name, String groupName, Long groupId, boolean admin, Limits limits, Budget budget,
                         Instant createdAt, Instant removedAt) {
    public boolean removed() {
        return removedAt != null;
    }
}
