package dev.burst.internal.cli;

import dev.burst.Client;
import dev.burst.Cluster;
import dev.burst.ClusterUsage;
import dev.burst.gateway.Gateway;
import dev.burst.gateway.GatewayCluster;
import dev.burst.gateway.GatewayClusterInfo;

import java.util.Optional;

/**
 * Where a {@code burst map} runs: a cluster this JVM started through a backend, or a new cluster of
 * the caller's on a gateway. Chosen once, from {@code --gateway}; the map does the same with either.
 */
interface MapCluster {
    Client connect();

    /** The cluster, when this JVM runs it (its status drives the progress bar). */
    Optional<Cluster> inThisJvm();

    /** Why workers cannot start, when {@code attempts} starts in a row failed. */
    Optional<String> startProblem(int attempts);

    /**
     * The run is over: the figures of the run, for its report. A gateway cluster is stopped first,
     * so that the figures are the gateway ledger's last ones.
     */
    ClusterUsage finish();

    /** Stops the cluster; idempotent. */
    void close();

    /** A cluster of a backend, in this JVM. */
    record OfBackend(Cluster cluster) implements MapCluster {
        @Override
        public Client connect() {
            return Client.connect(cluster);
        }

        @Override
        public Optional<Cluster> inThisJvm() {
            return Optional.of(cluster);
        }

        @Override
        public Optional<String> startProblem(int attempts) {
            return cluster.startProblem(attempts);
        }

        @Override
        public ClusterUsage finish() {
            return cluster.usage(); // before close: the last idle workers still counted
        }

        @Override
        public void close() {
            cluster.close();
        }
    }

    /** A new cluster of the caller's on a gateway, stopped at the end of the map. */
    final class OnGateway implements MapCluster {
        private final Gateway gateway;
        private final GatewayCluster cluster;
        private final long startedNanos = System.nanoTime();
        private GatewayClusterInfo last;

        OnGateway(Gateway gateway, GatewayCluster cluster) {
            this.gateway = gateway;
            this.cluster = cluster;
        }

        @Override
        public Client connect() {
            return Client.connect(cluster);
        }

        @Override
        public Optional<Cluster> inThisJvm() {
            return Optional.empty();
        }

        @Override
        public Optional<String> startProblem(int attempts) {
            return Optional.empty();
        }

        @Override
        public synchronized ClusterUsage finish() {
            if (last == null) {
                last = cluster.stop();
            }
            double wall = (System.nanoTime() - startedNanos) / 1e9;
            if (last == null) { // stopped already by a signal's close, whose answer was lost
                return new ClusterUsage(0, 0, 0, wall, 0, 0, 0, 0, 0, 0, 0);
            }
            return new ClusterUsage(0, 0, 0, wall, last.allocatedCoreSeconds(), last.busyCoreSeconds(), 0, 0, 0, last.tasks(), 0);
        }

        @Override
        public synchronized void close() {
            try {
                if (last == null) {
                    last = cluster.stop();
                }
            } finally {
                gateway.close();
            }
        }

        @Override
        public String toString() {
            return cluster.name() + " on " + gateway.uri();
        }
    }
}
