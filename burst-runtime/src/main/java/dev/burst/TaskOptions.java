package dev.burst;

import java.util.Objects;

/**
 * How a task runs: the resources it holds while running, its priority, how many times a failure
 * is retried, and a name (the prefix of its key, which groups tasks for learned durations).
 *
 * <pre>{@code
 * TaskOptions.builder().resources(Resources.of("gpu", 1)).retries(2).priority(10).name("train").build()
 * }</pre>
 */
public final class TaskOptions {
    private static final TaskOptions DEFAULTS = new Builder().build();

    private final Resources resources;
    private final int priority;
    private final int retries;
    private final String name;

    private TaskOptions(Builder b) {
        this.resources = b.resources;
        this.priority = b.priority;
        this.retries = b.retries;
        this.name = b.name;
    }

    /** No extra resources (one cpu), priority 0, no retries, name taken from the function. */
    public static TaskOptions defaults() {
        return DEFAULTS;
    }

    public static Builder builder() {
        return new Builder();
    }

    public Resources resources() {
        return resources;
    }

    public int priority() {
        return priority;
    }

    public int retries() {
        return retries;
    }

    /** The name given, or null when the task is named after its function. */
    public String name() {
        return name;
    }

    @Override
    public String toString() {
        return "TaskOptions{resources=" + resources + ", priority=" + priority + ", retries=" + retries
                + (name == null ? "" : ", name=" + name) + "}";
    }

    /** Builds {@link TaskOptions}; each setter rejects a bad value at once, naming it. */
    public static final class Builder {
        private Resources resources = Resources.none();
        private int priority;
        private int retries;
        private String name;

        private Builder() {
        }

        /** Resources held while the task runs. A task always holds at least {@code cpu=1}. */
        public Builder resources(Resources resources) {
            Objects.requireNonNull(resources, "resources must not be null (use Resources.none())");
            if (resources.asMap().containsKey("cpu") && resources.get("cpu") < 1) {
                throw new IllegalArgumentException("a task needs cpu >= 1 (it occupies a thread), got cpu=" + resources.get("cpu"));
            }
            this.resources = resources;
            return this;
        }

        /** Higher runs first among runnable tasks; default 0; may be negative. */
        public Builder priority(int priority) {
            this.priority = priority;
            return this;
        }

        /** How many times a task that throws is run again before it fails; default 0. */
        public Builder retries(int retries) {
            if (retries < 0) {
                throw new IllegalArgumentException("retries must be >= 0, got " + retries);
            }
            this.retries = retries;
            return this;
        }

        /** Names the task (key prefix), e.g. {@code "simulate"}. */
        public Builder name(String name) {
            Objects.requireNonNull(name, "name must not be null");
            if (name.isBlank() || name.chars().anyMatch(Character::isWhitespace)) {
                throw new IllegalArgumentException("task name must be non-blank without whitespace, got '" + name + "'");
            }
            this.name = name;
            return this;
        }

        public TaskOptions build() {
            return new TaskOptions(this);
        }
    }
}
