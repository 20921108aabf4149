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

    /*
     * Written out rather than left to the record's generated methods (an invokedynamic bootstrap
     * that compares component by component through method handles): keys are looked up in hash
     * maps several times per task, and the id, compared first, nearly always decides.
     */
    @Override
    public boolean equals(Object o) {
        return this == o || (o instanceof TaskKey k && id == k.id && prefix.equals(k.prefix));
    }

    @Override
    public int hashCode() {
        return 31 * prefix.hashCode() + Long.hashCode(id);
    }

    @Override
    public String toString() {
        return prefix + "-" + id;
    }
}
