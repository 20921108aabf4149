package dev.burst.internal.loop;

import dev.burst.internal.core.TaskError;
import dev.burst.internal.core.TaskKey;
import dev.burst.internal.core.WorkerId;

import java.util.List;

/**
 * How the scheduler loop reports to one client: in-process, straight to its futures; remote, over
 * its stream. Called on the loop thread only; implementations buffer and must not block.
 */
public interface ClientLink {
    /** {@code key} is done; its result is on {@code holders}. */
    void done(TaskKey key, List<WorkerId> holders);

    void erred(TaskKey key, TaskError error);

    void stalled(TaskKey key, String reason);

    /** Sends what was buffered; called at the end of every loop round in which this client got news. */
    void flush();

    /** The cluster is gone; nothing more will be reported. */
    void clusterClosed(String reason);
}
