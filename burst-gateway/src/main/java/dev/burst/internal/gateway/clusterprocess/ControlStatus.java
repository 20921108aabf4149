package dev.burst.internal.gateway.clusterprocess;

import java.util.List;

/**
 * A cluster process's answer to {@code GET /status}: what the gateway needs to cull, account and
 * route, taken from the cluster's {@link dev.burst.ClusterStatus}.
 *
 * @param workers    connected workers' names (a worker's name is its data address, host:port)
 * @param coresNow   cores of the workers connected now
 * @param pending    tasks waiting, queued or without a worker
 * @param processing tasks on a worker
 * @param submitted  tasks ever submitted, with {@code finished}: a change is task activity
 * @param finished   tasks finished or failed
 * @param clients    clients connected now
 * @param windDown   why the cluster takes no new work ({@code POST /wind-down}), or null while it does
 * @param dashboardUrl the cluster's dashboard on loopback, with its token ({@code http://127.0.0.1:port/?token=…}), or null
 * @param resultKeeper the address of the worker holding results after a wind-down (in {@code workers}
 *                   too, for routes), or null
 */
public record ControlStatus(String schedulerAddress, List<String> workers, int coresNow, int pending, int processing,
                            int inMemory, long submitted, long finished, int clients, double allocatedCoreSeconds,
                            double busyCoreSeconds, double allocatedGpuSeconds, double busyGpuSeconds, long tasks,
                            String windDown, String resultKeeper, String dashboardUrl) {
    public ControlStatus {
        workers = workers == null ? List.of() : List.copyOf(workers);
    }

    /** Tasks queued or running now. */
    public boolean working() {
        return pending > 0 || processing > 0;
    }
}
