/**
 * The Slurm cluster's public entry point: {@link dev.burst.slurm.SlurmCluster}, whose workers are
 * Slurm jobs ({@code sbatch}, {@code scancel}).
 *
 * <p>Public API for users, next to {@code dev.burst}; the machinery is in {@code dev.burst.internal.slurm}.
 */
package dev.burst.slurm;
