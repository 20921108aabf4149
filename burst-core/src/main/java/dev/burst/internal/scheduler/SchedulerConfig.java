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
 * @param stealMinWaitNanos    work stealing moves a task only if it would otherwise wait at least
 *                             this long on its worker (5 ms, after Dask's threshold: below it the
 *                             round trip costs more than it saves); {@link Long#MAX_VALUE}: never
 * @param fullScanWorkers      placement compares every worker while there are at most this many;
 *                             past that, only the holders of a task's inputs and a few workers with
 *                             a free thread ({@link Placement}), as Dask's {@code decide_worker} does
 */
public record SchedulerConfig(int allowedFailures, double saturation, long latencyHidingNanos,
                              int maxTasksPerThread, long defaultDurationNanos,
                              double bandwidthBytesPerSecond, int storyCapacity, long stealMinWaitNanos,
                              int fullScanWorkers) {

    /** Placement's default: every worker compared up to this many. */
    public static final int FULL_SCAN_WORKERS = 32;

    /** Stealing's default threshold, after Dask's 5 ms. */
    public static final long STEAL_MIN_WAIT_NANOS = 5_000_000L;

    public static SchedulerConfig defaults() {
        return new SchedulerConfig(3, 1.1, 2_000_000L, 1000, 500_000_000L, 100e6, 100_000, STEAL_MIN_WAIT_NANOS,
                FULL_SCAN_WORKERS);
    }

    public SchedulerConfig {
        if (allowedFailures < 0) {
            throw new IllegalArgumentException("allowedFailures must be >= 0, got " + allowedFailures);
        }
        if (!(saturation > 0)) {
            throw new IllegalArgumentException("saturation must be > 0, got " + saturation);
        }
        if (maxTasksPerThread < 1 || latencyHidingNanos < 0 || defaultDurationNanos < 0 || !(bandwidthBytesPerSecond > 0)
                || stealMinWaitNanos < 0 || fullScanWorkers < 0) {
            throw new IllegalArgumentException("invalid scheduler config " + this);
        }
    }

    public SchedulerConfig withStoryCapacity(int capacity) {
        return new SchedulerConfig(allowedFailures, saturation, latencyHidingNanos, maxTasksPerThread,
                defaultDurationNanos, bandwidthBytesPerSecond, capacity, stealMinWaitNanos, fullScanWorkers);
    }

    public SchedulerConfig withLatencyHidingNanos(long nanos) {
        return new SchedulerConfig(allowedFailures, saturation, nanos, maxTasksPerThread,
                defaultDurationNanos, bandwidthBytesPerSecond, storyCapacity, stealMinWaitNanos, fullScanWorkers);
    }

    public SchedulerConfig withSaturation(double saturation) {
        return new SchedulerConfig(allowedFailures, saturation, latencyHidingNanos, maxTasksPerThread,
                defaultDurationNanos, bandwidthBytesPerSecond, storyCapacity, stealMinWaitNanos, fullScanWorkers);
    }

    public SchedulerConfig withAllowedFailures(int n) {
        return new SchedulerConfig(n, saturation, latencyHidingNanos, maxTasksPerThread,
                defaultDurationNanos, bandwidthBytesPerSecond, storyCapacity, stealMinWaitNanos, fullScanWorkers);
    }

    /** Work stealing moves tasks that would wait at least {@code nanos} on their worker; {@link Long#MAX_VALUE}: never. */
    public SchedulerConfig withStealMinWaitNanos(long nanos) {
        return new SchedulerConfig(allowedFailures, saturation, latencyHidingNanos, maxTasksPerThread,
                defaultDurationNanos, bandwidthBytesPerSecond, storyCapacity, nanos, fullScanWorkers);
    }

    /** Whether work stealing is on. */
    public boolean stealing() {
        return stealMinWaitNanos != Long.MAX_VALUE;
    }

    /** Placement compares every worker while there are at most {@code n}; past that, candidates only. */
    public SchedulerConfig withFullScanWorkers(int n) {
        return new SchedulerConfig(allowedFailures, saturation, latencyHidingNanos, maxTasksPerThread,
                defaultDurationNanos, bandwidthBytesPerSecond, storyCapacity, stealMinWaitNanos, n);
    }
}
