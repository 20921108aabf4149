package dev.burst.internal.gateway.ledger;

import java.time.Duration;

/**
 * What a user (their clusters together) or a group (its members' clusters together) may hold at
 * once. A null field is no limit.
 *
 * @param maxClusters          clusters running or starting
 * @param maxCores             cores of all workers the clusters may hold
 * @param maxMemoryBytes       memory of all workers the clusters may hold
 * @param maxGpus              GPUs of all workers the clusters may hold
 * @param maxWorkersPerCluster workers of any one cluster
 * @param maxLifetime          how long any one cluster may live
 */
public record Limits(Integer maxClusters, Integer maxCores, Long maxMemoryBytes, Integer maxGpus,
                     Integer maxWorkersPerCluster, Duration maxLifetime) {
    public static final Limits NONE = new Limits(null, null, null, null, null, null);

    public Limits {
        nonNegative("max-clusters", maxClusters);
        nonNegative("max-cores", maxCores);
        nonNegative("max-memory", maxMemoryBytes);
        nonNegative("max-gpus", maxGpus);
        nonNegative("max-workers-per-cluster", maxWorkersPerCluster);
        if (maxLifetime != null && (maxLifetime.isNegative() || maxLifetime.isZero())) {
            throw new IllegalArgumentException("max-lifetime must be positive, got " + maxLifetime);
        }
    }

    private static void nonNegative(String name, Number value) {
        if (value != null && value.longValue() < 0) {
            throw new IllegalArgumentException(name + " must be 0 or more, got " + value);
        }
    }

    /** The shorter of two lifetimes, either possibly null (none). */
    public static Duration shorter(Duration a, Duration b) {
        if (a == null) {
            return b;
        }
        return b == null || a.compareTo(b) <= 0 ? a : b;
    }
}
