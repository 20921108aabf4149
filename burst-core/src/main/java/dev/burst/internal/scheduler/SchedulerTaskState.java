package dev.burst.internal.scheduler;

/** Where a task stands, as the scheduler sees it. */
public enum SchedulerTaskState {
    /** Known but not needed by anyone right now. */
    RELEASED,
    /** Needed; some dependencies are not in memory yet. */
    WAITING,
    /** Runnable root task held back because every worker is saturated (root-task queuing). */
    QUEUED,
    /** Runnable but no worker can run it (none has the resources it asks for, or none exists). */
    NO_WORKER,
    /** Sent to a worker that runs it now or soon. */
    PROCESSING,
    /** Its result is in the memory of one or more workers. */
    MEMORY,
    /** It failed for good (its own exception, a failed dependency, too many lost workers, or no new work taken). */
    ERRED,
    /** Dropped from the scheduler's books. */
    FORGOTTEN;

    /** Whether a task in this state may move to {@code to}; anything else is a bug and throws. */
    public boolean canBecome(SchedulerTaskState to) {
        return switch (this) {
            case RELEASED -> to == WAITING || to == FORGOTTEN || to == ERRED;
            case WAITING -> to == QUEUED || to == NO_WORKER || to == PROCESSING || to == RELEASED || to == ERRED;
            case QUEUED -> to == PROCESSING || to == NO_WORKER || to == RELEASED || to == WAITING || to == ERRED;
            case NO_WORKER -> to == PROCESSING || to == QUEUED || to == RELEASED || to == WAITING || to == ERRED;
            case PROCESSING -> to == MEMORY || to == ERRED || to == WAITING || to == RELEASED;
            case MEMORY, ERRED -> to == RELEASED;
            case FORGOTTEN -> false;
        };
    }
}
