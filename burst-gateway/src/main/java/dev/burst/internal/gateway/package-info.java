/**
 * The gateway: one long-running server that gives each user clusters of their own through one
 * port. Its parts are the sub-packages: {@code server} (start steps, the fleet of clusters, REST
 * and pages), {@code ledger} (users, tokens, limits, budgets and usage in H2 or PostgreSQL),
 * {@code clusterprocess} (a cluster in a JVM of its own), {@code reclaim} (when a cluster is
 * stopped, and why) and {@code proxy} (the one port, routed by SNI). This package itself holds no
 * classes; the public client is {@code dev.burst.gateway}.
 */
package dev.burst.internal.gateway;
