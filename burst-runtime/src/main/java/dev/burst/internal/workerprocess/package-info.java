/**
 * The worker process: {@link dev.burst.internal.workerprocess.WorkerMain} (the {@code main} a child
 * JVM or a Slurm job runs, and {@code burst worker}), {@link dev.burst.internal.workerprocess.WorkerNode}
 * (the network shell around the shared worker shell: scheduler stream, peer fetches, object store,
 * code shipping), the server of its results to peers and clients
 * ({@link dev.burst.internal.workerprocess.ResultServer}), and how its JVM is started
 * ({@link dev.burst.internal.workerprocess.WorkerJvm}, {@link dev.burst.internal.workerprocess.ClassDataArchive}).
 *
 * <p>Must not depend on the scheduler node, the cluster runtime or the embedded cluster: a worker
 * knows its scheduler only through the wire.
 */
package dev.burst.internal.workerprocess;
