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
    ERRED
}
