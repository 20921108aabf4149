package dev.burst.internal.scheduler;

import dev.burst.internal.core.ResourceAmounts;

import java.util.Collection;

/**
 * Where a runnable task should go: the worker with the earliest estimated start, where
 * start = occupancy ÷ threads + bytes of inputs it lacks ÷ bandwidth, ties to the worker storing
 * fewer bytes (retiring workers take nothing new); and how many tasks a worker may hold before root tasks wait in the scheduler's queue.
 *
 * <p>Up to {@code fullScanWorkers} workers every one is compared. Past that, comparing all of them
 * for every task makes a decision O(workers): a million tasks on ten thousand workers would be
 * 10<sup>10</sup> comparisons (the simulation at scale ran for minutes on it). Then, as Dask's
 * {@code decide_worker}, only candidates are compared: the holders of the task's inputs, and the
 * first {@link #IDLE_CANDIDATES} workers below their saturated size ({@code ceil(saturation × threads)}),
 * kept in an index updated as tasks come and go. A root task with no such worker left waits in the
 * queue, from which workers are topped up as their tasks end; only a task no candidate can take
 * (its inputs' holders and the sampled workers do not fit its resources) costs a full comparison.
 * Work stealing evens out what locality leaves uneven.
 */
final class Placement {
    /** Workers with a free thread compared besides the holders of a task's inputs, past the full-scan size. */
    static final int IDLE_CANDIDATES = 8;
    /** Holders compared at most (a task with very many inputs). */
    static final int HOLDER_CANDIDATES = 64;

    private final SchedulerConfig config;
    private final TaskDurations durations;
    /** Workers not retiring below their saturated size, in the order they became so. */
    private final java.util.Set<SchedulerWorker> idle = new java.util.LinkedHashSet<>();

    /** The outcome for one task: the best worker (null if none has room), and whether any fits at all. */
    record Choice(SchedulerWorker best, boolean anyFits) {
    }

    Placement(SchedulerConfig config, TaskDurations durations) {
        this.config = config;
        this.durations = durations;
    }

    /** {@code w}'s tasks changed in number, or it started retiring or left: keep the idle index right. */
    void loadChanged(SchedulerWorker w, boolean present) {
        if (present && !w.retiring && w.processing.size() < saturatedSize(w)) {
            idle.add(w);
        } else {
            idle.remove(w);
        }
    }

    Choice choose(SchedulerTask t, Collection<SchedulerWorker> workers) {
        if (workers.size() > config.fullScanWorkers()) {
            return chooseAmongCandidates(t, workers);
        }
        return chooseByFullScan(t, workers);
    }

    private Choice chooseByFullScan(SchedulerTask t, Collection<SchedulerWorker> workers) {
        return best(t, workers);
    }

    /** The worker among {@code among} where {@code t} would start earliest (null if none has room), and whether any fits it. */
    private Choice best(SchedulerTask t, Iterable<SchedulerWorker> among) {
        ResourceAmounts need = t.spec.resources();
        SchedulerWorker best = null;
        double bestStart = Double.MAX_VALUE;
        boolean anyFits = false;
        for (SchedulerWorker w : among) {
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

    private Choice chooseAmongCandidates(SchedulerTask t, Collection<SchedulerWorker> workers) {
        java.util.Set<SchedulerWorker> candidates = new java.util.LinkedHashSet<>();
        for (SchedulerTask d : t.dependencies) {
            if (d.whoHas != null) {
                for (SchedulerWorker h : d.whoHas) {
                    if (candidates.size() < HOLDER_CANDIDATES) {
                        candidates.add(h);
                    }
                }
            }
        }
        int fromIdle = 0;
        for (SchedulerWorker w : idle) {
            if (fromIdle++ >= IDLE_CANDIDATES) {
                break;
            }
            candidates.add(w);
        }
        Choice amongCandidates = best(t, candidates);
        if (amongCandidates.best() != null) {
            return amongCandidates;
        }
        if (t.isRoot() && idle.isEmpty()) {
            // Every worker is saturated: the queue.
            return new Choice(null, anyStayingWorkerFits(workers, t.spec.resources()));
        }
        return chooseByFullScan(t, workers); // no candidate can take it: compare every worker once
    }

    /**
     * Tasks {@code w} may hold at once when {@code t} is a root task: {@code ceil(saturation × threads)},
     * raised for tasks so short that threads would idle while results travel (latency hiding).
     */
    int cap(SchedulerWorker w, SchedulerTask t) {
        int saturated = saturatedSize(w);
        double expected = Math.max(1, durations.expectedNanos(t.duration));
        long hiding = (long) Math.min((double) config.maxTasksPerThread(), config.latencyHidingNanos() / expected) * w.threads;
        return (int) Math.max(saturated, hiding);
    }

    /** {@code ceil(saturation × threads)}: root tasks a worker holds before the queue keeps the rest. */
    private int saturatedSize(SchedulerWorker w) {
        return (int) Math.ceil(config.saturation() * w.threads);
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
