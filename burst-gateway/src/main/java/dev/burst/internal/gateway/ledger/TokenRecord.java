package dev.burst.internal.gateway.ledger;

import java.time.Instant;

/** An API token's record (never its secret, which the ledger does not hold). */
public record TokenRecord(long id, String user, String label, Instant createdAt, Instant expiresAt, Instant lastUsedAt,
                          Instant revokedAt) {
}
