package dev.burst;

/**
 * The cluster takes no new work, so this task was not run: it is winding down (a gateway user's
 * budget is spent, say). The message says why, with the figures. Results computed before stay
 * fetchable until the cluster stops. A refused task's future fails with it ({@code get} throws it
 * as the cause of an {@code ExecutionException}).
 */
public final class WorkRefusedException extends BurstException {
    /** The type name tasks refused this way carry across the wire. */
    public static final String TYPE = "dev.burst.WorkRefusedException";

    public WorkRefusedException(String message) {
        super(message);
    }
}
