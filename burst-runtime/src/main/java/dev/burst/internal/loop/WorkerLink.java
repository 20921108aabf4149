package dev.burst.internal.loop;

import dev.burst.internal.scheduler.SchedulerCommand;

/**
 * How the scheduler loop reaches one worker: in-process, a direct call into its shell; remote, a
 * gRPC stream. Called on the loop thread only.
 */
public interface WorkerLink {
    /** Buffers a command for the worker ({@code ComputeTask}, {@code FreeKeys}, ...). */
    void send(SchedulerCommand command);

    /** Delivers what {@link #send} buffered, in one batch; called at the end of every loop round. */
    void flush();

    /**
     * The scheduler has handled the worker's departure: its results can be dropped and its
     * connection closed. Reports handled before this point could still read them.
     */
    void removed();
}
