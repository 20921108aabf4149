package dev.burst.internal.usage;

import java.util.Locale;
import java.util.Objects;

/**
 * What one run (a user's job on one cluster) used, as of some moment: the figures a {@link UsageLedger}
 * adds up and the usage store keeps. Seconds are doubles so that the figures read the same in the
 * CLI, in JSON and in the gateway's database.
 *
 * @param user                  who ran it
 * @param cluster               the cluster it ran on (a name: {@code local}, a gateway cluster id, ...)
 * @param job                   what ran ({@code demo}, {@code map}, an application's label)
 * @param startedAtEpochMillis  when the run started, wall clock
 * @param wallSeconds           how long the run lasted (or has lasted so far)
 * @param workersStarted        workers started during the run (a restarted worker counts again)
 * @param peakWorkers           the most workers alive at once
 * @param coreSecondsAllocated  Σ worker alive time × its cores: what the run paid for
 * @param coreSecondsBusy       Σ time the workers' cores spent executing tasks
 * @param gpuSecondsAllocated   Σ worker alive time × its GPUs
 * @param gpuSecondsBusy        Σ time tasks held GPUs
 * @param cpuSeconds            CPU time the executor threads consumed
 * @param tasks                 tasks run to completion (successful or erred)
 * @param bytesSpilled          bytes the workers spilled to disk
 */
public record UsageTotals(String user, String cluster, String job, long startedAtEpochMillis, double wallSeconds,
                          int workersStarted, int peakWorkers, double coreSecondsAllocated, double coreSecondsBusy,
                          double gpuSecondsAllocated, double gpuSecondsBusy, double cpuSeconds, long tasks,
                          long bytesSpilled) {

    public UsageTotals {
        requireName("user", user);
        requireName("cluster", cluster);
        requireName("job", job);
        requireAmount("wallSeconds", wallSeconds);
        requireAmount("coreSecondsAllocated", coreSecondsAllocated);
        requireAmount("coreSecondsBusy", coreSecondsBusy);
        requireAmount("gpuSecondsAllocated", gpuSecondsAllocated);
        requireAmount("gpuSecondsBusy", gpuSecondsBusy);
        requireAmount("cpuSeconds", cpuSeconds);
        if (workersStarted < 0 || peakWorkers < 0 || tasks < 0 || bytesSpilled < 0) {
            throw new IllegalArgumentException("usage counts must be >= 0, got workersStarted " + workersStarted
                    + ", peakWorkers " + peakWorkers + ", tasks " + tasks + ", bytesSpilled " + bytesSpilled);
        }
        if (peakWorkers > workersStarted) {
            throw new IllegalArgumentException("peakWorkers (" + peakWorkers + ") cannot exceed workersStarted ("
                    + workersStarted + ")");
        }
    }

    /** Busy ÷ allocated core-seconds: near 1 means the cores paid for were doing work; 0 when nothing was allocated. */
    public double efficiency() {
        return coreSecondsAllocated <= 0 ? 0 : coreSecondsBusy / coreSecondsAllocated;
    }

    /** Busy ÷ allocated GPU-seconds; 0 when no GPU was allocated. */
    public double gpuEfficiency() {
        return gpuSecondsAllocated <= 0 ? 0 : gpuSecondsBusy / gpuSecondsAllocated;
    }

    /** A few aligned lines for the end of {@code burst demo} / {@code burst map}. */
    public String format() {
        StringBuilder s = new StringBuilder();
        s.append(String.format(Locale.ROOT, "usage:       %s ran %s on %s: %d worker%s (peak %d), wall %.2f s%n",
                user, job, cluster, workersStarted, workersStarted == 1 ? "" : "s", peakWorkers, wallSeconds));
        s.append(String.format(Locale.ROOT, "cores:       %.1f core-s allocated, %.1f core-s busy, efficiency %.3f%n",
                coreSecondsAllocated, coreSecondsBusy, efficiency()));
        if (gpuSecondsAllocated > 0 || gpuSecondsBusy > 0) {
            s.append(String.format(Locale.ROOT, "gpus:        %.1f GPU-s allocated, %.1f GPU-s busy, efficiency %.3f%n",
                    gpuSecondsAllocated, gpuSecondsBusy, gpuEfficiency()));
        }
        s.append(String.format(Locale.ROOT, "work:        %.1f cpu-s, %,d tasks, %s spilled%n",
                cpuSeconds, tasks, humanBytes(bytesSpilled)));
        return s.toString();
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "%s/%s/%s: %d workers (peak %d), wall %.2f s, %.2f core-s allocated, "
                        + "%.2f core-s busy, efficiency %.3f, %.2f GPU-s allocated, %.2f GPU-s busy, %.2f cpu-s, "
                        + "%d tasks, %s spilled",
                user, cluster, job, workersStarted, peakWorkers, wallSeconds, coreSecondsAllocated, coreSecondsBusy,
                efficiency(), gpuSecondsAllocated, gpuSecondsBusy, cpuSeconds, tasks, humanBytes(bytesSpilled));
    }

    /** Bytes for people: {@code 0 B}, {@code 512 B}, {@code 1.5 KiB}, {@code 3.2 GiB}. */
    public static String humanBytes(long bytes) {
        if (bytes < 0) {
            throw new IllegalArgumentException("bytes must be >= 0, got " + bytes);
        }
        if (bytes < 1024) {
            return bytes + " B";
        }
        String units = "KMGTPE";
        double value = bytes;
        int unit = -1;
        while (value >= 1024 && unit < units.length() - 1) {
            value /= 1024;
            unit++;
        }
        return String.format(Locale.ROOT, "%.1f %siB", value, units.charAt(unit));
    }

    static void requireName(String what, String value) {
        Objects.requireNonNull(value, what + " must not be null");
        if (value.isBlank()) {
            throw new IllegalArgumentException(what + " must not be blank");
        }
        // Names end up in one-line records and table cells; a newline or tab would break both.
        if (value.chars().anyMatch(Character::isISOControl)) {
            throw new IllegalArgumentException(what + " must not contain control characters, got "
                    + value.replaceAll("\\p{Cntrl}", "?"));
        }
    }

    private static void requireAmount(String what, double value) {
        // NaN fails both comparisons, so it is rejected here too.
        if (!(value >= 0) || Double.isInfinite(value)) {
            throw new IllegalArgumentException(what + " must be a finite number >= 0, got " + value);
        }
    }
}
