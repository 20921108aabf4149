/**
 * The one worker shell around {@link dev.burst.internal.worker.WorkerState}: executor threads,
 * the lock that guards the state, hand-off of scheduler batches, cancellation, close, and the
 * busy/GPU/CPU figures of the usage ledger ({@link dev.burst.internal.executor.WorkerShell}).
 * What differs between an embedded worker and a worker process (how results are kept, tasks
 * invoked, results fetched from peers and reports sent) comes in through
 * {@link dev.burst.internal.executor.WorkerEnvironment}.
 *
 * <p>Depends on burst-core and the task-calling classes ({@code dev.burst.internal.task}) only: no
 * gRPC, protobuf, sockets, files or scheduler types here, so that both the in-process worker and the
 * worker process use it unchanged.
 */
package dev.burst.internal.executor;
