package dev.burst.internal.scheduler;

import dev.burst.internal.core.StimulusId;
import dev.burst.internal.core.TaskKey;
import dev.burst.internal.core.WorkerId;
import dev.burst.internal.scheduler.SchedulerCommand.CopyKeys;
import dev.burst.internal.scheduler.SchedulerCommand.FreeKeys;
import dev.burst.internal.scheduler.SchedulerCommand.LogWarning;
import dev.burst.internal.scheduler.SchedulerCommand.RetireWorker;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;

import static dev.burst.internal.scheduler.SchedulerTaskState.MEMORY;

/**
 * Graceful retirement of workers (Dask's {@code retire_workers}). A retiring worker takes no new
 * tasks ({@link SchedulerWorker#retiring}, honoured by placement and the root queue) and finishes
 * what it runs; every result that is still needed and held by retiring workers only is copied to a
 * worker that stays; then the shell is told to close it ({@link RetireWorker}, once).
 *
 * <p>Design notes.
 * <ul>
 *   <li>{@link #check} runs after every event while a worker retires: sole copies come and go as
 *   results finish, holders leave, keys are released and copies land, so there is no cheaper moment
 *   that is always right. It costs the results held by retiring workers, for the few round trips a
 *   retirement takes.
 *   <li>At most one {@link CopyKeys} is outstanding per target, so its {@link SchedulerEvent.KeysCopied}
 *   answer says which copies failed (the keys it leaves out). A failed copy is tried again by the next
 *   check, at most {@link #MAX_COPY_ATTEMPTS} times; after that the retiring worker is let go with a
 *   warning and the result is recomputed if still needed, as on any worker loss. So a retiring worker
 *   is always retired in the end (or leaves on its own), never kept waiting.
 *   <li>Each copy goes to the staying worker with the fewest stored bytes, counting what this round
 *   sends it. With no staying worker, retiring workers are let go at once with a warning.
 * </ul>
 */
final class Retirement {
    static final int MAX_COPY_ATTEMPTS = 3;
    /** How many keys a warning names before it only counts them. */
    private static final int KEYS_NAMED = 10;

    private final Map<WorkerId, SchedulerWorker> workers;
    private final Map<TaskKey, SchedulerTask> tasks;
    /** Workers retiring, in the order asked; a worker stays here until it leaves. */
    private final Set<SchedulerWorker> retiring = new LinkedHashSet<>();
    /** Retiring workers told to close: they only wait for WorkerLeft now. */
    private final Set<SchedulerWorker> closing = new HashSet<>();
    /** The outstanding CopyKeys per target: what it was asked to copy. */
    private final Map<SchedulerWorker, List<SchedulerTask>> batches = new HashMap<>();
    /** Tasks being copied now, and where to. */
    private final Map<SchedulerTask, SchedulerWorker> copying = new HashMap<>();
    /** Copies of a task's result that came back without it; a recomputed result starts afresh. */
    private final Map<SchedulerTask, Failures> failedCopies = new HashMap<>();

    /** {@code count} failed copies of the result of run {@code runId}. */
    private record Failures(long runId, int count) {
    }

    /** A staying worker and the bytes it stores plus what this round sends it. */
    private record Load(SchedulerWorker worker, long bytes, int order) {
    }

    Retirement(Map<WorkerId, SchedulerWorker> workers, Map<TaskKey, SchedulerTask> tasks) {
        this.workers = workers;
        this.tasks = tasks;
    }

    /** Whether any worker is retiring or any copy is under way. */
    boolean active() {
        return !retiring.isEmpty() || !copying.isEmpty() || !batches.isEmpty();
    }

    Set<WorkerId> retiring() {
        Set<WorkerId> ids = new LinkedHashSet<>();
        for (SchedulerWorker w : retiring) {
            ids.add(w.id);
        }
        return ids;
    }

    /** Marks the named workers retiring; true if any was not retiring before. */
    boolean retire(List<WorkerId> ids, List<SchedulerCommand> out) {
        boolean any = false;
        List<WorkerId> unknown = new ArrayList<>();
        for (WorkerId id : ids) {
            SchedulerWorker w = workers.get(id);
            if (w == null) {
                unknown.add(id);
            } else if (!w.retiring) {
                w.retiring = true;
                retiring.add(w);
                any = true;
            }
        }
        if (!unknown.isEmpty()) {
            out.add(new LogWarning("asked to retire unknown workers " + unknown + "; ignored"));
        }
        return any;
    }

    /** {@code wid} holds copies of {@code keys} now; what it was asked for and did not copy failed. */
    void keysCopied(WorkerId wid, List<TaskKey> keys, List<SchedulerCommand> out, StimulusId stimulus) {
        SchedulerWorker w = workers.get(wid);
        if (w == null) {
            return; // gone meanwhile, and its copies with it; its batch was dropped when it left
        }
        List<TaskKey> unwanted = new ArrayList<>();
        Set<TaskKey> got = new HashSet<>();
        for (TaskKey k : keys) {
            if (!got.add(k)) {
                continue;
            }
            SchedulerTask t = tasks.get(k);
            if (t != null && t.state == MEMORY) {
                t.addHolder(w);
                if (w.hasWhat.add(t)) {
                    w.storedBytes += t.nbytes;
                }
                failedCopies.remove(t);
            } else if (t == null || t.processingOn != w) {
                // Released (or lost and being recomputed) meanwhile: a copy nobody counts must not linger.
                unwanted.add(k);
            }
        }
        if (!unwanted.isEmpty()) {
            out.add(new FreeKeys(wid, unwanted, stimulus));
        }
        List<SchedulerTask> asked = batches.remove(w);
        if (asked != null) {
            for (SchedulerTask t : asked) {
                copying.remove(t, w);
                if (!got.contains(t.spec.key())) {
                    failedCopies.put(t, new Failures(t.runId, failures(t) + 1));
                }
            }
        }
    }

