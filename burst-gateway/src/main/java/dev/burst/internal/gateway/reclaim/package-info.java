/**
 * When the gateway stops a cluster by itself, and why: {@link dev.burst.internal.gateway.reclaim.ReclaimPolicy}
 * (pure: observations and an instant in, a decision out) and the per-cluster
 * {@link dev.burst.internal.gateway.reclaim.ActivityTracker} that turns status readings into
 * observations on the gateway's clock. No I/O, no clock of their own.
 */
package dev.burst.internal.gateway.reclaim;
