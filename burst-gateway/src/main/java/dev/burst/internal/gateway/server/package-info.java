/**
 * The gateway server: settings, the fleet of running clusters (create, scale, stop, reclaim,
 * usage, taking clusters back after a restart), the REST API on Javalin, TLS, and the one public
 * port shared with the clusters through the SNI proxy. Uses the ledger, the cluster processes and
 * the reclaim policy; nothing depends on it but the command line.
 */
package dev.burst.internal.gateway.server;
