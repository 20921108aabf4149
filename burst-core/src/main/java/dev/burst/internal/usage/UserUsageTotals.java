package dev.burst.internal.usage;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * The sum of several runs of one user: the "who used what" line under {@code burst usage} and, later,
 * the gateway's per-user report.
 *
 * @param user                  whose runs these are
 * @param runs                  how many runs were added up
 * @param coreSecondsAllocated  Σ allocated core-seconds
 * @param coreSecondsBusy       Σ busy core-seconds
 * @param gpuSecondsAllocated   Σ allocated GPU-seconds
 * @param gpuSecondsBusy        Σ busy GPU-seconds
 * @param cpuSeconds            Σ CPU-seconds
 * @param tasks                 Σ tasks
 * @param bytesSpilled          Σ bytes spilled
 */
public record UserUsageTotals(String user, int runs, double coreSecondsAllocated, double coreSecondsBusy,
                              double gpuSecondsAllocated, double gpuSecondsBusy, double cpuSeconds, long tasks,
                              long bytesSpilled) {

    public UserUsageTotals {
        UsageTotals.requireName("user", user);
        if (runs < 0) {
            throw new IllegalArgumentException("runs must be >= 0, got " + runs);
        }
    }

    /**
     * Adds the runs up per user, users in the order they first appear in {@code runs} (so a newest-first
     * list gives the most recently active user first).
     */
    public static List<UserUsageTotals> byUser(List<UsageTotals> runs) {
        Objects.requireNonNull(runs, "runs");
        Map<String, UserUsageTotals> sums = new LinkedHashMap<>();
        for (UsageTotals run : runs) {
            sums.merge(run.user(), of(run), UserUsageTotals::plus);
        }
        return new ArrayList<>(sums.values());
    }

    /** One run as a sum of one. */
    public static UserUsageTotals of(UsageTotals run) {
        return new UserUsageTotals(run.user(), 1, run.coreSecondsAllocated(), run.coreSecondsBusy(),
                run.gpuSecondsAllocated(), run.gpuSecondsBusy(), run.cpuSeconds(), run.tasks(), run.bytesSpilled());
    }

    /** This sum plus another of the same user. */
    public UserUsageTotals plus(UserUsageTotals other) {
        if (!user.equals(other.user)) {
            throw new IllegalArgumentException("cannot add usage of user " + other.user + " to that of user " + user);
        }
        return new UserUsageTotals(user, runs + other.runs, coreSecondsAllocated + other.coreSecondsAllocated,
                coreSecondsBusy + other.coreSecondsBusy, gpuSecondsAllocated + other.gpuSecondsAllocated,
                gpuSecondsBusy + other.gpuSecondsBusy, cpuSeconds + other.cpuSeconds,
                Math.addExact(tasks, other.tasks), Math.addExact(bytesSpilled, other.bytesSpilled));
    }

    /** Busy ÷ allocated core-seconds over all the runs; 0 when nothing was allocated. */
    public double efficiency() {
        return coreSecondsAllocated <= 0 ? 0 : coreSecondsBusy / coreSecondsAllocated;
    }

    @Override
    public String toString() {
        // GPU figures only where there were GPUs: most runs have none, and the line is long enough.
        String gpus = gpuSecondsAllocated > 0 || gpuSecondsBusy > 0
                ? String.format(Locale.ROOT, ", %.1f GPU-s allocated, %.1f GPU-s busy", gpuSecondsAllocated, gpuSecondsBusy)
                : "";
        return String.format(Locale.ROOT, "%s: %d run%s, %.1f core-s allocated, %.1f core-s busy, efficiency %.3f%s, "
                        + "%.1f cpu-s, %,d tasks, %s spilled",
                user, runs, runs == 1 ? "" : "s", coreSecondsAllocated, coreSecondsBusy, efficiency(), gpus,
                cpuSeconds, tasks, UsageTotals.humanBytes(bytesSpilled));
    }
}
