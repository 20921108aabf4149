/**
 * Burst's public API: {@link dev.burst.Client}, {@link dev.burst.TaskFuture}, {@link dev.burst.Delayed},
 * {@link dev.burst.TaskOptions}, {@link dev.burst.Resources}, {@link dev.burst.Command},
 * {@link dev.burst.ClusterStatus} and the embedded entry point {@link dev.burst.LocalCluster}.
 *
 * <p>What users see: public signatures here should name only {@code dev.burst} and {@code dev.burst.spi}
 * types, never an {@code internal} one. The implementation may use any of burst-runtime's internal
 * packages.
 */
package dev.burst;
