package dev.burst.internal.cluster;

import dev.burst.internal.core.ResourceAmounts;

/**
 * What each worker a {@link ClusterManager} starts looks like.
 *
 * @param threads   executor threads, the worker's {@code cpu}
 * @param memoryBytes memory for its results (spill above 60%, pause above 80%)
 * @param resources named resources besides {@code cpu} (e.g. {@code gpu=1})
 */
public record WorkerShape(int threads, long memoryBytes, ResourceAmounts resources) {
    public WorkerShape {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        }
        if (memoryBytes <= 0) {
            throw new IllegalArgumentException("memory must be > 0, got " + memoryBytes);
        }
    }

    /** GPUs each worker offers. */
    public int gpus() {
        return (int) Math.floor(resources.get("gpu"));
    }
}
