/**
 * A worker's resources as the machine and its user state them: the GPUs detected here
 * ({@link dev.burst.internal.resources.GpuDetection}: {@code nvidia-smi}, {@code CUDA_VISIBLE_DEVICES})
 * and memory sizes as people write them ({@link dev.burst.internal.resources.MemorySize}).
 *
 * <p>Used by the embedded worker, the worker process, the local pools, backends and the CLI alike,
 * so it must not depend on any of them, nor on gRPC: burst-core, SLF4J and the JDK only.
 */
package dev.burst.internal.resources;
