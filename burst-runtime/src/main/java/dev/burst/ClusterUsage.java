package dev.burst;

/**
 * What a cluster used so far: core-seconds allocated (worker threads alive), core-seconds busy
 * (tasks executing), the CPU time the executor threads consumed, and tasks run. The headline is
 * {@link #efficiency()} = busy ÷ allocated: near 1 means the cores paid for were doing work.
 */
public record ClusterUsage(int cores, double allocatedCoreSeconds, double busyCoreSeconds,
                           double cpuSeconds, long tasks) {

    /** Busy ÷ allocated core-seconds; 0 when nothing was allocated. */
    public double efficiency() {
        return allocatedCoreSeconds <= 0 ? 0 : busyCoreSeconds / allocatedCoreSeconds;
    }

    @Override
    public String toString() {
        return String.format("%d cores, %.2f core-s allocated, %.2f core-s busy, %.2f cpu-s, %d tasks, efficiency %.3f",
                cores, allocatedCoreSeconds, busyCoreSeconds, cpuSeconds, tasks, efficiency());
    }
}
