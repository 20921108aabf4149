package dev.burst.internal.gateway.server;

import java.util.Map;

/**
 * A create request's options, checked: the worker shape, a fixed count or adaptive bounds, detached
 * or not, and backend settings. {@link #maxWorkers()} is what counts against limits.
 *
 * @param adaptMinimum with {@code adaptMaximum}; both null for a fixed {@code workers}
 */
public record ClusterRequestOptions(int threads, long memoryBytes, int gpus, int workers, Integer adaptMinimum,
                                    Integer adaptMaximum, boolean detached, Map<String, String> settings) {
    public ClusterRequestOptions {
        settings = Map.copyOf(settings);
    }

    public boolean adaptive() {
        return adaptMaximum != null;
    }

    public int maxWorkers() {
        return adaptive() ? adaptMaximum : workers;
    }

    /** The fewest workers this request accepts when limits bind: a fixed count all of it, adaptive bounds their minimum. */
    public int fewestWorkers() {
        return adaptive() ? adaptMinimum : workers;
    }

    /** These options with the adaptive maximum lowered to {@code maximum} (as limits allow). */
    public ClusterRequestOptions withAdaptMaximum(int maximum) {
        if (!adaptive() || maximum < adaptMinimum) {
            throw new IllegalArgumentException("cannot lower the maximum of " + this + " to " + maximum);
        }
        return new ClusterRequestOptions(threads, memoryBytes, gpus, workers, adaptMinimum, maximum, detached, settings);
    }
}
