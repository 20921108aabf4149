package dev.burst.internal.scheduler;

import java.util.Collection;

/**
 * Work stealing: which task a worker with a free thread takes over from a busier one. Pure: the
 * scheduler asks, then moves the task itself (the victim is told to drop it, the thief gets it).
 *
 * <p>Design notes.
 * <ul>
 *   <li>A worker is sent more tasks than it has threads (saturation, latency hiding), so a short
 *   task can sit queued behind a long one while another worker idles. Like Dask's
 *   {@code WorkStealing}, tasks move from a worker whose backlog exceeds its threads to one with a
 *   free thread; unlike Dask, on the events that free a thread (a task finished or failed, a
 *   worker joined) rather than on a 100 ms timer, since the pure core has no clock.
 *   <li>The task taken is the victim's newest, the one least likely to have started: a worker
 *   starts its tasks in the order they came when their priorities tie. The scheduler does not know
 *   for sure; if it had started, the victim drops the result and the thief's run is the one that
 *   counts (a late report of the old run is recognised by its run id and ignored), so a task still
 *   completes at most once per attempt.
 *   <li>Only when moving is cheaper than waiting (Dask's cost ratio): the inputs the thief lacks
 *   cost {@link #TRANSFER_NANOS_PER_BYTE} each, and a task is moved only when its expected
 *   duration is at least that.
 * </ul>
 */
final class WorkStealing {
    /** About 125 MB/s: what a result costs to move between workers, per byte. */
    static final double TRANSFER_NANOS_PER_BYTE = 8.0;

    /** A task to move, and from where. */
    record Steal(SchedulerTask task, SchedulerWorker victim) {
    }

    private WorkStealing() {
    }

    /**
     * The task {@code thief} should take now, or null: from the worker with the longest backlog
     * beyond its threads, its newest task that fits the thief and is worth moving.
     */
    static Steal choose(SchedulerWorker thief, Collection<SchedulerWorker> workers, TaskDurations durations) {
        if (thief.retiring || thief.processing.size() >= thief.threads) {
            return null;
        }
        Steal best = null;
        int bestBacklog = 0;
        for (SchedulerWorker v : workers) {
            int backlog = v.processing.size() - v.threads;
            if (v == thief || backlog <= bestBacklog) {
                continue;
            }
            SchedulerTask newest = null;
            for (SchedulerTask t : v.processing) {
                newest = t; // assignment order: the last is the newest
            }
            // Not a task whose result the victim also holds (a copy): dropping the task would drop that too.
            if (newest != null && (newest.whoHas == null || !newest.whoHas.contains(v))
                    && newest.spec.resources().fitsIn(thief.resources) && worthMoving(newest, thief, durations)) {
                best = new Steal(newest, v);
                bestBacklog = backlog;
            }
        }
        return best;
    }

    private static boolean worthMoving(SchedulerTask t, SchedulerWorker thief, TaskDurations durations) {
        long missing = 0;
        for (SchedulerTask d : t.dependencies) {
            if (d.whoHas == null || !d.whoHas.contains(thief)) {
                missing += d.nbytes;
            }
        }
        return missing == 0 || durations.expectedNanos(t.duration) >= missing * TRANSFER_NANOS_PER_BYTE;
    }
}
