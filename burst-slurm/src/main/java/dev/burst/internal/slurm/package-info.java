/**
 * The Slurm backend: the worker pool that submits and cancels one job per worker
 * ({@link dev.burst.internal.slurm.SlurmWorkers}), its settings, job scripts, Slurm commands and job
 * states, and the {@code slurm} backend registered by {@link java.util.ServiceLoader}.
 *
 * <p>A backend behind the SPI: must not depend on the cluster runtime, the scheduler node or another
 * backend; nothing in burst-runtime may depend on it.
 */
package dev.burst.internal.slurm;
