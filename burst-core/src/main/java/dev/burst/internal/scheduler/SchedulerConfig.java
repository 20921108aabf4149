package dev.burst.internal.scheduler;

/**
 * Tunables of {@link SchedulerState}.
 *
 * @param allowedFailures      a task that was processing on more than this many workers that died
 *                             fails with a worker-lost error instead of being tried again
 * @param saturation           root-task queuing: a worker gets at most {@code ceil(saturation × threads)}
 *                             root tasks at once (Dask's {@code worker-saturation})
 * @param latencyHidingNanos   ...unless tasks are so short that this cap would leave threads idle
 *                             while a result travels to the scheduler and the next task back: then a
 *                             worker may hold enough tasks to keep each thread busy this long
 * @param maxTasksPerThread    upper bound on the latency-hiding allowance
 * @param defaultDurationNanos expected duration of a task whose prefix has no history yet
 * @param bandwidthBytesPerSecond assumed transfer rate between workers, for placement
 * @param storyCapacity        how many recent transitions {@code story()} can read back
 */
public record SchedulerConfig(int allowedFailures, double saturation, long latencyHidingNanos,
                              int maxTasksPerThread, long defaultDurationNanos,
                              double bandwidthBytesPerSecond, int storyCapacity) {

    public static SchedulerConfig defaults() {
        return new SchedulerConfig(3, 1.1, 2_000_000L, 1000, 500_000_000L, 100e6, 100_000);
    }

    public SchedulerConfig {
        if (allowedFailures < 0) {
            throw new IllegalArgumentException("allowedFailures must be >= 0, got " + allowedFailures);
        }
        if (!(saturation > 0)) {
            throw new IllegalArgumentException("saturation must be > 0, got " + saturation);
        }
        if (maxTasksPerThread < 1 || latencyHidingNanos < 0 || defaultDurationNanos < 0 || !(bandwidthBytesPerSecond > 0)) {
            throw new IllegalArgumentException("invalid scheduler config " + this);
        }
    }

    public SchedulerConfig withStoryCapacity(int capacity) {
        return new SchedulerConfig(allowedFailures, saturation, latencyHidingNanos, maxTasksPerThread,
                defaultDurationNanos, bandwidthBytesPerSecond, capacity);
    }

    public SchedulerConfig withLatencyHidingNanos(long nanos) {
        return new SchedulerConfig(allowedFailures, saturation, nanos, maxTasksPerThread,
                defaultDurationNanos, bandwidthBytesPerSecond, storyCapacity);
    }

    public SchedulerConfig withSaturation(double saturation) {
        return new SchedulerConfig(allowedFailures, saturation, latencyHidingNanos, maxTasksPerThread,
                defaultDurationNanos, bandwidthBytesPerSecond, storyCapacity);
    }

    public SchedulerConfig withAllowedFailures(int n) {
        return new SchedulerConfig(n, saturation, latencyHidingNanos, maxTasksPerThread,
                defaultDurationNanos, bandwidthBytesPerSecond, storyCapacity);
    }
}
