package dev.burst;

import dev.burst.internal.adaptive.AdaptiveSettings;

import java.time.Duration;
import java.util.Objects;

/**
 * How a cluster scales itself ({@link Cluster#adapt(AdaptiveOptions)}): between a minimum and a
 * maximum number of workers, enough that queued work would finish in about
 * {@linkplain Builder#targetDuration(Duration) targetDuration}; workers idle for
 * {@linkplain Builder#idleTimeout(Duration) idleTimeout} are retired (their results that exist
 * nowhere else are copied to workers that stay first). Settings left unset take the backend's
 * defaults: a local cluster retires idle workers within a fraction of a second (a new one is back
 * as fast), a Slurm cluster waits seconds (a batch job takes seconds to start).
 *
 * <pre>{@code
 * cluster.adapt(0, 100);
 * cluster.adapt(AdaptiveOptions.builder().minimum(1).maximum(20).idleTimeout(Duration.ofSeconds(30)).build());
 * }</pre>
 */
public final class AdaptiveOptions {
    private final int minimum;
    private final int maximum;
    private final Duration targetDuration;
    private final Duration idleTimeout;
    private final Duration scaleDownDelay;
    private final Duration arrivalTimeout;

    private AdaptiveOptions(Builder b) {
        this.minimum = b.minimum;
        this.maximum = b.maximum;
        this.targetDuration = b.targetDuration;
        this.idleTimeout = b.idleTimeout;
        this.scaleDownDelay = b.scaleDownDelay;
        this.arrivalTimeout = b.arrivalTimeout;
    }

    /** Between {@code minimum} and {@code maximum} workers, other settings the backend's defaults. */
    public static AdaptiveOptions between(int minimum, int maximum) {
        return builder().minimum(minimum).maximum(maximum).build();
    }

    public static Builder builder() {
        return new Builder();
    }

    public int minimum() {
        return minimum;
    }

    public int maximum() {
        return maximum;
    }

    /** These options with unset durations taken from {@code defaults}. */
    AdaptiveSettings toSettings(AdaptiveSettings defaults) {
        return new AdaptiveSettings(minimum, maximum,
                nanos(targetDuration, defaults.targetDurationNanos()), nanos(idleTimeout, defaults.idleTimeoutNanos()),
                nanos(scaleDownDelay, defaults.scaleDownDelayNanos()), defaults.startBackoffNanos(),
                defaults.maxBackoffNanos(), nanos(arrivalTimeout, defaults.arrivalTimeoutNanos()));
    }

    private static long nanos(Duration d, long otherwise) {
        return d == null ? otherwise : d.toNanos();
    }

    @Override
    public String toString() {
        return "AdaptiveOptions{minimum=" + minimum + ", maximum=" + maximum
                + (targetDuration == null ? "" : ", targetDuration=" + targetDuration)
                + (idleTimeout == null ? "" : ", idleTimeout=" + idleTimeout)
                + (scaleDownDelay == null ? "" : ", scaleDownDelay=" + scaleDownDelay)
                + (arrivalTimeout == null ? "" : ", arrivalTimeout=" + arrivalTimeout) + "}";
    }

    /** Builds {@link AdaptiveOptions}; each setter rejects a bad value at once, naming it. */
    public static final class Builder {
        private int minimum;
        private int maximum = Integer.MAX_VALUE;
        private Duration targetDuration;
        private Duration idleTimeout;
        private Duration scaleDownDelay;
        private Duration arrivalTimeout;

        private Builder() {
        }

        /** Never fewer workers (default 0: an idle cluster costs nothing). */
        public Builder minimum(int minimum) {
            if (minimum < 0) {
                throw new IllegalArgumentException("minimum must be >= 0, got " + minimum);
            }
            this.minimum = minimum;
            return this;
        }

        /** Never more workers (default: no limit but the backend's). */
        public Builder maximum(int maximum) {
            if (maximum < 1) {
                throw new IllegalArgumentException("maximum must be >= 1, got " + maximum);
            }
            this.maximum = maximum;
            return this;
        }

        /** Ask for enough workers that the queued work would finish in about this long (default 5 s). */
        public Builder targetDuration(Duration d) {
            this.targetDuration = positive(d, "targetDuration");
            return this;
        }

        /** Retire a worker that had nothing to run for this long. */
        public Builder idleTimeout(Duration d) {
            this.idleTimeout = notNegative(d, "idleTimeout");
            return this;
        }

        /** Retire only after the cluster was larger than needed for this long (damps flapping). */
        public Builder scaleDownDelay(Duration d) {
            this.scaleDownDelay = notNegative(d, "scaleDownDelay");
            return this;
        }

        /** A requested worker that has not joined after this long is cancelled and counts as a failed start. */
        public Builder arrivalTimeout(Duration d) {
            this.arrivalTimeout = positive(d, "arrivalTimeout");
            return this;
        }

        public AdaptiveOptions build() {
            if (maximum < minimum) {
                throw new IllegalArgumentException("maximum (" + maximum + ") must be >= minimum (" + minimum + ")");
            }
            return new AdaptiveOptions(this);
        }

        private static Duration positive(Duration d, String what) {
            Objects.requireNonNull(d, what + " must not be null");
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(what + " must be > 0, got " + d);
            }
            return d;
        }

        private static Duration notNegative(Duration d, String what) {
            Objects.requireNonNull(d, what + " must not be null");
            if (d.isNegative()) {
                throw new IllegalArgumentException(what + " must be >= 0, got " + d);
            }
            return d;
        }
    }
}
