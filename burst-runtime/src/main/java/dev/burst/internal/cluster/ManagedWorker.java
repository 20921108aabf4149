package dev.burst.internal.cluster;

/**
 * A worker a {@link ClusterManager} was asked for and that has not ended.
 *
 * @param name            the name it joins the scheduler with
 * @param state           where it is in its life
 * @param requestedAtNanos when it was asked for ({@link System#nanoTime()} of the manager's clock)
 * @param backendId       the backend's id for it (a Slurm job id, a process id), or empty
 */
public record ManagedWorker(String name, State state, long requestedAtNanos, String backendId) {
    /** Life of a managed worker as its backend reports it. */
    public enum State {
        /** Asked for; the backend has not started it yet (a Slurm job pending in the queue). */
        PENDING,
        /** Its process runs (it may not have joined the scheduler yet). */
        RUNNING,
        /** Asked to stop, not gone yet. */
        STOPPING
    }
}
