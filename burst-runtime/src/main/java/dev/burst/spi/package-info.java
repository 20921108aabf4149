/**
 * The backend SPI: how a cluster backend (local processes, Slurm, Kubernetes, a test's toy) plugs
 * into Burst. A backend is a {@link dev.burst.spi.ClusterBackend} found by name through
 * {@link java.util.ServiceLoader} ({@link dev.burst.spi.ClusterBackends}); it supplies only a
 * {@link dev.burst.spi.WorkerPool} (how workers start, stop and are listed) and its adaptive
 * defaults in a {@link dev.burst.spi.ClusterSpec}. The part every cluster shares (the scheduler,
 * the adaptive controller, the usage ledger, closing) is Burst's, written once.
 *
 * <p>A backend written against it needs only {@code dev.burst} and {@code dev.burst.spi}, never
 * Burst's {@code internal} packages (the test backend {@code com.example.toybackend.ToyBackend}
 * shows it). The SPI's own classes use the internals behind them (the worker's JVM options and
 * main class in {@link dev.burst.spi.WorkerLaunch}); nothing internal appears in a signature.
 */
package dev.burst.spi;
