package dev.burst.internal.scheduler;

import dev.burst.internal.core.ResourceAmounts;

import java.util.Collection;

/**
 * Where a runnable task should go: the worker with the earliest estimated start, where
 * start = occupancy ÷ threads + bytes of inputs it lacks ÷ bandwidth, ties to the worker storing
 * fewer bytes (retiring workers take nothing new); and how many tasks a worker may hold before root tasks wait in the scheduler's queue.
 */
final class Placement {
    private final SchedulerConfig config;
    private final TaskDurations durations;

    /** The outcome for one task: the best worker (null if none has room), and whether any fits at all. */
    record Choice(SchedulerWorker best, boolean anyFits) {
    }

    Placement(SchedulerConfig config, TaskDurations durations) {
        this.config = config;
        this.durations = durations;
    }

    Choice choose(SchedulerTask t, Collection<SchedulerWorker> workers) {
        ResourceAmounts need = t.spec.resources();
        SchedulerWorker best = null;
        double bestStart = Double.MAX_VALUE;
        boolean anyFits = false;
        for (SchedulerWorker w : workers) {
            if (w.retiring || !need.fitsIn(w.resources)) {
                continue;
            }
            anyFits = true;
            if (t.isRoot() && w.processing.size() >= cap(w, t)) {
                continue;
            }
            double start = w.occupancy / w.threads + missingBytes(t, w) * 1e9 / config.bandwidthBytesPerSecond();
            if (start < bestStart || (start == bestStart && best != null && w.storedBytes < best.storedBytes)) {
                best = w;
                bestStart = start;
            }
        }
        return new Choice(best, anyFits);
    }

    /**
     * Tasks {@code w} may hold at once when {@code t} is a root task: {@code ceil(saturation × threads)},
     * raised for tasks so short that threads would idle while results travel (latency hiding).
     */
    int cap(SchedulerWorker w, SchedulerTask t) {
        int saturated = (int) Math.ceil(config.saturation() * w.threads);
        double expected = Math.max(1, durations.expectedNanos(t.duration));
        long hiding = (long) Math.min((double) config.maxTasksPerThread(), config.latencyHidingNanos() / expected) * w.threads;
        return (int) Math.max(saturated, hiding);
    }

    private static long missingBytes(SchedulerTask t, SchedulerWorker w) {
        long sum = 0;
        for (SchedulerTask d : t.dependencies) {
            if (d.whoHas == null || !d.whoHas.contains(w)) {
                sum += d.nbytes;
            }
        }
        return sum;
    }

    /** Whether a worker that is not retiring could ever run a task asking for {@code need}. */
    static boolean anyStayingWorkerFits(java.util.Collection<SchedulerWorker> workers, ResourceAmounts need) {
        for (SchedulerWorker x : workers) {
            if (!x.retiring && need.fitsIn(x.resources)) {
                return true;
            }
        }
        return false;
    }
}
