package dev.burst.internal.gateway.ledger;

/** A cluster would take its user or group past a limit or a budget; the message names it and the figures. */
public final class LimitExceededException extends RuntimeException {
    public LimitExceededException(String message) {
        super(message);
    }
}
