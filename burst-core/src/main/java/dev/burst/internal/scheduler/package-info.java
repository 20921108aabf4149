/**
 * The scheduler's pure state machine: {@link dev.burst.internal.scheduler.SchedulerState} turns
 * {@link dev.burst.internal.scheduler.SchedulerEvent}s into
 * {@link dev.burst.internal.scheduler.SchedulerCommand}s; placement, root-task queuing, retirement,
 * learned task durations, stall reports and the counts a status snapshot reads.
 *
 * <p>Depends on the JDK and burst-core's {@code core} and {@code adaptive} packages only: no threads,
 * I/O or clocks (time comes in on the events), so the simulator can drive it.
 */
package dev.burst.internal.scheduler;
