package dev.burst.internal.workerprocess;

import java.io.IOException;

/**
 * Runs when a {@link WorkerNode} is ready in every way but has not joined: a warm spare waits here
 * until its cluster needs it. Returns false to give up instead of joining.
 */
@FunctionalInterface
public interface BeforeJoin {
    /** Why a spare that was not asked to join stops (its process then exits with 0). */
    String NOT_JOINING = "not joining: the cluster no longer needs this spare";

    boolean await() throws IOException;

    /**
     * The stream opened before waiting broke while waiting: this spare can never join. Called from
     * a network thread; a process-level spare exits, so its cluster stops counting on it.
     */
    default void abandoned(String why) {
    }
}
