package dev.burst.internal.gateway.ledger;

/**
 * What a cluster may hold, which is what counts against limits: up to {@code maxWorkers} workers
 * of this size.
 */
public record ClusterShape(int maxWorkers, int coresPerWorker, long memoryPerWorker, int gpusPerWorker) {
    public ClusterShape {
        if (maxWorkers < 0 || coresPerWorker < 1 || memoryPerWorker < 0 || gpusPerWorker < 0) {
            throw new IllegalArgumentException("bad cluster shape: " + maxWorkers + " workers of " + coresPerWorker + " cores, "
                    + memoryPerWorker + " bytes, " + gpusPerWorker + " GPUs");
        }
    }

    public ClusterShape withMaxWorkers(int n) {
        return new ClusterShape(n, coresPerWorker, memoryPerWorker, gpusPerWorker);
    }

    public long cores() {
        return (long) maxWorkers * coresPerWorker;
    }

    public long memoryBytes() {
        return maxWorkers * memoryPerWorker;
    }

    public long gpus() {
        return (long) maxWorkers * gpusPerWorker;
    }
}
