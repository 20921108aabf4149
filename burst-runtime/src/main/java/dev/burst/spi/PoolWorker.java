package dev.burst.spi;

/**
 * A worker a {@link WorkerPool} was asked for and that has not ended.
 *
 * @param name            the name it joins the scheduler with
 * @param state           where it is in its life
 * @param requestedAtNanos when it was asked for (the pool's {@link Ticker})
 * @param backendId       the backend's id for it (a Slurm job id, a process id, a pod name), or empty
 */
public record PoolWorker(String name, State state, long requestedAtNanos, String backendId) {
    /** Life of a pool's worker as its backend reports it. */
    public enum State {
        /** Asked for; the backend has not started it yet (a Slurm job pending in the queue). */
        PENDING,
        /** Its process runs (it may not have joined the scheduler yet). */
        RUNNING,
        /** Asked to stop, not gone yet. */
        STOPPING
    }
}
