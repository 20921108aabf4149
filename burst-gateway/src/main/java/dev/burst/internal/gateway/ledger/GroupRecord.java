package dev.burst.internal.gateway.ledger;

/** A group of users whose clusters together are held to {@code limits}. */
public record GroupRecord(long id, String name, Limits limits) {
}
