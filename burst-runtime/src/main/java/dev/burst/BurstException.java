package dev.burst;

/** Base of the exceptions Burst throws for infrastructure problems (not for a task's own failure). */
public class BurstException extends RuntimeException {
    public BurstException(String message) {
        super(message);
    }

    public BurstException(String message, Throwable cause) {
        super(message, cause);
    }
}
