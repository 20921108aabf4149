package dev.burst.internal.worker;

/** Where a task stands on one worker. */
public enum WorkerTaskState {
    /** Assigned here; some inputs are not in this worker's memory yet. */
    WAITING,
    /** All inputs are here; waiting for a free thread and resources. */
    READY,
    /** A dependency's result being copied here from a peer worker. */
    FETCHING,
    /** Running on one of this worker's threads. */
    EXECUTING,
    /** Its result is in this worker's memory. */
    MEMORY,
    /** It raised; the error has been reported. */
    ERRED;

    /** Whether a task in this state may move to {@code to}; anything else is a bug and throws. */
    public boolean canBecome(WorkerTaskState to) {
        return switch (this) {
            case WAITING -> to == READY;
            case READY -> to == EXECUTING;
            case FETCHING -> to == MEMORY || to == WAITING;
            case EXECUTING -> to == MEMORY || to == ERRED;
            case MEMORY -> false;
            case ERRED -> to == WAITING || to == FETCHING;
        };
    }
}
