package dev.burst.internal.scheduler;

import dev.burst.internal.adaptive.ClusterSnapshot;
import dev.burst.internal.adaptive.WorkerView;
import dev.burst.internal.core.ResourceAmounts;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

import static dev.burst.internal.scheduler.SchedulerTaskState.MEMORY;

/**
 * Takes the {@link ClusterSnapshot} the adaptive policy decides from, out of the scheduler's books.
 * Read only; runs on the scheduler's thread.
 *
 * <p>Design notes.
 * <ul>
 *   <li>Cost: O(workers + stored results + waiting tasks). The sole-result count walks every result
 *   each worker holds (each holder list is nearly always one long); the waiting work walks the root
 *   queue and the parked tasks. Taken once per adaptive interval (seconds), not per event, this is
 *   small next to handling the events that created those results and tasks.
 *   <li>A result counts as a worker's sole needed result by the rule {@link Retirement} copies by: in
 *   memory, needed (a dependent that is not done, or a client, wants it), and no other holder stays
 *   (every other holder is retiring). One refinement: a result that every wanting client holds
 *   already and no unfinished dependent needs is not counted, since losing it costs no recompute.
 *   <li>Waiting = queued root tasks + tasks in NO_WORKER; a WAITING task whose inputs are all in
 *   memory is placed in the same event, so there are no others runnable and unassigned between
 *   events. Parked tasks whose request no worker shape could ever satisfy still count: simple, and
 *   at worst it keeps the maximum asked for while such tasks wait (the scheduler warns about them).
 *   <li>Expected work uses learned durations per prefix, the configured default for unknown ones;
 *   processing work is each worker's occupancy (expected nanoseconds of its assigned tasks).
 * </ul>
 */
final class AdaptiveView {
    private AdaptiveView() {
    }

    static ClusterSnapshot snapshot(Collection<SchedulerWorker> workers, RootQueue queued,
                                    Collection<SchedulerTask> noWorker, TaskDurations durations) {
        List<WorkerView> views = new ArrayList<>(workers.size());
        for (SchedulerWorker w : workers) {
            int sole = 0;
            for (SchedulerTask t : w.hasWhat) {
                if (soleNeeded(t, w)) {
                    sole++;
                }
            }
            views.add(new WorkerView(w.id.name(), w.threads, w.processing.size(), w.occupancy, w.storedBytes,
                    sole, w.retiring));
        }
        int waiting = 0;
        double work = 0;
        for (ResourceAmounts request : queued.requests()) {
            for (SchedulerTask t : queued.asking(request)) {
                waiting++;
                work += durations.expectedNanos(t.duration);
            }
        }
        for (SchedulerTask t : noWorker) {
            waiting++;
            work += durations.expectedNanos(t.duration);
        }
        return new ClusterSnapshot(views, waiting, work);
    }

    /** {@code t}'s result would be lost (and recomputed) if {@code holder} left now. */
    private static boolean soleNeeded(SchedulerTask t, SchedulerWorker holder) {
        if (t.state != MEMORY || !t.needed() || t.heldByClientsOnly()) {
            return false;
        }
        for (SchedulerWorker other : t.whoHas) {
            if (other != holder && !other.retiring) {
                return false;
            }
        }
        return true;
    }
}
