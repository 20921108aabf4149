package dev.burst.internal.runtime;

import dev.burst.internal.core.ClientId;
import dev.burst.internal.core.TaskKey;
import dev.burst.internal.scheduler.TaskSpec;

import java.util.Collection;
import java.util.List;

/** How a client talks to a scheduler, wherever it runs. All methods are asynchronous. */
public interface SchedulerEndpoint {
    /** Registers a client; reports for it go to {@code listener}. */
    ClientId connect(ClientListener listener);

    void submit(ClientId client, List<TaskSpec> tasks, Collection<TaskKey> wanted);

    void release(ClientId client, Collection<TaskKey> keys);

    void disconnect(ClientId client);

    /** True once the cluster behind this endpoint has been closed. */
    boolean isClosed();
}
