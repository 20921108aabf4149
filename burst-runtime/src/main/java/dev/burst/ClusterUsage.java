package dev.burst;

import dev.burst.internal.usage.UsageTotals;

/**
 * What a cluster used so far, from its usage ledger: core-seconds allocated (each worker's life ×
 * its cores), core-seconds busy (tasks executing), the same for GPUs, the CPU time the executor
 * threads consumed, tasks run and bytes spilled to disk. The headline is {@link #efficiency()} =
 * busy ÷ allocated: near 1 means the cores paid for were doing work. Closed clusters' records are
 * kept in a local file ({@code ~/.burst/usage/ledger.jsonl}, {@code $BURST_HOME} if set) that
 * {@code burst usage} shows.
 *
 * @param cores                 cores of the workers alive now
 * @param workersStarted        workers started so far
 * @param peakWorkers           most workers alive at once
 * @param wallSeconds           seconds since the cluster started
 */
public record ClusterUsage(int cores, int workersStarted, int peakWorkers, double wallSeconds,
                           double allocatedCoreSeconds, double busyCoreSeconds,
                           double allocatedGpuSeconds, double busyGpuSeconds,
                           double cpuSeconds, long tasks, long bytesSpilled) {

    static ClusterUsage of(UsageTotals t, int coresNow) {
        return new ClusterUsage(coresNow, t.workersStarted(), t.peakWorkers(), t.wallSeconds(),
                t.coreSecondsAllocated(), t.coreSecondsBusy(), t.gpuSecondsAllocated(), t.gpuSecondsBusy(),
                t.cpuSeconds(), t.tasks(), t.bytesSpilled());
    }

    /** Busy ÷ allocated core-seconds; 0 when nothing was allocated. */
    public double efficiency() {
        return allocatedCoreSeconds <= 0 ? 0 : busyCoreSeconds / allocatedCoreSeconds;
    }

    @Override
    public String toString() {
        return String.format("%.2f core-s allocated, %.2f core-s busy, efficiency %.3f; %d tasks, %.2f cpu-s; "
                        + "%d workers started (peak %d, %d cores now)%s%s",
                allocatedCoreSeconds, busyCoreSeconds, efficiency(), tasks, cpuSeconds, workersStarted, peakWorkers, cores,
                allocatedGpuSeconds > 0 ? String.format("; %.2f GPU-s allocated, %.2f GPU-s busy", allocatedGpuSeconds, busyGpuSeconds) : "",
                bytesSpilled > 0 ? "; " + UsageTotals.humanBytes(bytesSpilled) + " spilled" : "");
    }
}
