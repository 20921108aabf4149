package dev.burst.internal.core;

import java.util.Objects;

/**
 * Identity of one task: a prefix (the function or user-given name, which groups tasks for learned
 * durations) and a number unique within the cluster.
 */
public record TaskKey(String prefix, long id) {
    public TaskKey {
        Objects.requireNonNull(prefix, "prefix");
    }

    @Override
    public String toString() {
        return prefix + "-" + id;
    }
}
