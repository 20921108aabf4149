/**
 * What every cluster shares, whatever its backend: {@link dev.burst.internal.cluster.ClusterRuntime}
 * (scheduler, worker pool, adaptive controller, usage ledger and close, written once), the
 * embedded or networked scheduler behind it ({@link dev.burst.internal.cluster.ClusterScheduler},
 * {@link dev.burst.internal.cluster.NetworkScheduler}), the
 * {@link dev.burst.internal.cluster.AdaptiveController}, listener fan-out and usage recording.
 *
 * <p>Must not depend on any one backend's pool ({@code localpools}, Slurm, ...): pools come in
 * through the SPI.
 */
package dev.burst.internal.cluster;
