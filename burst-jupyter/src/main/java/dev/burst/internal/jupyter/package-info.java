/**
 * Burst's Jupyter kernel: {@link dev.burst.internal.jupyter.BurstKernel} (JShell in the kernel's
 * JVM, on JJava's Jupyter messaging), the rich displays of clusters and futures
 * ({@link dev.burst.internal.jupyter.BurstDisplays}) and the kernel spec that
 * {@code burst jupyter install} writes ({@link dev.burst.internal.jupyter.KernelSpec}).
 */
package dev.burst.internal.jupyter;
