package dev.burst.internal.gateway.ledger;

/** The ledger's database cannot be reached, migrated or written. */
public final class LedgerException extends RuntimeException {
    public LedgerException(String message) {
        super(message);
    }

    public LedgerException(String message, Throwable cause) {
        super(message, cause);
    }
}
