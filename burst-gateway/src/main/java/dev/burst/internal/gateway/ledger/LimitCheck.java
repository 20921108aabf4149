package dev.burst.internal.gateway.ledger;

import dev.burst.internal.usage.UsageTotals;

import java.util.ArrayList;
import java.util.List;

/**
 * Whether a cluster fits within limits, and how many workers fit: pure arithmetic over what the
 * user and the group hold besides this cluster. The caller holds the rows locked, so the figures
 * cannot change underneath.
 */
public final class LimitCheck {
    private LimitCheck() {
    }

    /** Why one more cluster is refused outright (its count), or null. */
    public static String clusterCountProblem(Limits user, Holdings userHolds, Limits group, Holdings groupHolds, String groupName) {
        if (user.maxClusters() != null && userHolds.clusters() + 1 > user.maxClusters()) {
            return "limit max-clusters " + user.maxClusters() + " reached: you have " + clusters(userHolds.clusters()) + " running";
        }
        if (group.maxClusters() != null && groupHolds.clusters() + 1 > group.maxClusters()) {
            return "group " + groupName + "'s limit max-clusters " + group.maxClusters() + " reached: its members have "
                    + clusters(groupHolds.clusters()) + " running";
        }
        return null;
    }

    /** The most workers of {@code shape}'s size that fit, and the limits that bind (empty when none does). */
    public static Fit workersThatFit(ClusterShape shape, Limits user, Holdings userHolds, Limits group, Holdings groupHolds,
                                     String groupName) {
        int fit = shape.maxWorkers();
        List<String> binding = new ArrayList<>();
        fit = bound(fit, shape.maxWorkers(), user.maxWorkersPerCluster(), 1, 0, "limit max-workers-per-cluster "
                + user.maxWorkersPerCluster(), binding);
        fit = bound(fit, shape.maxWorkers(), group.maxWorkersPerCluster(), 1, 0, "group " + groupName
                + "'s limit max-workers-per-cluster " + group.maxWorkersPerCluster(), binding);
        fit = bound(fit, shape.maxWorkers(), user.maxCores(), shape.coresPerWorker(), userHolds.cores(),
                "limit max-cores " + user.maxCores() + " (" + userHolds.cores() + " held by your other clusters, "
                        + shape.coresPerWorker() + " per worker)", binding);
        fit = bound(fit, shape.maxWorkers(), group.maxCores(), shape.coresPerWorker(), groupHolds.cores(),
                "group " + groupName + "'s limit max-cores " + group.maxCores() + " (" + groupHolds.cores()
                        + " held by its members' other clusters, " + shape.coresPerWorker() + " per worker)", binding);
        fit = bound(fit, shape.maxWorkers(), user.maxMemoryBytes(), shape.memoryPerWorker(), userHolds.memoryBytes(),
                "limit max-memory " + human(user.maxMemoryBytes()) + " (" + human(userHolds.memoryBytes())
                        + " held by your other clusters, " + human(shape.memoryPerWorker()) + " per worker)", binding);
        fit = bound(fit, shape.maxWorkers(), group.maxMemoryBytes(), shape.memoryPerWorker(), groupHolds.memoryBytes(),
                "group " + groupName + "'s limit max-memory " + human(group.maxMemoryBytes()) + " (" + human(groupHolds.memoryBytes())
                        + " held by its members' other clusters, " + human(shape.memoryPerWorker()) + " per worker)", binding);
        fit = bound(fit, shape.maxWorkers(), user.maxGpus(), shape.gpusPerWorker(), userHolds.gpus(),
                "limit max-gpus " + user.maxGpus() + " (" + userHolds.gpus() + " held by your other clusters, "
                        + shape.gpusPerWorker() + " per worker)", binding);
        fit = bound(fit, shape.maxWorkers(), group.maxGpus(), shape.gpusPerWorker(), groupHolds.gpus(),
                "group " + groupName + "'s limit max-gpus " + group.maxGpus() + " (" + groupHolds.gpus()
                        + " held by its members' other clusters, " + shape.gpusPerWorker() + " per worker)", binding);
        return new Fit(fit, List.copyOf(binding));
    }

    private static int bound(int fit, int wanted, Number limit, long perWorker, long held, String words, List<String> binding) {
        if (limit == null || perWorker == 0) {
            return fit;
        }
        long room = Math.max(0, limit.longValue() - held);
        long n = room / perWorker;
        if (n < wanted) {
            // a worker bigger than the whole limit fits never, whatever else is stopped: say so
            binding.add(perWorker > limit.longValue() ? words + ": one worker alone is over the limit, ask for smaller workers" : words);
        }
        return (int) Math.min(fit, n);
    }

    private static String clusters(int n) {
        return n + (n == 1 ? " cluster" : " clusters");
    }

    private static String human(Long bytes) {
        return bytes == null ? "none" : UsageTotals.humanBytes(bytes);
    }

    /** {@code workers} fit; {@code binding} names each limit that holds the count below what was asked. */
    public record Fit(int workers, List<String> binding) {
        public String explain(int wanted) {
            return wanted + " workers asked for, " + workers + " fit: " + String.join("; ", binding);
        }
    }
}
