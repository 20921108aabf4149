package dev.burst.internal.adaptive;

/**
 * Settings of {@link AdaptivePolicy}. All durations in nanoseconds.
 *
 * @param minimum              never fewer workers than this (requested ones count)
 * @param maximum              never more workers than this (requested ones count)
 * @param targetDurationNanos  ask for enough workers that the known work would finish in about this long
 * @param idleTimeoutNanos     a worker with nothing to run for this long may be retired
 * @param scaleDownDelayNanos  the target must have stayed below the current size this long before any worker is retired
 * @param startBackoffNanos    after a failed start, wait this long before asking again (doubles per failure in a row)
 * @param maxBackoffNanos      the longest back-off
 * @param arrivalTimeoutNanos  a requested worker that has not joined after this long is cancelled and counted as a failed start
 */
public record AdaptiveSettings(int minimum, int maximum, long targetDurationNanos, long idleTimeoutNanos,
                               long scaleDownDelayNanos, long startBackoffNanos, long maxBackoffNanos,
                               long arrivalTimeoutNanos) {

    public AdaptiveSettings {
        if (minimum < 0) {
            throw new IllegalArgumentException("minimum must be >= 0, got " + minimum);
        }
        if (maximum < minimum) {
            throw new IllegalArgumentException("maximum must be >= minimum, got maximum " + maximum + " < minimum " + minimum);
        }
        if (maximum < 1) {
            throw new IllegalArgumentException("maximum must be >= 1, got " + maximum);
        }
        if (targetDurationNanos <= 0 || idleTimeoutNanos < 0 || scaleDownDelayNanos < 0 || startBackoffNanos <= 0
                || maxBackoffNanos < startBackoffNanos || arrivalTimeoutNanos <= 0) {
            throw new IllegalArgumentException("invalid adaptive settings " + this);
        }
    }

    private static final long SECOND = 1_000_000_000L;

    /**
     * Recommended for workers started as local child processes: a JVM starts in a second or two and
     * costs nothing while queued, so react fast and let go soon.
     */
    public static AdaptiveSettings localProcesses(int minimum, int maximum) {
        return new AdaptiveSettings(minimum, maximum, 5 * SECOND, 10 * SECOND, 5 * SECOND,
                SECOND, 30 * SECOND, 60 * SECOND);
    }

    /**
     * Recommended for Slurm: a job may wait minutes in the queue and an allocation is paid for in
     * whole minutes of the user's share, so ask for enough work per worker to be worth the wait,
     * keep workers through short lulls, and give queued jobs long to start.
     */
    public static AdaptiveSettings slurm(int minimum, int maximum) {
        return new AdaptiveSettings(minimum, maximum, 30 * SECOND, 60 * SECOND, 60 * SECOND,
                10 * SECOND, 300 * SECOND, 600 * SECOND);
    }

    public AdaptiveSettings withBounds(int minimum, int maximum) {
        return new AdaptiveSettings(minimum, maximum, targetDurationNanos, idleTimeoutNanos, scaleDownDelayNanos,
                startBackoffNanos, maxBackoffNanos, arrivalTimeoutNanos);
    }
}
