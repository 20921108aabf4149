package dev.burst.internal.dashboard;

import dev.burst.Cluster;
import dev.burst.spi.DashboardProvider;

/**
 * Burst's dashboard for every cluster: on loopback, a free port (or {@code BURST_DASHBOARD_PORT}),
 * a fresh token per cluster. Registered in {@code META-INF/services/dev.burst.spi.DashboardProvider}.
 */
public final class ClusterDashboardProvider implements DashboardProvider {
    @Override
    public Dashboard start(Cluster cluster) {
        String port = System.getenv("BURST_DASHBOARD_PORT");
        int p;
        try {
            p = port == null || port.isBlank() ? 0 : Integer.parseInt(port.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("BURST_DASHBOARD_PORT must be a port number, got '" + port + "'");
        }
        return ClusterDashboard.start(cluster, "127.0.0.1", p, DashboardAccess.withNewToken());
    }
}
