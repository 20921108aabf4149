package dev.burst.internal.core;

import java.util.Objects;

/**
 * Why a task failed, as a value: the exception's class name and message, and the exception
 * itself when it is at hand (in-process; across processes it is rebuilt from its bytes).
 * {@code exception} is null for failures the scheduler decides, such as a lost worker.
 */
public record TaskError(String type, String message, Throwable exception) {
    public TaskError {
        Objects.requireNonNull(type, "type");
        message = message == null ? "" : message;
    }

    public static TaskError of(Throwable t) {
        return new TaskError(t.getClass().getName(), t.getMessage(), t);
    }

    @Override
    public String toString() {
        return message.isEmpty() ? type : type + ": " + message;
    }
}
