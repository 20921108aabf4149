/**
 * The Java client of a Burst gateway, after Dask Gateway's Python one: {@link dev.burst.gateway.Gateway}
 * connects with an API token, makes and lists the caller's clusters; a
 * {@link dev.burst.gateway.GatewayCluster} scales, adapts and stops one, and
 * {@code Client.connect(cluster)} runs tasks on it through the gateway's one port.
 */
package dev.burst.gateway;
