/**
 * The backend SPI: how a cluster backend (local processes, Slurm, Kubernetes, a test's toy) plugs
 * into Burst. A backend is a {@link dev.burst.spi.ClusterBackend} found by name through
 * {@link java.util.ServiceLoader} ({@link dev.burst.spi.ClusterBackends}); it supplies only a
 * {@link dev.burst.spi.WorkerPool} (how workers start, stop and are listed) and its adaptive
 * defaults in a {@link dev.burst.spi.ClusterSpec}. The part every cluster shares (the scheduler,
 * the adaptive controller, the usage ledger, closing) is Burst's, written once.
 *
 * <p>Depends on the public API ({@code dev.burst}) only; backends must not need Burst's
 * {@code internal} packages.
 */
package dev.burst.spi;
