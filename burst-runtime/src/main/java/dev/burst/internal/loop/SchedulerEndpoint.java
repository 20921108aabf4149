package dev.burst.internal.loop;

import dev.burst.internal.core.ClientId;
import dev.burst.internal.core.TaskKey;
import dev.burst.internal.scheduler.TaskSpec;

import java.util.Collection;
import java.util.List;

/** How a client talks to a scheduler, wherever it runs. All methods are asynchronous. */
public interface SchedulerEndpoint {
    /**
     * Registers a client; reports for it go to {@code listener}. The client numbers its task keys
     * from the session's key base, so that keys of clients in different processes never collide.
     */
    Session connect(ClientListener listener);

    /** A connected client: its id, and the first number of its key range. */
    record Session(ClientId id, long keyBase) {
    }

    /**
     * Independent tasks (a map) go to the scheduler in chunks of at most this many, each its own
     * event, so that a million-task map never holds the scheduler loop for long, and the first
     * tasks run while the rest are still coming. A graph with dependencies goes whole: the
     * scheduler checks it whole (cycles, missing inputs).
     */
    int SUBMIT_CHUNK = 5_000;

    void submit(ClientId client, List<TaskSpec> tasks, Collection<TaskKey> wanted);

    void release(ClientId client, Collection<TaskKey> keys);

    void disconnect(ClientId client);

    /**
     * Retires the named workers gracefully: results that exist only on them are first copied to
     * other workers, then they stop. Completes with the names of the workers that left; names of
     * workers the scheduler does not know are ignored.
     */
    java.util.concurrent.CompletableFuture<List<String>> retireWorkers(ClientId client, List<String> workers);

    /** True once the cluster behind this endpoint has been closed. */
    boolean isClosed();
}
