package dev.burst.internal.scheduler;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Work stealing: which task a worker with a free thread asks a busier worker to give up, and the
 * books of the requests under way. {@link SchedulerState} sends the request and, only when the victim
 * confirms it had not started the task, moves it.
 *
 * <p>Design notes.
 * <ul>
 *   <li>A worker holds more tasks than threads (saturation, latency hiding, and dependents placed
 *   by data), so a short task can wait behind a long one while another worker idles. Like Dask's
 *   {@code WorkStealing}, tasks move from a worker whose backlog exceeds its threads to one with a
 *   free thread; unlike Dask, on the events that leave a thread free (a task finished or failed, a
 *   worker joined, a steal answered) rather than on a 100 ms timer: the pure core has no clock, and
 *   a free thread need not wait for a tick.
 *   <li>Confirmed, as in Dask (distributed#3069, #4413): the victim is asked and answers whether it
 *   dropped the task before starting it. Only then does the task move, so a stolen task never runs
 *   twice. A refused request is not repeated for the same run (the task is running there), which
 *   keeps a thief from asking again and again for a task it cannot have.
 *   <li>Only when the scheduler's own queue is empty (the queue is what a free thread takes first),
 *   no worker retires and admission is open: a retiring victim's results are being copied, and
 *   tasks refused new work must not move.
 *   <li>Only tasks worth moving. One whose inputs the thief has (a root task, say) always is: the
 *   move costs a request, and the victim refuses once it started the task. One that needs inputs
 *   moved must wait on the victim (its expected work ahead of the task, per thread) at least
 *   {@code stealMinWaitNanos} and longer than fetching the inputs the thief lacks (Dask's cost
 *   ratio, with the wait saved in place of the task's duration: a tiny task stuck behind a long
 *   one is the case users meet, and Dask's rule "never below 5 ms of compute" would leave it
 *   there); never a task whose result the victim also holds. The expected wait is not trusted to
 *   refuse a free move: without a clock the core cannot see a task outlive its expected duration.
 *   <li>The victim is the worker with the longest backlog beyond its threads; its candidates are its
 *   newest few tasks (a worker starts tasks by priority, and the newest come last), so a choice
 *   costs O(backlogged workers), not O(tasks).
 * </ul>
 */
final class WorkStealing {
    /** How many of a victim's newest tasks are considered per request. */
    private static final int CANDIDATES = 8;

    /** A request under way: {@code task}, in run {@code runId} on {@code victim}, is wanted by {@code thief}. */
    record Steal(SchedulerTask task, long runId, SchedulerWorker victim, SchedulerWorker thief) {
    }

    private final SchedulerConfig config;
    /** Workers holding more tasks than threads. */
    private final Set<SchedulerWorker> backlogged = new LinkedHashSet<>();
    private final Map<SchedulerTask, Steal> underWay = new HashMap<>();
    /** Tasks a victim refused to give up, with the run it refused for. */
    private final Map<SchedulerTask, Long> refused = new HashMap<>();
    /** Workers that may have a free thread since the last pass. */
    private final Set<SchedulerWorker> mayHaveRoom = new LinkedHashSet<>();
    /**
     * Workers left with a free thread and nothing to steal at their last pass. Asked again when
     * that may have changed: a worker became backlogged, or stealing became allowed again (the
     * queue emptied, a retirement ended). Without this, a worker that went idle while stealing was
     * not allowed, or before anyone was backlogged, stayed idle until an event of its own.
     */
    private final Set<SchedulerWorker> idleThieves = new LinkedHashSet<>();
    /** A worker became backlogged since the last pass. */
    private boolean backlogGrew;
    /** Whether stealing was allowed at the last pass. */
    private boolean allowedBefore = true;

    WorkStealing(SchedulerConfig config) {
        this.config = config;
    }

    /** {@code w}'s tasks changed in number. */
    void loadChanged(SchedulerWorker w) {
        if (w.processing.size() > w.threads) {
            backlogGrew |= backlogged.add(w);
        } else if (!backlogged.isEmpty()) {
            backlogged.remove(w);
        }
        if (w.processing.size() >= w.threads && !idleThieves.isEmpty()) {
            idleThieves.remove(w);
        }
    }

    /** {@code w} may have a free thread now: consider it as a thief at the end of the event. */
    void mayHaveRoom(SchedulerWorker w) {
        if (config.stealing()) {
            mayHaveRoom.add(w);
        }
    }

    /** {@code t} left its worker (finished, failed, freed, moved, lost): no request about it stands. */
    void leftWorker(SchedulerTask t) {
        if (!underWay.isEmpty()) {
            underWay.remove(t);
        }
        if (!refused.isEmpty()) {
            refused.remove(t);
        }
    }

    /** {@code w} is gone: requests it made or was asked are void, and it is nobody's victim. */
    void workerLeft(SchedulerWorker w) {
        backlogged.remove(w);
        mayHaveRoom.remove(w);
        idleThieves.remove(w);
        underWay.values().removeIf(s -> s.victim() == w || s.thief() == w);
    }

    /**
     * The answer about run {@code runId} of {@code t}: the request it answers (removed from the books),
     * or null when none stands for that run. A refusal is remembered for the run.
     */
    Steal answered(SchedulerTask t, long runId, boolean released) {
        Steal s = underWay.get(t);
        if (s == null || s.runId() != runId) {
            return null;
        }
        underWay.remove(t);
        if (!released) {
            refused.put(t, runId);
        }
        mayHaveRoom(s.thief()); // it may ask for another
        return s;
    }

    /**
     * The requests to make now, for the workers that may have room, when stealing may happen at all
     * ({@code allowed}: the queue is empty, nobody retires, admission is open). Recorded as under way.
     */
    List<Steal> choose(boolean allowed) {
        boolean again = allowed && !idleThieves.isEmpty() && (backlogGrew || !allowedBefore);
        allowedBefore = allowed;
        if (mayHaveRoom.isEmpty() && !again) {
            return List.of();
        }
        backlogGrew = false;
        if (again) {
            mayHaveRoom.addAll(idleThieves);
        }
        List<Steal> chosen = List.of();
        for (SchedulerWorker thief : mayHaveRoom) {
            if (thief.retiring) {
                idleThieves.remove(thief);
                continue;
            }
            if (allowed && !backlogged.isEmpty()) {
                Steal s;
                while (thief.processing.size() + incoming(thief) < thief.threads && (s = chooseFor(thief)) != null) {
                    underWay.put(s.task(), s);
                    if (chosen.isEmpty()) {
                        chosen = new ArrayList<>(2);
                    }
                    chosen.add(s);
                }
            }
            if (thief.processing.size() + incoming(thief) < thief.threads) {
                idleThieves.add(thief);
            } else {
                idleThieves.remove(thief);
            }
        }
        mayHaveRoom.clear();
        return chosen;
    }

    /** Requests under way, for tests and invariants. */
    int underWayCount() {
        return underWay.size();
    }

    private Steal chooseFor(SchedulerWorker thief) {
        Steal best = null;
        int bestBacklog = 0;
        for (SchedulerWorker v : backlogged) {
            int backlog = v.processing.size() - outgoing(v) - v.threads;
            if (v == thief || backlog <= bestBacklog) {
                continue;
            }
            SchedulerTask t = candidate(v, thief, backlog);
            if (t != null) {
                best = new Steal(t, t.runId, v, thief);
                bestBacklog = backlog;
            }
        }
        return best;
    }

    /** The newest of {@code victim}'s last few tasks that {@code thief} may take, or null. */
    private SchedulerTask candidate(SchedulerWorker victim, SchedulerWorker thief, int backlog) {
        Iterator<SchedulerTask> newestFirst = victim.processing.reversed().iterator();
        // The newest `backlog + threads`, not only the newest `backlog`: the running ones are not
        // always the oldest (a worker starts by priority), and one that runs or cannot move (its
        // inputs are far) must not hide a free one behind it. A task that has started is refused.
        // At most CANDIDATES: this runs on every event that frees a thread.
        int limit = Math.min(backlog + victim.threads, CANDIDATES);
        for (int seen = 0; seen < limit && newestFirst.hasNext(); ) {
            SchedulerTask t = newestFirst.next();
            if (underWay.containsKey(t)) {
                continue; // asked already: does not count as a candidate
            }
            Long refusedRun = refused.get(t);
            if (refusedRun != null && refusedRun == t.runId) {
                // Refused: it runs there. Not a candidate either: a task started out of order (by
                // priority) is often the newest, and counting it hid the waiting one behind it.
                continue;
            }
            seen++;
            if ((t.whoHas != null && t.whoHas.contains(victim))
                    || !t.spec.resources().fitsIn(thief.resources)
                    || !worthMoving(t, victim, thief)) {
                continue;
            }
            return t;
        }
        return null;
    }

    private boolean worthMoving(SchedulerTask t, SchedulerWorker victim, SchedulerWorker thief) {
        long missing = 0;
        for (SchedulerTask d : t.dependencies) {
            if (d.whoHas == null || !d.whoHas.contains(thief)) {
                missing += d.nbytes;
            }
        }
        if (missing == 0) {
            // Nothing to move but the request: always worth asking. The expected wait cannot say no
            // here, because it is blind to a running task that outlives its prefix's average: the
            // core has no clock, and a prefix learned from quick tasks (all of a method's lambdas
            // share one) rates a long one as quick. That left a short task behind a 1.5 s one while
            // the other worker idled, whenever placement's tie-break (fewer stored bytes: a held
            // result, such as the input of a failed task, tips it) put both on one worker.
            return true;
        }
        double wait = (victim.occupancy - t.occupancyShare) / victim.threads; // the work assigned before it
        return wait >= config.stealMinWaitNanos() && wait >= missing * 1e9 / config.bandwidthBytesPerSecond();
    }

    private int incoming(SchedulerWorker thief) {
        int n = 0;
        for (Steal s : underWay.values()) {
            if (s.thief() == thief) {
                n++;
            }
        }
        return n;
    }

    private int outgoing(SchedulerWorker victim) {
        if (underWay.isEmpty()) {
            return 0;
        }
        int n = 0;
        for (Steal s : underWay.values()) {
            if (s.victim() == victim) {
                n++;
            }
        }
        return n;
    }
}
