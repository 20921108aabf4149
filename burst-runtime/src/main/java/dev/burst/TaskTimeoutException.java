package dev.burst;

/**
 * Thrown by {@link Client#gather(java.util.Collection, java.time.Duration)} when results are not
 * ready in time. The message says why a task is stuck when the scheduler knows (for example, no
 * worker has the resources it asks for).
 */
public final class TaskTimeoutException extends BurstException {
    public TaskTimeoutException(String message) {
        super(message);
    }
}
