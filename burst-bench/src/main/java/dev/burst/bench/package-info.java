/**
 * The Burst side of the benchmarks under {@code bench/} (overhead, distributed, adaptive, Slurm,
 * status reads), run by those scripts against Dask's; out of CI gating.
 *
 * <p>Uses the public API ({@code dev.burst}, {@code dev.burst.slurm}) only, as a user would; nothing
 * may depend on this module.
 */
package dev.burst.bench;
