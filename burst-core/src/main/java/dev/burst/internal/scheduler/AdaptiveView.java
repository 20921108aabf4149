package dev.burst.internal.scheduler;

import dev.burst.internal.adaptive.ClusterSnapshot;
import dev.burst.internal.adaptive.WorkerView;

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
 *   <li>Cost: O(workers + prefixes + stored results). The waiting work is counted per prefix as
 *   tasks enter and leave the queue and the parked set ({@link TaskTally}), so a million queued
 *   tasks cost nothing here. The sole-result count walks the results each worker holds (each
 *   holder list is nearly always one long); taken once per adaptive interval (seconds), not per
 *   event, that is small next to handling the events that stored those results.
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

    static ClusterSnapshot snapshot(Collection<SchedulerWorker> workers, TaskDurations durations) {
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
        for (TaskDurations.Prefix p : durations.all()) {
            if (p.waiting > 0) {
                waiting += p.waiting;
                work += p.waiting * durations.expectedNanos(p);
            }
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
