/**
 * The {@code local} backend ({@link dev.burst.internal.localpools.LocalBackend}) and its two worker
 * pools on this machine: threads of this JVM ({@link dev.burst.internal.localpools.InProcessWorkers})
 * and child worker JVMs with warm spares ({@link dev.burst.internal.localpools.ProcessWorkers}).
 *
 * <p>A backend like any other, behind {@code dev.burst.spi.WorkerPool}: must not depend on the cluster
 * runtime or the scheduler node; it only starts, stops and lists workers.
 */
package dev.burst.internal.localpools;
