/**
 * The scheduler loop: the one thread that owns a {@code SchedulerState}, drains events, runs the state
 * machine and hands its commands to worker and client links
 * ({@link dev.burst.internal.loop.SchedulerLoop}, {@link dev.burst.internal.loop.WorkerLink},
 * {@link dev.burst.internal.loop.ClientLink}); and the client's view of a scheduler
 * ({@link dev.burst.internal.loop.SchedulerEndpoint}).
 *
 * <p>Depends on burst-core and SLF4J only: no gRPC, protobuf or sockets, so the embedded cluster and the
 * scheduler node run the same loop.
 */
package dev.burst.internal.loop;