    /** {@code w} is gone: it neither retires nor receives copies any more. */
    void workerLeft(SchedulerWorker w) {
        if (retiring.remove(w)) {
            closing.remove(w);
        }
        List<SchedulerTask> asked = batches.remove(w);
        if (asked != null) {
            for (SchedulerTask t : asked) {
                copying.remove(t, w);
            }
        }
        if (retiring.isEmpty()) {
            failedCopies.clear();
        }
    }

    /** Starts the copies retiring workers wait for, and lets go those that wait for nothing. */
    void check(List<SchedulerCommand> out, StimulusId stimulus) {
        if (retiring.isEmpty()) {
            return;
        }
        // Whether any worker stays: found at the first one, not by listing ten thousand on every event.
        boolean noneStays = true;
        for (SchedulerWorker w : workers.values()) {
            if (!w.retiring) {
                noneStays = false;
                break;
            }
        }
        Set<SchedulerTask> toCopy = new LinkedHashSet<>();
        for (SchedulerWorker r : retiring) {
            if (closing.contains(r)) {
                continue;
            }
            boolean waits = !r.processing.isEmpty();
            List<SchedulerTask> lost = new ArrayList<>();
            for (SchedulerTask t : r.hasWhat) {
                if (!onlyOnRetiring(t)) {
                    continue;
                }
                if (noneStays || failures(t) >= MAX_COPY_ATTEMPTS) {
                    if (!t.heldByClientsOnly()) { // one its clients hold already is not recomputed: nothing to warn about
                        lost.add(t);
                    }
                    continue;
                }
                waits = true;
                if (!copying.containsKey(t)) {
                    toCopy.add(t);
                }
            }
            if (!waits) {
                if (!lost.isEmpty()) {
                    out.add(new LogWarning("retiring worker " + r.id + (noneStays
                            ? " with no other worker to copy its results to"
                            : " although copying its results failed " + MAX_COPY_ATTEMPTS + " times")
                            + ": " + lost.size() + " needed results will be recomputed: " + named(lost)));
                }
                closing.add(r);
                out.add(new RetireWorker(r.id, stimulus));
            }
        }
        if (!toCopy.isEmpty()) {
            List<SchedulerWorker> staying = new ArrayList<>();
            for (SchedulerWorker w : workers.values()) {
                if (!w.retiring) {
                    staying.add(w);
                }
            }
            sendCopies(toCopy, staying, out, stimulus);
        }
    }

    private int failures(SchedulerTask t) {
        Failures f = failedCopies.get(t);
        return f == null || f.runId() != t.runId ? 0 : f.count();
    }

    /** Needed, in memory, and every holder is retiring: it would be lost with them. */
    private static boolean onlyOnRetiring(SchedulerTask t) {
        if (t.state != MEMORY || !t.needed()) {
            return false;
        }
        for (SchedulerWorker h : t.whoHas) {
            if (!h.retiring) {
                return false;
            }
        }
        return true;
    }

    /** One CopyKeys per target with no copy outstanding; the rest wait for the next check. */
    private void sendCopies(Set<SchedulerTask> toCopy, List<SchedulerWorker> staying, List<SchedulerCommand> out,
                            StimulusId stimulus) {
        PriorityQueue<Load> loads = new PriorityQueue<>((a, b) -> a.bytes != b.bytes
                ? Long.compare(a.bytes, b.bytes) : Integer.compare(a.order, b.order));
        for (SchedulerWorker w : staying) {
            if (!batches.containsKey(w)) {
                loads.add(new Load(w, w.storedBytes, loads.size()));
            }
        }
        if (loads.isEmpty()) {
            return;
        }
        Map<SchedulerWorker, List<SchedulerTask>> plan = new LinkedHashMap<>();
        for (SchedulerTask t : toCopy) {
            Load l = loads.poll();
            plan.computeIfAbsent(l.worker(), w -> new ArrayList<>()).add(t);
            loads.add(new Load(l.worker(), l.bytes() + t.nbytes, l.order()));
        }
        for (Map.Entry<SchedulerWorker, List<SchedulerTask>> e : plan.entrySet()) {
            SchedulerWorker to = e.getKey();
            List<TaskKey> keys = new ArrayList<>(e.getValue().size());
            Map<TaskKey, List<WorkerId>> whoHas = new HashMap<>();
            for (SchedulerTask t : e.getValue()) {
                keys.add(t.spec.key());
                List<WorkerId> holders = new ArrayList<>(t.whoHas.size());
                for (SchedulerWorker h : t.whoHas) {
                    holders.add(h.id);
                }
                whoHas.put(t.spec.key(), holders);
                copying.put(t, to);
            }
            batches.put(to, e.getValue());
            out.add(new CopyKeys(to.id, keys, whoHas, stimulus));
        }
    }

    private static String named(List<SchedulerTask> lost) {
        List<TaskKey> keys = new ArrayList<>();
        for (int i = 0; i < lost.size() && i < KEYS_NAMED; i++) {
            keys.add(lost.get(i).spec.key());
        }
        return lost.size() > KEYS_NAMED ? keys + " and " + (lost.size() - KEYS_NAMED) + " more" : keys.toString();
    }
}
