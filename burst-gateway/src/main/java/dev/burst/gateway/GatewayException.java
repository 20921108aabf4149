package dev.burst.gateway;

import dev.burst.BurstException;

/** The gateway refused a request or could not be reached; {@link #status()} is the HTTP status (0 when unreachable). */
public final class GatewayException extends BurstException {
    private final int status;

    public GatewayException(int status, String message) {
        super(message);
        this.status = status;
    }

    public GatewayException(String message, Throwable cause) {
        super(message, cause);
        this.status = 0;
    }

    public int status() {
        return status;
    }
}
