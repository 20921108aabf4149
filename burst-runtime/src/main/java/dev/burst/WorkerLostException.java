package dev.burst;

/**
 * A task was running on more workers that died than the cluster allows (Dask's
 * {@code allowed-failures}); it is failed instead of being tried on yet another worker, because a
 * task that kills its workers would otherwise take the whole cluster down one worker at a time.
 */
public final class WorkerLostException extends BurstException {
    public WorkerLostException(String message) {
        super(message);
    }
}
