package dev.burst.internal.gateway.ledger;

import java.time.Duration;

/**
 * How many core- and GPU-seconds a user's clusters may be allocated, per {@code period} (null:
 * over all time). A null amount is no budget.
 */
public record Budget(Double coreSeconds, Double gpuSeconds, Duration period) {
    public static final Budget NONE = new Budget(null, null, null);

    public Budget {
        if (coreSeconds != null && !(coreSeconds >= 0)) {
            throw new IllegalArgumentException("budget-core-seconds must be 0 or more, got " + coreSeconds);
        }
        if (gpuSeconds != null && !(gpuSeconds >= 0)) {
            throw new IllegalArgumentException("budget-gpu-seconds must be 0 or more, got " + gpuSeconds);
        }
        if (period != null && (period.isNegative() || period.isZero())) {
            throw new IllegalArgumentException("budget period must be positive, got " + period);
        }
    }

    public boolean any() {
        return coreSeconds != null || gpuSeconds != null;
    }
}
