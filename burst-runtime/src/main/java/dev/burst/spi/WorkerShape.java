package dev.burst.spi;

import dev.burst.Resources;

import java.util.Objects;

/**
 * What each worker of a {@link WorkerPool} looks like.
 *
 * @param threads     executor threads, the worker's {@code cpu} (the cores it is allocated)
 * @param memoryBytes memory for its results (it spills above 60% and pauses above 80%)
 * @param resources   named resources besides {@code cpu}, e.g. {@code gpu=1}
 */
public record WorkerShape(int threads, long memoryBytes, Resources resources) {
    public WorkerShape {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        }
        if (memoryBytes <= 0) {
            throw new IllegalArgumentException("memory must be > 0, got " + memoryBytes);
        }
        Objects.requireNonNull(resources, "resources must not be null (use Resources.none())");
        if (resources.asMap().containsKey("cpu")) {
            throw new IllegalArgumentException("a worker's cpu is its thread count, not a resource: " + resources);
        }
    }

    /** GPUs each worker offers. */
    public int gpus() {
        return (int) Math.floor(resources.get("gpu"));
    }
}
