/**
 * A cluster's web dashboard and its Prometheus metrics: {@link dev.burst.internal.dashboard.ClusterDashboard}
 * (Javalin on loopback, token in a link then a cookie), the task stream it draws
 * ({@link dev.burst.internal.dashboard.TaskStream}), the pages ({@link dev.burst.internal.dashboard.DashboardPages})
 * and the metrics ({@link dev.burst.internal.dashboard.ClusterMetrics}); all built on the cluster's public
 * {@code status()} and {@code addListener}. Found by the runtime through
 * {@link dev.burst.spi.DashboardProvider} ({@link dev.burst.internal.dashboard.ClusterDashboardProvider}).
 */
package dev.burst.internal.dashboard;
