package dev.burst.spi;

import dev.burst.Cluster;

/**
 * Serves a cluster's web dashboard. Found with {@link java.util.ServiceLoader}: the
 * {@code burst-dashboard} module provides one, so a program with it on its class path gets a
 * dashboard for every cluster ({@link Cluster#dashboardUrl()}), and one without it gets none and
 * pays nothing. Turned off with {@code BURST_DASHBOARD=off} (or the system property
 * {@code burst.dashboard=off}).
 */
public interface DashboardProvider {
    /**
     * Starts serving {@code cluster}'s dashboard on loopback, built only on its public API
     * ({@link Cluster#status()}, {@link Cluster#addListener}).
     */
    Dashboard start(Cluster cluster);

    /** A running dashboard. */
    interface Dashboard extends AutoCloseable {
        /** The link to open: {@code http://127.0.0.1:port/?token=…}, carrying its access token as Jupyter's does. */
        String url();

        /**
         * The cluster changed in a way a page should show now rather than at its next refresh:
         * its initial workers joined (a dashboard starts before them). Default: nothing.
         */
        default void refresh() {
        }

        /** Stops serving. Idempotent. */
        @Override
        void close();
    }
}
