package dev.burst.internal.gateway.clusterprocess;

import java.util.Map;

/**
 * What a cluster process is to run: sent by the gateway as JSON to {@code POST /start}.
 *
 * @param memoryPerWorker bytes, or null for the backend's default
 * @param adaptMinimum    with {@code adaptMaximum}: adaptive bounds; null for a fixed {@code workers}
 * @param workerEntrance  where workers connect (the gateway's port and the cluster's route), or null: to the scheduler
 * @param orphanSeconds   how long without any control request before the process stops its
 *                        cluster by itself (a gateway that never came back leaves no cluster)
 */
public record ClusterProcessSpec(String name, String user, String backend, int workers, int threadsPerWorker,
                                 Long memoryPerWorker, int gpusPerWorker, Map<String, String> settings,
                                 Integer adaptMinimum, Integer adaptMaximum, long orphanSeconds,
                                 dev.burst.spi.WorkerEntrance workerEntrance) {
    public ClusterProcessSpec {
        settings = settings == null ? Map.of() : Map.copyOf(settings);
    }
}
