package dev.burst.internal.adaptive;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Decides how many workers a cluster should have and which ones to let go, from a scheduler
 * snapshot, the workers asked for that have not arrived, and the time. Pure: no threads, clocks or
 * I/O; the adaptive controller calls {@link #decide} on an interval and carries the decision out.
 *
 * <p>Design notes.
 * <ul>
 *   <li>Target: threads wanted = ⌈expected work (waiting + processing) ÷ targetDuration⌉, but never
 *   more threads than tasks to run; workers = ⌈threads ÷ threadsPerWorker⌉ (threads, not workers,
 *   are what run tasks: Dask #2709), clamped to [minimum, maximum]. Unknown durations come in as the
 *   scheduler's default, so a burst of new work scales up on the first decision.
 *   <li>Size = connected workers that are not retiring + workers asked for and not arrived. Counting
 *   the pending ones means repeated decisions do not ask twice for the same shortfall.
 *   <li>A decision either starts workers or retires them, never both (Dask #1604). Cancelling pending
 *   workers that timed out may go with a start: they count as failed, not as scaling down.
 *   <li>Scale-down waits until the target has been below the size for {@code scaleDownDelay} without
 *   a break, so a short lull between bursts does not throw workers away. Surplus pending workers are
 *   cancelled first (they cost nothing to drop and may still be queued), newest first; then idle
 *   workers (idle for {@code idleTimeout}, as seen at decisions) are retired, those holding fewer
 *   sole results and fewer bytes first. A worker holding results that exist nowhere else is retired
 *   only while another connected worker stays to receive them (graceful retirement copies them).
 *   <li>A failed start (reported by {@link #startFailed}, or a pending worker past arrivalTimeout)
 *   starts a back-off: no new starts for startBackoff, doubling per failure in a row up to
 *   maxBackoff. Failures during a back-off belong to the same round (say, all workers of one request
 *   failing at once) and do not double it again. A worker arriving resets it.
 *   <li>Idle times are measured at decisions only, so they are as precise as the decision interval.
 * </ul>
 */
public final class AdaptivePolicy {
    private static final Comparator<WorkerView> CHEAPEST_TO_RETIRE = Comparator
            .comparingInt(WorkerView::soleNeededResults)
            .thenComparingLong(WorkerView::storedBytes)
            .thenComparing(WorkerView::name);

    private final AdaptiveSettings settings;
    private final int threadsPerWorker;

    /** Since when each connected worker has had nothing to run. */
    private final Map<String, Long> idleSince = new HashMap<>();
    /** Workers connected at the last decision; null before the first, which only sets the baseline. */
    private Set<String> knownWorkers;
    /** Pending workers cancelled or failed already: no longer counted, and not failed twice. */
    private final Set<String> givenUp = new HashSet<>();
    /**
     * Workers this policy told to retire, counted as retiring until they leave even if a snapshot
     * taken before the controller acted still shows them active: so they are not retired twice.
     */
    private final Set<String> retired = new HashSet<>();
    /** Since when the target has been below the size without a break; null when it is not. */
    private Long belowSince;
    /** Failed starts in a row (rounds, see the design note); 0 when the last start worked. */
    private int failuresInRow;
    private long backoffUntilNanos = Long.MIN_VALUE;
    private long backoffNanos;
    private String lastFailure = "";

    public AdaptivePolicy(AdaptiveSettings settings, int threadsPerWorker) {
        if (settings == null) {
            throw new IllegalArgumentException("settings must not be null");
        }
        if (threadsPerWorker < 1) {
            throw new IllegalArgumentException("threadsPerWorker must be >= 1, got " + threadsPerWorker);
        }
        this.settings = settings;
        this.threadsPerWorker = threadsPerWorker;
    }

    public AdaptiveSettings settings() {
        return settings;
    }

    /**
     * A requested worker could not start (the cluster manager said so): no new starts for a while.
     * It is no longer counted as pending even if a later snapshot still lists it.
     */
    public void startFailed(String worker, String reason, long nowNanos) {
        givenUp.add(worker);
        registerFailure(nowNanos, "worker " + worker + " failed to start: " + reason);
    }

    /** What to do now. Call on an interval with a fresh snapshot; {@code nowNanos} must not go back. */
    public AdaptiveDecision decide(ClusterSnapshot snapshot, List<PendingWorker> pending, long nowNanos) {
        List<WorkerView> active = new ArrayList<>();
        Set<String> connected = new HashSet<>();
        for (WorkerView w : snapshot.workers()) {
            connected.add(w.name());
            if (!w.retiring() && !retired.contains(w.name())) {
                active.add(w);
            }
        }
        noteArrivals(connected);
        retired.retainAll(connected);
        trackIdle(active, nowNanos);

        // Pending workers: drop those that arrived or were given up; time out the overdue ones.
        Set<String> pendingNames = new HashSet<>();
        List<PendingWorker> waitingFor = new ArrayList<>();
        List<String> cancel = new ArrayList<>();
        for (PendingWorker p : pending) {
            pendingNames.add(p.name());
            if (connected.contains(p.name()) || givenUp.contains(p.name())) {
                continue;
            }
            if (nowNanos - p.requestedAtNanos() >= settings.arrivalTimeoutNanos()) {
                cancel.add(p.name());
                givenUp.add(p.name());
            } else {
                waitingFor.add(p);
            }
        }
        givenUp.retainAll(pendingNames); // the controller forgot them: so can we
        String timeoutNote = "";
        if (!cancel.isEmpty()) {
            registerFailure(nowNanos, cancel.size() + " requested workers did not arrive within "
                    + seconds(settings.arrivalTimeoutNanos()));
            timeoutNote = "; cancelled " + cancel + " (not arrived within " + seconds(settings.arrivalTimeoutNanos()) + ")";
        }

        Load load = load(snapshot, active);
        int target = target(load);
        int current = active.size() + waitingFor.size();
        String from = load.describe() + ": " + current + " → " + target + " workers";

        if (target > current) {
            belowSince = null;
            if (nowNanos < backoffUntilNanos) {
                return new AdaptiveDecision(target, 0, List.of(), cancel, "backing off "
                        + seconds(backoffUntilNanos - nowNanos) + " more after a failed start (" + lastFailure
                        + "): want " + target + " workers, have " + current + timeoutNote);
            }
            return new AdaptiveDecision(target, target - current, List.of(), cancel, from + timeoutNote);
        }
        if (target == current) {
            belowSince = null;
            return new AdaptiveDecision(target, 0, List.of(), cancel,
                    load.describe() + ": steady at " + current + " workers" + timeoutNote);
        }
        if (belowSince == null) {
            belowSince = nowNanos;
        }
        long below = nowNanos - belowSince;
        if (below < settings.scaleDownDelayNanos()) {
            return new AdaptiveDecision(target, 0, List.of(), cancel, load.describe() + ": want " + target
                    + " workers, have " + current + "; scaling down in " + seconds(settings.scaleDownDelayNanos() - below)
                    + " unless work arrives" + timeoutNote);
        }
        return scaleDown(load, target, current, active, waitingFor, cancel, nowNanos, timeoutNote);
    }

    private AdaptiveDecision scaleDown(Load load, int target, int current, List<WorkerView> active,
                                       List<PendingWorker> waitingFor, List<String> cancel, long nowNanos,
                                       String timeoutNote) {
        int surplus = current - target;
        // Newest pending first: the oldest are the likeliest to arrive soon.
        List<PendingWorker> newestFirst = new ArrayList<>(waitingFor);
        newestFirst.sort(Comparator.comparingLong(PendingWorker::requestedAtNanos).reversed()
                .thenComparing(PendingWorker::name));
        List<String> cancelled = new ArrayList<>();
        for (int i = 0; i < newestFirst.size() && surplus > 0; i++, surplus--) {
            cancelled.add(newestFirst.get(i).name());
            givenUp.add(newestFirst.get(i).name());
        }

        List<WorkerView> idle = new ArrayList<>();
        for (WorkerView w : active) {
            Long since = idleSince.get(w.name());
            if (since != null && nowNanos - since >= settings.idleTimeoutNanos()) {
                idle.add(w);
            }
        }
        idle.sort(CHEAPEST_TO_RETIRE);
        List<WorkerView> victims = new ArrayList<>(idle.subList(0, Math.min(surplus, idle.size())));
        // Results that exist nowhere else need a connected worker that stays to receive them; the
        // victims holding most come last, so dropping from the end keeps the cheapest retirements.
        String kept = "";
        while (!victims.isEmpty() && victims.size() == active.size() && victims.getLast().soleNeededResults() > 0) {
            WorkerView keep = victims.removeLast();
            kept = "; keeping " + keep.name() + ": it holds " + keep.soleNeededResults()
                    + " needed results that exist nowhere else";
        }
        List<String> retire = victims.stream().map(WorkerView::name).toList();
        retired.addAll(retire);
        List<String> allCancelled = new ArrayList<>(cancel);
        allCancelled.addAll(cancelled);
        String what;
        if (retire.isEmpty() && cancelled.isEmpty()) {
            what = load.describe() + ": want " + target + " workers, have " + current + "; none idle for "
                    + seconds(settings.idleTimeoutNanos()) + " yet" + kept;
        } else {
            int after = current - retire.size() - cancelled.size();
            what = load.describe() + ": " + current + " → " + after + " workers"
                    + (retire.isEmpty() ? "" : ", retiring " + String.join(", ", retire))
                    + (cancelled.isEmpty() ? "" : ", cancelling pending " + String.join(", ", cancelled)) + kept;
        }
        return new AdaptiveDecision(target, 0, retire, allCancelled, what + timeoutNote);
    }

    /** Tasks and expected work from the snapshot, waiting plus processing on active workers. */
    private record Load(int waitingTasks, int processingTasks, double workNanos) {
        int tasks() {
            return waitingTasks + processingTasks;
        }

        String describe() {
            return waitingTasks + " tasks waiting, " + processingTasks + " running, " + seconds(workNanos) + " of work";
        }
    }

    private static Load load(ClusterSnapshot snapshot, List<WorkerView> active) {
        int processing = 0;
        double work = Math.max(0, snapshot.waitingWorkNanos());
        for (WorkerView w : active) {
            processing += w.processingTasks();
            work += Math.max(0, w.processingWorkNanos());
        }
        return new Load(Math.max(0, snapshot.waitingTasks()), processing, work);
    }

    private int target(Load load) {
        long threads = 0;
        if (load.tasks() > 0) {
            double byWork = Math.ceil(load.workNanos() / settings.targetDurationNanos());
            // At least one thread for any task (work may be estimated as 0), at most one per task.
            threads = Math.max(1, Math.min(load.tasks(), (long) Math.min(byWork, Long.MAX_VALUE / 2)));
        }
        long workers = (threads + threadsPerWorker - 1) / threadsPerWorker;
        return (int) Math.max(settings.minimum(), Math.min(settings.maximum(), workers));
    }

    private void noteArrivals(Set<String> connected) {
        if (knownWorkers != null && !knownWorkers.containsAll(connected)) {
            failuresInRow = 0;
            backoffUntilNanos = Long.MIN_VALUE;
            backoffNanos = 0;
        }
        knownWorkers = connected;
    }

    private void trackIdle(List<WorkerView> active, long nowNanos) {
        Set<String> names = new HashSet<>();
        for (WorkerView w : active) {
            names.add(w.name());
            if (w.processingTasks() == 0) {
                idleSince.putIfAbsent(w.name(), nowNanos);
            } else {
                idleSince.remove(w.name());
            }
        }
        idleSince.keySet().retainAll(names);
    }

    private void registerFailure(long nowNanos, String what) {
        lastFailure = what;
        if (failuresInRow > 0 && nowNanos < backoffUntilNanos) {
            return; // the same round of failures: already backing off
        }
        failuresInRow++;
        backoffNanos = failuresInRow == 1 ? settings.startBackoffNanos()
                : Math.min(settings.maxBackoffNanos(), saturatingDouble(backoffNanos));
        backoffUntilNanos = nowNanos + backoffNanos;
    }

    private static long saturatingDouble(long nanos) {
        return nanos > Long.MAX_VALUE / 2 ? Long.MAX_VALUE : nanos * 2;
    }

    /** The current back-off, 0 when none has started since the last arrival (for tests and logs). */
    long backoffNanos() {
        return backoffNanos;
    }

    static String seconds(double nanos) {
        return String.format(Locale.ROOT, "%.1f s", nanos / 1e9);
    }
}
