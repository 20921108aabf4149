package dev.burst;

/**
 * Thrown by {@link Client#gather} when a task failed. {@link #getCause()} is the task's own
 * exception, with its class, message and stack trace.
 */
public final class TaskFailedException extends BurstException {
    private final String key;

    public TaskFailedException(String key, Throwable cause) {
        super("task " + key + " failed: " + cause, cause);
        this.key = key;
    }

    /** The key of the task that failed. */
    public String key() {
        return key;
    }
}
