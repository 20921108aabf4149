package dev.burst.internal.gateway.ledger;

import java.time.Instant;

/**
 * Why a secret does not authenticate, so its holder learns what to fix: the holder has the secret
 * already, so telling expired from revoked reveals nothing to anyone else.
 */
public sealed interface TokenRefusal {
    /** Not the shape of a Burst API token at all. */
    record NotAToken() implements TokenRefusal {
    }

    /** Token-shaped, but the ledger never issued it (or it was mistyped). */
    record Unknown() implements TokenRefusal {
    }

    record Expired(Instant at) implements TokenRefusal {
    }

    record Revoked(Instant at) implements TokenRefusal {
    }

    /** The token's user was removed (which also revoked it). */
    record UserRemoved(String user) implements TokenRefusal {
    }
}
