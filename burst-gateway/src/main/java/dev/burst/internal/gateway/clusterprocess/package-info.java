/**
 * A gateway cluster's own process: {@link dev.burst.internal.gateway.clusterprocess.ClusterProcessMain}
 * runs one cluster (its scheduler, and its workers through the backend) in a JVM of its own, so a
 * crashing cluster touches no other and not the gateway, and serves a small control API on
 * loopback (start, status, scale, adapt, stop) behind a per-process token.
 * {@link dev.burst.internal.gateway.clusterprocess.ClusterProcess} is the gateway's side of it. Depends
 * on the SPI and the runtime, not on the gateway's server or ledger.
 */
package dev.burst.internal.gateway.clusterprocess;
