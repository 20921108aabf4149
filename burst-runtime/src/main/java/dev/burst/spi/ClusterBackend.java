package dev.burst.spi;

import dev.burst.Cluster;

import java.util.Map;

/**
 * A kind of cluster, found by {@link #name()} through {@link java.util.ServiceLoader} (a line with
 * the implementing class in {@code META-INF/services/dev.burst.spi.ClusterBackend}), so that
 * {@code burst map --cluster NAME} and the gateway look backends up instead of knowing them. Burst
 * registers {@code local} (burst-runtime) and {@code slurm} (burst-slurm); Spark's
 * {@code ExternalClusterManager} is the model.
 *
 * <p>An implementation has a public no-argument constructor and is cheap to make: work starts only
 * in {@link #create}.
 */
public interface ClusterBackend {
    /** The name users give ({@code --cluster NAME}): lower-case letters, digits and '-'. */
    String name();

    /** One line for listings: what its workers are. */
    String description();

    /** The backend's own settings ({@link BackendOptions#setting}), each with one line saying what it is. */
    default Map<String, String> settings() {
        return Map.of();
    }

    /**
     * Starts a cluster with {@code options.workers()} workers (usually none: it then
     * {@linkplain Cluster#adapt adapts}). {@link ClusterBackends#create} has checked that every
     * setting given is one of {@link #settings()}.
     *
     * @throws IllegalArgumentException for a bad setting, naming it
     */
    Cluster create(BackendOptions options);
}
