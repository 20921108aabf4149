package dev.burst.internal.scheduler;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Task counts kept as tasks change state, so that a status (a dashboard, a progress bar, idle
 * culling) costs O(workers + prefixes) to read instead of a walk over every task: at a million
 * tasks, a walk at 10 Hz would be the scheduler's main work. Per state, and per prefix (tasks ever
 * created and not dropped unfinished, finished at least once, erred at least once, running now; a
 * recomputed task counts once, a cancelled one not at all).
 */
final class TaskTally {
    private final int[] byState = new int[SchedulerTaskState.values().length];

    void created(SchedulerTask t) {
        byState[SchedulerTaskState.RELEASED.ordinal()]++;
        t.duration.total++;
    }

    void moved(SchedulerTask t, SchedulerTaskState from, SchedulerTaskState to) {
        byState[from.ordinal()]--;
        byState[to.ordinal()]++;
        TaskDurations.Prefix p = t.duration;
        if (from == SchedulerTaskState.PROCESSING) {
            p.processing--;
        } else if (from == SchedulerTaskState.QUEUED || from == SchedulerTaskState.NO_WORKER) {
            p.waiting--;
        }
        switch (to) {
            case PROCESSING -> p.processing++;
            case QUEUED, NO_WORKER -> p.waiting++;
            case MEMORY -> {
                if (!t.finishedOnce) {
                    t.finishedOnce = true;
                    p.finished++;
                }
            }
            case ERRED -> {
                if (!t.erredOnce) {
                    t.erredOnce = true;
                    p.erred++;
                }
            }
            case FORGOTTEN -> {
                if (!t.finishedOnce && !t.erredOnce) {
                    p.total--; // never ran to an end (cancelled, released): not part of the progress any more
                }
            }
            case RELEASED, WAITING -> { }
        }
    }

    SchedulerStatus status(Collection<SchedulerWorker> workers, TaskDurations durations) {
        Map<SchedulerTaskState, Integer> counts = new EnumMap<>(SchedulerTaskState.class);
        for (SchedulerTaskState s : SchedulerTaskState.values()) {
            if (s != SchedulerTaskState.FORGOTTEN) {
                counts.put(s, byState[s.ordinal()]);
            }
        }
        List<SchedulerStatus.PrefixProgress> prefixes = new ArrayList<>();
        for (TaskDurations.Prefix p : durations.all()) {
            if (p.total > 0) {
                prefixes.add(new SchedulerStatus.PrefixProgress(p.name, p.total, p.finished, p.erred, p.processing));
            }
        }
        prefixes.sort(Comparator.comparing(SchedulerStatus.PrefixProgress::prefix));
        List<SchedulerStatus.WorkerLoad> loads = new ArrayList<>(workers.size());
        for (SchedulerWorker w : workers) {
            loads.add(new SchedulerStatus.WorkerLoad(w.id, w.threads, w.resources, w.processing.size(), w.storedBytes, w.retiring));
        }
        return new SchedulerStatus(counts, prefixes, loads);
    }
}
