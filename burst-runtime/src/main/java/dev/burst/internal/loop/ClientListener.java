package dev.burst.internal.loop;

import dev.burst.internal.core.TaskError;
import dev.burst.internal.core.TaskKey;

/**
 * What a cluster tells a connected client. Called from the cluster's scheduling thread: an
 * implementation must be quick and must not block.
 */
public interface ClientListener {
    /** {@code key} finished; {@code value} is its result. */
    void done(TaskKey key, Object value);

    /**
     * {@code key} finished and its result waits on a worker; running {@code fetch} brings it,
     * after which {@link #done} is called. A remote cluster reports this way, so that results
     * travel only when asked for; the default fetches at once.
     */
    default void ready(TaskKey key, Runnable fetch) {
        fetch.run();
    }

    /** {@code key} failed for good. */
    void erred(TaskKey key, TaskError error);

    /** {@code key} cannot run yet, for {@code reason}. */
    void stalled(TaskKey key, String reason);

    /** The cluster shut down; nothing more will be reported. */
    void clusterClosed(String reason);
}
