package dev.burst.internal.gateway.ledger;

/** Core- and GPU-seconds allocated and busy, and tasks: a cluster's usage or an increment of it. */
public record UsageFigures(double allocatedCoreSeconds, double busyCoreSeconds, double allocatedGpuSeconds,
                           double busyGpuSeconds, long tasks) {
    public static final UsageFigures ZERO = new UsageFigures(0, 0, 0, 0, 0);

    public UsageFigures plus(UsageFigures o) {
        return new UsageFigures(allocatedCoreSeconds + o.allocatedCoreSeconds, busyCoreSeconds + o.busyCoreSeconds,
                allocatedGpuSeconds + o.allocatedGpuSeconds, busyGpuSeconds + o.busyGpuSeconds, tasks + o.tasks);
    }

    /** What {@code this} has beyond {@code earlier} (never negative: a figure that went back counts as 0). */
    public UsageFigures since(UsageFigures earlier) {
        return new UsageFigures(Math.max(0, allocatedCoreSeconds - earlier.allocatedCoreSeconds),
                Math.max(0, busyCoreSeconds - earlier.busyCoreSeconds),
                Math.max(0, allocatedGpuSeconds - earlier.allocatedGpuSeconds),
                Math.max(0, busyGpuSeconds - earlier.busyGpuSeconds), Math.max(0, tasks - earlier.tasks));
    }

    public boolean isZero() {
        return allocatedCoreSeconds == 0 && busyCoreSeconds == 0 && allocatedGpuSeconds == 0 && busyGpuSeconds == 0 && tasks == 0;
    }

    /** Busy ÷ allocated core-seconds; 0 when nothing was allocated. */
    public double efficiency() {
        return allocatedCoreSeconds <= 0 ? 0 : busyCoreSeconds / allocatedCoreSeconds;
    }
}
