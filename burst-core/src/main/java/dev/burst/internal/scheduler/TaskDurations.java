package dev.burst.internal.scheduler;

import java.util.HashMap;
import java.util.Map;

/**
 * Learned task durations per task prefix (the function or name a task was submitted with), as an
 * exponential moving average like Dask's. Used for occupancy, placement and queuing; a prefix never
 * seen yet is assumed to take the configured default.
 *
 * <p>Each task holds its prefix's {@link Prefix} entry, looked up once when the task is created,
 * so the per-task reads and updates on the scheduling path cost no map lookup.
 */
final class TaskDurations {
    private final long defaultNanos;
    private final Map<String, Prefix> byPrefix = new HashMap<>();

    /**
     * What the scheduler keeps per prefix: the learned duration (NaN until a task of it finished)
     * and the progress counts of {@link TaskTally}, updated as its tasks change state.
     */
    static final class Prefix {
        final String name;
        private double averageNanos = Double.NaN;
        /** Tasks ever created, finished at least once, erred at least once; running now. */
        long total;
        long finished;
        long erred;
        int processing;
        /** Tasks queued or parked without a worker now: the adaptive policy's waiting work. */
        int waiting;

        Prefix(String name) {
            this.name = name;
        }
    }

    TaskDurations(long defaultNanos) {
        this.defaultNanos = defaultNanos;
    }

    Prefix prefix(String prefix) {
        return byPrefix.computeIfAbsent(prefix, Prefix::new);
    }

    void record(Prefix p, long nanos) {
        p.averageNanos = Double.isNaN(p.averageNanos) ? nanos : 0.5 * p.averageNanos + 0.5 * nanos;
    }

    double expectedNanos(Prefix p) {
        return Double.isNaN(p.averageNanos) ? defaultNanos : p.averageNanos;
    }

    /** Every prefix seen, in no particular order. */
    java.util.Collection<Prefix> all() {
        return byPrefix.values();
    }

    double expectedNanos(String prefix) {
        Prefix p = byPrefix.get(prefix);
        return p == null ? defaultNanos : expectedNanos(p);
    }
}
