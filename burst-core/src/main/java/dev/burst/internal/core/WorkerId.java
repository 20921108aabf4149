package dev.burst.internal.core;

import java.util.Objects;

/** Name of a worker as the scheduler knows it. */
public record WorkerId(String name) implements Comparable<WorkerId> {
    public WorkerId {
        Objects.requireNonNull(name, "name");
    }

    @Override
    public int compareTo(WorkerId o) {
        return name.compareTo(o.name);
    }

    @Override
    public String toString() {
        return name;
    }
}
