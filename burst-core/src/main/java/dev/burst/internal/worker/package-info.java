/**
 * The worker's pure state machine: {@link dev.burst.internal.worker.WorkerState} turns
 * {@link dev.burst.internal.worker.WorkerEvent}s into {@link dev.burst.internal.worker.WorkerCommand}s,
 * and {@link dev.burst.internal.worker.GpuSlots} hands each GPU task a device of its own.
 *
 * <p>Depends on the JDK and burst-core's {@code core} package only: no threads, I/O or clocks. Not to
 * be confused with the worker process ({@code dev.burst.internal.workerprocess} in burst-runtime),
 * the shell that runs it.
 */
package dev.burst.internal.worker;
