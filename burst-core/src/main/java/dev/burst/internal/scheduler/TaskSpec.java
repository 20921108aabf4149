package dev.burst.internal.scheduler;

import dev.burst.internal.core.ResourceAmounts;
import dev.burst.internal.core.TaskKey;
import dev.burst.internal.core.TaskPriority;

import java.util.List;
import java.util.Objects;

/**
 * A task as submitted: its key, the keys whose results it takes as inputs (in argument order),
 * what it needs while running, its priority, how many times a failure is retried, and an opaque
 * payload (the function and arguments) that the scheduler passes to a worker without looking in.
 */
public record TaskSpec(TaskKey key, List<TaskKey> dependencies, ResourceAmounts resources,
                       TaskPriority priority, int retries, Object payload) {
    public TaskSpec {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(resources, "resources");
        Objects.requireNonNull(priority, "priority");
        dependencies = List.copyOf(dependencies);
        if (retries < 0) {
            throw new IllegalArgumentException("retries must be >= 0, got " + retries + " for " + key);
        }
    }
}
