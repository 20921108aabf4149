/** Burst in Jupyter notebooks: helpers for cells of the kernel {@code burst jupyter install} registers. */
package dev.burst.jupyter;
