package dev.burst.spi;

import java.time.Duration;
import java.util.Objects;

/**
 * A backend's adaptive defaults: what {@link dev.burst.AdaptiveOptions} left unset takes, and how
 * often the controller decides. Workers that start in a fraction of a second can be retired almost
 * at once ({@link #LOCAL}); batch jobs that take seconds to start are kept longer ({@link #BATCH}).
 *
 * @param targetDuration  queued work should finish in about this long
 * @param idleTimeout     a worker idle this long may be retired
 * @param scaleDownDelay  ... once the cluster has been larger than needed this long
 * @param startBackoff    first wait after a failed start (doubling)
 * @param maxBackoff      the longest wait between failed starts
 * @param arrivalTimeout  a started worker that has not joined after this long is given up
 * @param interval        how often the controller decides (it also decides when work is submitted)
 */
public record AdaptiveDefaults(Duration targetDuration, Duration idleTimeout, Duration scaleDownDelay,
                               Duration startBackoff, Duration maxBackoff, Duration arrivalTimeout, Duration interval) {
    /** Local threads and processes: back in a fraction of a second, so idle ones go at once. */
    public static final AdaptiveDefaults LOCAL = new AdaptiveDefaults(Duration.ofSeconds(5), Duration.ofMillis(250),
            Duration.ofMillis(250), Duration.ofSeconds(1), Duration.ofSeconds(60), Duration.ofSeconds(60), Duration.ofMillis(100));

    /** Batch jobs (Slurm, pods): seconds to start, so idle workers are kept longer. */
    public static final AdaptiveDefaults BATCH = new AdaptiveDefaults(Duration.ofSeconds(5), Duration.ofSeconds(10),
            Duration.ofSeconds(5), Duration.ofSeconds(2), Duration.ofMinutes(2), Duration.ofMinutes(10), Duration.ofMillis(200));

    public AdaptiveDefaults {
        for (Duration d : new Duration[] {targetDuration, idleTimeout, scaleDownDelay, startBackoff, maxBackoff, arrivalTimeout, interval}) {
            Objects.requireNonNull(d, "adaptive defaults must all be given");
            if (d.isNegative()) {
                throw new IllegalArgumentException("adaptive durations must be >= 0, got " + d);
            }
        }
        if (interval.isZero()) {
            throw new IllegalArgumentException("the adaptive interval must be > 0");
        }
    }
}
