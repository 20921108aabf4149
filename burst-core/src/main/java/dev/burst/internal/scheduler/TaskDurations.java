package dev.burst.internal.scheduler;

import java.util.HashMap;
import java.util.Map;

/**
 * Learned task durations per task prefix (the function or name a task was submitted with), as an
 * exponential moving average like Dask's. Used for occupancy, placement and queuing; a prefix never
 * seen yet is assumed to take the configured default.
 */
public final class TaskDurations {
    private final long defaultNanos;
    private final Map<String, double[]> byPrefix = new HashMap<>();

    public TaskDurations(long defaultNanos) {
        this.defaultNanos = defaultNanos;
    }

    public void record(String prefix, long nanos) {
        double[] avg = byPrefix.get(prefix);
        if (avg == null) {
            byPrefix.put(prefix, new double[] {nanos});
        } else {
            avg[0] = 0.5 * avg[0] + 0.5 * nanos;
        }
    }

    public double expectedNanos(String prefix) {
        double[] avg = byPrefix.get(prefix);
        return avg == null ? defaultNanos : avg[0];
    }

    public boolean known(String prefix) {
        return byPrefix.containsKey(prefix);
    }
}
