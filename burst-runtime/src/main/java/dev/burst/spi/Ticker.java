package dev.burst.spi;

/**
 * A source of nanosecond time, as {@link System#nanoTime()} (Caffeine's {@code Ticker}): the parts
 * of a cluster that wait, time out or retire take it from here, so that tests can advance time
 * instead of sleeping.
 */
@FunctionalInterface
public interface Ticker {
    /** The system's monotonic clock. */
    Ticker SYSTEM = System::nanoTime;

    /** Nanoseconds from an arbitrary origin; only differences mean anything. */
    long nanos();
}
