package dev.burst.internal.scheduler;

import dev.burst.internal.core.ClientId;
import dev.burst.internal.core.ResourceAmounts;
import dev.burst.internal.core.StimulusId;
import dev.burst.internal.core.StoryLog;
import dev.burst.internal.core.TaskError;
import dev.burst.internal.core.TaskKey;
import dev.burst.internal.core.Transition;
import dev.burst.internal.core.WorkerId;
import dev.burst.internal.scheduler.SchedulerCommand.ComputeTask;
import dev.burst.internal.scheduler.SchedulerCommand.FreeKeys;
import dev.burst.internal.scheduler.SchedulerCommand.LogWarning;
import dev.burst.internal.scheduler.SchedulerCommand.ReportErred;
import dev.burst.internal.scheduler.SchedulerCommand.ReportStalled;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static dev.burst.internal.scheduler.SchedulerTaskState.ERRED;
import static dev.burst.internal.scheduler.SchedulerTaskState.FORGOTTEN;
import static dev.burst.internal.scheduler.SchedulerTaskState.MEMORY;
import static dev.burst.internal.scheduler.SchedulerTaskState.NO_WORKER;
import static dev.burst.internal.scheduler.SchedulerTaskState.PROCESSING;
import static dev.burst.internal.scheduler.SchedulerTaskState.QUEUED;
import static dev.burst.internal.scheduler.SchedulerTaskState.RELEASED;
import static dev.burst.internal.scheduler.SchedulerTaskState.WAITING;

/**
 * The scheduler as a pure state machine: {@link #handle} takes one event and returns the commands
 * the shell must carry out. No threads, sockets, files or clocks; one thread owns an instance.
 *
 * <p>Design notes.
 * <ul>
 *   <li>A task is <em>needed</em> while a client wants it or a dependent that is not done waits for
 *   it. Needed tasks move RELEASED → WAITING → (QUEUED | NO_WORKER) → PROCESSING → MEMORY; a task
 *   no longer needed drops its data and goes back to RELEASED, and is FORGOTTEN once no live task
 *   depends on it (a released task is kept while dependents exist so lost results can be recomputed).
 *   <li>Placement: earliest estimated start = occupancy ÷ threads + missing dependency bytes ÷
 *   bandwidth; ties go to the worker storing fewer bytes.
 *   <li>Root tasks (no dependencies) are queued here rather than flooded onto workers: a worker holds
 *   at most {@code ceil(saturation × threads)} tasks, raised for very short tasks so threads do not
 *   idle while results travel (see {@link SchedulerConfig}). The queue is grouped by resource
 *   request ({@link RootQueue}) so a worker never waits behind tasks it cannot run.
 *   <li>Workers enforce resources while executing; the scheduler only sends a task to a worker whose
 *   total resources can ever fit it, and parks it in NO_WORKER (telling clients why) otherwise.
 *   <li>Every assignment carries a run id that the worker's reports repeat. A report of any run but
 *   the current one is stale and ignored: when the scheduler took that run back it told the worker
 *   to free it. So late messages never count a result that is not there.
 *   <li>Each client is told a wanted key's outcome exactly once.
 *   <li>A result every wanting client holds already ({@link SchedulerEvent.ResultsReceived}) and no
 *   unfinished dependent needs is not recomputed when its last copy is lost (a retirement still copies
 *   it): it stays RELEASED, still wanted, until a new dependent or a client without it needs it.
 *   <li>Retiring workers take nothing new; {@link Retirement} moves their sole copies, then lets them go.
 *   <li>At the end of an event, workers left with a free thread ask busier ones for queued tasks
 *   ({@link WorkStealing}); a task moves only once its worker confirms it had not started it.
 * </ul>
 */
public final class SchedulerState {
    private final SchedulerConfig config;
    private final Map<TaskKey, SchedulerTask> tasks = new HashMap<>();
    private final Map<WorkerId, SchedulerWorker> workers = new LinkedHashMap<>();
    private final RootQueue queued = new RootQueue(SchedulerTask.BY_PRIORITY);
    private final Set<SchedulerTask> noWorker = new LinkedHashSet<>();
    private final TaskDurations durations;
    private final Placement placement;
    private final Retirement retirement = new Retirement(workers, tasks);
    private final TaskTally tally = new TaskTally();
    /** Whether the last TaskFinished/TaskFailed handled was the task's current run (not a stale or stolen one). */
    private boolean lastReportCurrent;
    /** Run ids handed out so far. */
    private long runs;
    /** Tasks created so far. */
    private long created;
    private final StoryLog story;
    private final Set<ResourceAmounts> warnedUnsatisfiable = new HashSet<>();
    private final Admission admission = new Admission(tasks);
    private final WorkStealing stealing;
    /** Keys released per event at most; the rest are handed back ({@link SchedulerCommand.HandleLater}). */
    static final int RELEASE_CHUNK = 5_000;

    /** Commands of the event being handled, and its cause. */
    private List<SchedulerCommand> out;
    private StimulusId stimulus;

    public SchedulerState(SchedulerConfig config) {
        this.config = config;
        this.durations = new TaskDurations(config.defaultDurationNanos());
        this.placement = new Placement(config, durations);
        this.stealing = new WorkStealing(config);
        this.story = new StoryLog(config.storyCapacity());
    }

    /** Applies one event; returns what the shell must do, in order. */
    public List<SchedulerCommand> handle(SchedulerEvent event) {
        out = new ArrayList<>();
        stimulus = event.stimulusId();
        switch (event) {
            case SchedulerEvent.WorkerJoined e -> workerJoined(e.worker(), e.resources());
            case SchedulerEvent.WorkerLeft e -> workerLeft(e.worker());
            case SchedulerEvent.GraphSubmitted e -> graphSubmitted(e.client(), e.tasks(), e.wanted());
            case SchedulerEvent.KeysReleased e -> keysReleased(e.client(), e.keys());
            case SchedulerEvent.TaskFinished e -> taskFinished(e.worker(), e.key(), e.runId(), e.nbytes(), e.durationNanos());
            case SchedulerEvent.TaskFailed e -> taskFailed(e.worker(), e.key(), e.runId(), e.error());
            case SchedulerEvent.DataMissing e -> dataMissing(e.worker(), e.key(), e.runId(), e.dependency(), e.holder());
            case SchedulerEvent.ResultsReceived e -> resultsReceived(e.client(), e.keys());
            case SchedulerEvent.ClientLeft e -> clientLeft(e.client());
            case SchedulerEvent.RetireWorkers e -> {
                boolean retiring = retirement.retire(e.workers(), out);
                for (WorkerId id : e.workers()) {
                    SchedulerWorker w = workers.get(id);
                    if (w != null) {
                        placement.loadChanged(w, true); // retiring: no longer a candidate
                    }
                }
                if (retiring && !queued.isEmpty()) {
                    parkQueuedThatFitNowhere(); // those only retiring workers could run
                }
            }
            case SchedulerEvent.KeysCopied e -> retirement.keysCopied(e.worker(), e.keys(), out, stimulus);
            case SchedulerEvent.AdmissionClosed e -> closeAdmission(e.refusal());
            case SchedulerEvent.StealAnswered e -> stealAnswered(e.worker(), e.key(), e.runId(), e.released());
        }
        retirement.check(out, stimulus);
        requestSteals();
        List<SchedulerCommand> result = out;
        out = null;
        return result;
    }

    // ---------------------------------------------------------------- queries (tests, shells)

    public List<Transition> story(TaskKey key) {
        return story.story(key);
    }

    /** The task's state, or FORGOTTEN when the scheduler does not know it. */
    public SchedulerTaskState stateOf(TaskKey key) {
        SchedulerTask t = tasks.get(key);
        return t == null ? FORGOTTEN : t.state;
    }

    /** True when every client wanting the result holds it already and no unfinished task needs it. */
    public boolean heldByClientsOnly(TaskKey key) {
        SchedulerTask t = tasks.get(key);
        return t != null && t.heldByClientsOnly();
    }

    public List<WorkerId> whoHas(TaskKey key) {
        SchedulerTask t = tasks.get(key);
        return t == null || t.whoHas == null ? List.of() : t.whoHas.stream().map(w -> w.id).toList();
    }

    public WorkerId processingOn(TaskKey key) {
        SchedulerTask t = tasks.get(key);
        return t == null || t.processingOn == null ? null : t.processingOn.id;
    }

    /** Why {@code key} failed, or null if it did not (or is unknown). */
    public TaskError errorOf(TaskKey key) {
        SchedulerTask t = tasks.get(key);
        return t == null || t.state != ERRED ? null : t.error;
    }

    public String stallReason(TaskKey key) {
        SchedulerTask t = tasks.get(key);
        return t == null ? null : t.stallReason;
    }

    public int taskCount() {
        return tasks.size();
    }

    public int queuedCount() {
        return queued.size();
    }

    public Set<WorkerId> workers() {
        return Set.copyOf(workers.keySet());
    }

    /** Workers retiring that have not left yet. */
    public Set<WorkerId> retiringWorkers() {
        return retirement.retiring();
    }

    public int processingCount(WorkerId worker) {
        SchedulerWorker w = workers.get(worker);
        return w == null ? 0 : w.processing.size();
    }

    public double expectedDurationNanos(String prefix) {
        return durations.expectedNanos(prefix);
    }

    /** What the adaptive policy decides from; costs O(workers + prefixes + stored results), not a walk over tasks. */
    public dev.burst.internal.adaptive.ClusterSnapshot adaptiveSnapshot() {
        return AdaptiveView.snapshot(workers.values(), durations);
    }

    /**
     * Whether the last {@code TaskFinished} or {@code TaskFailed} handled was its task's current run;
     * a report of a run the scheduler had moved on from (a lost worker's, a cancelled one) is ignored.
     */
    public boolean lastReportCurrent() {
        return lastReportCurrent;
    }

    /** Tasks by state, progress per prefix and each worker's load: O(workers + prefixes), never a walk over tasks. */
    public SchedulerStatus status() {
        return tally.status(workers.values(), durations);
    }

    // ---------------------------------------------------------------- workers

    private void workerJoined(WorkerId id, ResourceAmounts resources) {
        if (workers.containsKey(id)) {
            throw new IllegalStateException("worker " + id + " joined twice");
        }
        if (resources.get(ResourceAmounts.CPU) < 1) {
            throw new IllegalArgumentException("worker " + id + " must offer cpu >= 1, got " + resources);
        }
        SchedulerWorker w = new SchedulerWorker(id, resources);
        workers.put(id, w);
        placement.loadChanged(w, true);
        // Tasks that no worker could run may fit this one.
        List<SchedulerTask> parked = new ArrayList<>(noWorker);
        parked.sort(SchedulerTask.BY_PRIORITY);
        for (SchedulerTask t : parked) {
            if (t.state == NO_WORKER) {
                decide(t);
            }
        }
        fillFromQueue(w);
    }

    private void workerLeft(WorkerId id) {
        SchedulerWorker w = workers.remove(id);
        if (w == null) {
            return; // already gone: a late duplicate notice
        }
        retirement.workerLeft(w);
        stealing.workerLeft(w);
        placement.loadChanged(w, false);
        List<SchedulerTask> rerun = new ArrayList<>();
        for (SchedulerTask t : new ArrayList<>(w.processing)) {
            if (t.processingOn != w) {
                continue; // released meanwhile, because a dependent failed with an earlier task here
            }
            w.processing.remove(t);
            t.processingOn = null;
            stealing.leftWorker(t);
            if (t.lostOn == null) {
                t.lostOn = new ArrayList<>(2);
            }
            t.lostOn.add(id);
            if (t.lostOn.size() > config.allowedFailures()) {
                fail(t, new TaskError("dev.burst.WorkerLostException",
                        "task " + t.spec.key() + " was running on " + t.lostOn.size()
                                + " workers that all died (allowed failures: " + config.allowedFailures()
                                + "): " + t.lostOn, null));
            } else {
                transition(t, WAITING);
                rerun.add(t);
            }
        }
        List<SchedulerTask> lost = new ArrayList<>();
        for (SchedulerTask t : w.hasWhat) {
            t.whoHas.remove(w);
            if (t.whoHas.isEmpty() && t.state == MEMORY) {
                lost.add(t);
            }
        }
        w.hasWhat.clear();
        lostLastCopies(lost, rerun);
        decideInPriorityOrder(rerun);
        if (!queued.isEmpty() && !Placement.anyStayingWorkerFits(workers.values(), w.resources)) {
            parkQueuedThatFitNowhere();
        }
    }

    /** Queued tasks that only departed workers could run must not wait in the queue unnoticed. */
    private void parkQueuedThatFitNowhere() {
        for (ResourceAmounts request : queued.requests()) {
            if (!Placement.anyStayingWorkerFits(workers.values(), request)) {
                for (SchedulerTask t : queued.asking(request)) {
                    park(t);
                }
            }
        }
    }

    /**
     * The only copies of these results are gone: recompute those still needed, unless only by clients
     * that hold them. All leave MEMORY before any is recomputed, so none is taken for an input still there.
     */
    private void lostLastCopies(List<SchedulerTask> lost, List<SchedulerTask> rerun) {
        for (SchedulerTask t : lost) {
            transition(t, RELEASED);
        }
        Set<SchedulerWorker> relieved = new LinkedHashSet<>();
        for (SchedulerTask t : lost) {
            dependentsWaitAgain(t, relieved);
        }
        for (SchedulerTask t : lost) {
            if (t.state != RELEASED) {
                continue; // brought back already as the input of another lost result
            }
            if (!t.needed()) {
                maybeForget(t);
            } else if (!t.heldByClientsOnly()) {
                toWaiting(t, rerun); // else its clients hold it: it stays RELEASED until something needs it
            }
        }
        for (SchedulerWorker x : relieved) {
            fillFromQueue(x);
        }
    }

    /** {@code t}'s result is gone: dependents not done yet must wait for it again. */
    private void dependentsWaitAgain(SchedulerTask t, Set<SchedulerWorker> relieved) {
        if (t.dependents != null) {
            for (SchedulerTask d : new ArrayList<>(t.dependents)) {
                switch (d.state) {
                    case WAITING -> d.waitingOn().add(t);
                    case QUEUED, NO_WORKER, PROCESSING -> {
                        if (d.state == PROCESSING) {
                            // Its worker would wait forever for an input that is gone.
                            out.add(new FreeKeys(d.processingOn.id, List.of(d.spec.key()), stimulus));
                            relieved.add(d.processingOn);
                        }
                        unschedule(d);
                        transition(d, WAITING);
                        d.waitingOn().add(t);
                    }
                    case RELEASED, MEMORY, ERRED, FORGOTTEN -> { }
                }
            }
        }
    }

    // ---------------------------------------------------------------- graphs and clients

    private void graphSubmitted(ClientId client, List<TaskSpec> specs, Collection<TaskKey> wanted) {
        GraphCheck.Checked checked = GraphCheck.check(specs, tasks.keySet());
        String problem = checked.problem();
        if (problem != null) {
            out.add(new LogWarning("rejected a graph from " + client + ": " + problem));
            TaskError err = new TaskError("dev.burst.InvalidGraphException", problem, null);
            for (TaskKey k : wanted) {
                out.add(new ReportErred(client, k, err));
            }
            return;
        }
        if (admission.refusal() != null) {
            admission.refuse(client, wanted, out);
            return;
        }
        for (TaskSpec spec : checked.ordered()) {
            if (tasks.containsKey(spec.key())) {
                continue; // the same key again: the existing task serves both requests
            }
            // Roots share one empty list; others get an exact-size immutable one (a million-task graph's heap).
            List<SchedulerTask> deps;
            if (spec.dependencies().isEmpty()) {
                deps = List.of();
            } else {
                SchedulerTask[] found = new SchedulerTask[spec.dependencies().size()];
                for (int i = 0; i < found.length; i++) {
                    found[i] = tasks.get(spec.dependencies().get(i));
                }
                deps = List.of(found);
            }
            SchedulerTask t = new SchedulerTask(spec, deps, ++created, durations.prefix(spec.key().prefix()));
            for (SchedulerTask d : deps) {
                d.dependents().add(t);
            }
            tasks.put(spec.key(), t);
            tally.created(t);
            story.record(spec.key(), null, RELEASED, stimulus);
        }
        List<SchedulerTask> ready = new ArrayList<>();
        for (TaskKey k : wanted) {
            SchedulerTask t = tasks.get(k);
            if (t == null) {
                out.add(new ReportErred(client, k, new TaskError("dev.burst.InvalidGraphException",
                        "wanted key " + k + " is not part of the graph", null)));
                continue;
            }
            t.addWant(client);
            switch (t.state) {
                case MEMORY -> ClientReports.done(t, out);
                case ERRED -> ClientReports.erred(t, out);
                case RELEASED -> toWaiting(t, ready);
                case NO_WORKER -> out.add(new ReportStalled(client, t.spec.key(),
                        "task " + t.spec.key() + " cannot run: " + t.stallReason));
                case WAITING, QUEUED, PROCESSING, FORGOTTEN -> { }
            }
        }
        if (!noWorker.isEmpty()) {
            StallReports.tellBlocked(client, wanted, tasks, out); // before placing: tasks parked now tell their clients themselves
        }
        decideInPriorityOrder(ready);
    }

    /** Takes no new work from now on: what has not started fails with {@code refusal}. */
    private void closeAdmission(TaskError refusal) {
        for (SchedulerTask t : admission.close(refusal, out)) {
            if (t.state == WAITING || t.state == QUEUED || t.state == NO_WORKER) { // not failed with an input meanwhile
                fail(t, refusal); // its waiting dependents fail with it
            }
        }
    }

    private void keysReleased(ClientId client, Collection<TaskKey> keys) {
        if (keys.size() > RELEASE_CHUNK) {
            // Keys are never reused by a client, so releasing the rest a little later cannot drop a new want.
            List<TaskKey> all = List.copyOf(keys);
            out.add(new SchedulerCommand.HandleLater(new SchedulerEvent.KeysReleased(stimulus, client,
                    all.subList(RELEASE_CHUNK, all.size()))));
            keys = all.subList(0, RELEASE_CHUNK);
        }
        for (TaskKey k : keys) {
            SchedulerTask t = tasks.get(k);
            if (t == null || t.wantedBy == null) {
                continue;
            }
            t.dropWant(client);
            if (!t.needed()) {
                release(t);
            }
        }
    }

    /** Receipts count only while the result is in memory and the client wants it; others are stale or wrong. */
    private void resultsReceived(ClientId client, List<TaskKey> keys) {
        for (TaskKey k : keys) {
            SchedulerTask t = tasks.get(k);
            if (t != null && t.state == MEMORY && t.wantedBy != null && t.wantedBy.contains(client)) {
                t.addReceipt(client);
            }
        }
    }

    private void clientLeft(ClientId client) {
        List<TaskKey> keys = new ArrayList<>();
        for (SchedulerTask t : tasks.values()) {
            if (t.wantedBy != null && t.wantedBy.contains(client)) {
                keys.add(t.spec.key());
            }
        }
        keysReleased(client, keys);
    }

    // ---------------------------------------------------------------- results from workers

    /**
     * The task {@code key} of {@code w} in its current run {@code runId}, or null when the report is
     * stale: the worker was removed, or the scheduler took that run back, and then it told the worker
     * to free it (or the worker is gone), so there is nothing left to do for the report.
     */
    private SchedulerTask currentRun(SchedulerWorker w, TaskKey key, long runId) {
        SchedulerTask t = tasks.get(key);
        if (w == null || t == null || t.state != PROCESSING || t.processingOn != w || t.runId != runId) {
            return null;
        }
        return t;
    }

    private void taskFinished(WorkerId wid, TaskKey key, long runId, long nbytes, long durationNanos) {
        SchedulerWorker w = workers.get(wid);
        SchedulerTask t = currentRun(w, key, runId);
        lastReportCurrent = t != null;
        if (t == null) {
            return;
        }
        if (durationNanos > 0) {
            // Zero means nothing ran (the worker had the result already): not a measurement.
            durations.record(t.duration, durationNanos);
        }
        unschedule(t);
        t.nbytes = nbytes;
        t.addHolder(w);
        w.hasWhat.add(t);
        w.storedBytes += nbytes;
        transition(t, MEMORY);
        ClientReports.done(t, out);
        for (SchedulerTask d : t.dependencies) {
            d.waiters.remove(t);
            if (!d.needed()) {
                release(d);
            }
        }
        if (t.dependents != null) {
            for (SchedulerTask dep : new ArrayList<>(t.dependents)) {
                if (dep.state == WAITING && dep.waitingOn != null && dep.waitingOn.remove(t) && dep.waitingOn.isEmpty()) {
                    decide(dep);
                }
            }
        }
        if (!t.needed()) {
            release(t);
        }
        fillFromQueue(w);
    }

    private void taskFailed(WorkerId wid, TaskKey key, long runId, TaskError error) {
        SchedulerWorker w = workers.get(wid);
        SchedulerTask t = currentRun(w, key, runId);
        lastReportCurrent = t != null;
        if (t == null) {
            return;
        }
        unschedule(t);
        out.add(new FreeKeys(wid, List.of(key), stimulus));
        if (t.retriesLeft > 0) {
            t.retriesLeft--;
            transition(t, WAITING);
            decide(t);
        } else {
            fail(t, error);
        }
        fillFromQueue(w);
    }

    private void dataMissing(WorkerId wid, TaskKey key, long runId, TaskKey depKey, WorkerId holder) {
        SchedulerTask dep = tasks.get(depKey);
        SchedulerWorker h = holder == null ? null : workers.get(holder);
        if (dep != null && h != null && dep.whoHas != null && dep.whoHas.contains(h)) {
            out.add(new LogWarning("worker " + wid + " could not fetch " + depKey + " from " + holder
                    + "; no longer counting it as a holder"));
            // Whatever copy it may still have (or be computing) is no longer counted: drop it there.
            out.add(new FreeKeys(holder, List.of(depKey), stimulus));
            noLongerHolder(dep, h);
        }
        SchedulerWorker w = workers.get(wid);
        SchedulerTask t = currentRun(w, key, runId);
        if (t != null) {
            // Try again with fresh knowledge of where the input lives.
            unschedule(t);
            out.add(new FreeKeys(wid, List.of(key), stimulus));
            transition(t, WAITING);
            for (SchedulerTask d : t.dependencies) {
                if (d.state != MEMORY) {
                    t.waitingOn().add(d);
                }
            }
            if (t.waitingOn == null || t.waitingOn.isEmpty()) {
                decide(t);
            }
            fillFromQueue(w);
        }
    }

    /**
     * The answer to a steal request. Granted for the current run: the victim dropped the task before
     * starting it, so it moves to the thief (or wherever is best now, if the thief is gone, retiring or
     * full); a task refused new work meanwhile fails as any task not started. Otherwise nothing moves.
     */
    private void stealAnswered(WorkerId wid, TaskKey key, long runId, boolean released) {
        SchedulerTask t = tasks.get(key);
        WorkStealing.Steal steal = t == null ? null : stealing.answered(t, runId, released);
        SchedulerWorker victim = workers.get(wid);
        if (!released || currentRun(victim, key, runId) == null) {
            return;
        }
        unschedule(t);
        transition(t, WAITING); // in its story: given up by the victim
        SchedulerWorker thief = steal == null ? null : steal.thief();
        if (admission.refusal() != null) {
            fail(t, admission.refusal());
        } else if (thief != null && workers.get(thief.id) == thief && !thief.retiring
                && t.spec.resources().fitsIn(thief.resources) && thief.processing.size() < thief.threads) {
            assign(t, thief);
        } else {
            decide(t);
        }
        fillFromQueue(victim);
    }

    /** Work stealing for the workers this event may have left with a free thread ({@link WorkStealing}). */
    private void requestSteals() {
        boolean allowed = queued.isEmpty() && !retirement.active() && admission.refusal() == null;
        for (WorkStealing.Steal s : stealing.choose(allowed)) {
            out.add(new SchedulerCommand.StealRequest(s.victim().id, s.task().spec.key(), s.runId(), stimulus));
        }
    }

    /** {@code h} does not hold {@code t}'s result after all; recompute it if that was the last copy. */
    private void noLongerHolder(SchedulerTask t, SchedulerWorker h) {
        t.whoHas.remove(h);
        if (h.hasWhat.remove(t)) {
            h.storedBytes -= t.nbytes;
        }
        if (t.whoHas.isEmpty() && t.state == MEMORY) {
            List<SchedulerTask> rerun = new ArrayList<>();
            lostLastCopies(List.of(t), rerun);
            decideInPriorityOrder(rerun);
        }
    }

    // ---------------------------------------------------------------- transitions

    /**
     * A needed task enters WAITING: its dependencies become needed too. Those whose inputs are all
     * in memory go on {@code ready}, for the caller to place in priority order. Walks with a
     * worklist, not recursion, because dependency chains may be far deeper than a thread's stack.
     */
    private void toWaiting(SchedulerTask first, List<SchedulerTask> ready) {
        if (admission.refusal() != null) {
            if (first.state == RELEASED && first.needed() && !first.heldByClientsOnly()) {
                fail(first, admission.refusal()); // a lost result is not recomputed once no new work is taken
            }
            return;
        }
        List<SchedulerTask> entered = new ArrayList<>();
        ArrayDeque<SchedulerTask> todo = new ArrayDeque<>();
        todo.push(first);
        while (!todo.isEmpty()) {
            SchedulerTask t = todo.pop();
            if (t.state != RELEASED || !t.needed() || t.heldByClientsOnly()) {
                continue; // reached twice, not needed since the dependent failed, or held by all its clients
            }
            transition(t, WAITING);
            entered.add(t);
            if (t.waitingOn != null) {
                t.waitingOn.clear();
            }
            for (SchedulerTask d : t.dependencies) {
                if (t.state != WAITING) {
                    break; // an input had failed, and failed t with it
                }
                d.waiters().add(t);
                switch (d.state) {
                    case MEMORY -> { }
                    case ERRED -> fail(t, d.error);
                    case RELEASED -> {
                        t.waitingOn().add(d);
                        todo.push(d);
                    }
                    case WAITING, QUEUED, NO_WORKER, PROCESSING -> t.waitingOn().add(d);
                    case FORGOTTEN -> throw new IllegalStateException("dependency " + d + " of " + t + " was forgotten");
                }
            }
        }
        for (SchedulerTask t : entered) {
            if (t.state == WAITING && (t.waitingOn == null || t.waitingOn.isEmpty())) {
                ready.add(t);
            }
        }
    }

    /** Places the tasks in {@code ready} that still wait for nothing, best priority first. */
    private void decideInPriorityOrder(List<SchedulerTask> ready) {
        if (ready.size() > 1) {
            ready.sort(SchedulerTask.BY_PRIORITY);
        }
        for (SchedulerTask t : ready) {
            if (t.state == WAITING && (t.waitingOn == null || t.waitingOn.isEmpty())) {
                decide(t);
            }
        }
    }

    /** All inputs of {@code t} are in memory: place it, queue it, or park it. */
    private void decide(SchedulerTask t) {
        Placement.Choice choice = placement.choose(t, workers.values());
        if (choice.best() != null) {
            unschedule(t);
            assign(t, choice.best());
        } else if (choice.anyFits()) {
            if (t.state != QUEUED) {
                unschedule(t);
                transition(t, QUEUED);
                queued.add(t);
            }
        } else {
            park(t);
        }
    }

    private void assign(SchedulerTask t, SchedulerWorker w) {
        transition(t, PROCESSING);
        t.processingOn = w;
        t.stallReason = null;
        t.occupancyShare = durations.expectedNanos(t.duration);
        w.processing.add(t);
        w.occupancy += t.occupancyShare;
        stealing.loadChanged(w);
        placement.loadChanged(w, true);
        Map<TaskKey, List<WorkerId>> whoHas;
        if (t.dependencies.isEmpty()) {
            whoHas = Map.of();
        } else {
            whoHas = new HashMap<>();
            for (SchedulerTask d : t.dependencies) {
                List<WorkerId> holders = new ArrayList<>(d.whoHas.size());
                for (SchedulerWorker h : d.whoHas) {
                    holders.add(h.id);
                }
                whoHas.put(d.spec.key(), holders);
            }
        }
        t.runId = ++runs;
        out.add(new ComputeTask(w.id, t.spec.key(), t.runId, t.spec.payload(), t.spec.dependencies(), whoHas,
                t.spec.resources(), t.spec.priority(), stimulus));
    }

    /** No worker can run {@code t}: park it and say why, once in the log and to the clients waiting. */
    private void park(SchedulerTask t) {
        boolean parkedBefore = t.state == NO_WORKER;
        if (!parkedBefore) {
            unschedule(t);
            transition(t, NO_WORKER);
            noWorker.add(t);
        }
        ResourceAmounts need = t.spec.resources();
        StallReports.Reason why = StallReports.whyNoWorker(need, workers.values());
        String reason = why.text();
        if (why.unsatisfiable() && warnedUnsatisfiable.add(need)) {
            out.add(new LogWarning("task " + t.spec.key() + " (and any other asking for " + need
                    + ") cannot run: " + reason));
        }
        if (parkedBefore && reason.equals(t.stallReason)) {
            return; // still parked for the same reason (say, a worker joined that does not fit): told already
        }
        t.stallReason = reason;
        StallReports.tellWaiters(t, "task " + t.spec.key() + " cannot run: " + reason, out);
    }

    /** Gives worker {@code w} queued root tasks while it has room; with room left, it may steal at the end of the event. */
    private void fillFromQueue(SchedulerWorker w) {
        if (w.retiring || !workers.containsKey(w.id)) {
            return;
        }
        stealing.mayHaveRoom(w);
        if (queued.isEmpty()) {
            return;
        }
        SchedulerTask t;
        while ((t = queued.bestFitting(w.resources)) != null && w.processing.size() < placement.cap(w, t)) {
            queued.remove(t);
            assign(t, w);
        }
    }

    /** Takes {@code t} off whatever queue or worker holds it while it is not done. */
    private void unschedule(SchedulerTask t) {
        switch (t.state) {
            case QUEUED -> queued.remove(t);
            case NO_WORKER -> noWorker.remove(t);
            case PROCESSING -> {
                SchedulerWorker w = t.processingOn;
                if (w != null) {
                    w.processing.remove(t);
                    w.occupancy = Math.max(0, w.occupancy - t.occupancyShare);
                    stealing.loadChanged(w);
                    placement.loadChanged(w, workers.get(w.id) == w);
                }
                t.processingOn = null;
                stealing.leftWorker(t);
            }
            case RELEASED, WAITING, MEMORY, ERRED, FORGOTTEN -> { }
        }
    }

    /** {@code t} fails for good; so does every dependent waiting for it. */
    private void fail(SchedulerTask t, TaskError error) {
        ArrayDeque<SchedulerTask> todo = new ArrayDeque<>();
        t.error = error;
        unschedule(t);
        transition(t, ERRED);
        todo.add(t);
        while (!todo.isEmpty()) {
            SchedulerTask x = todo.poll();
            ClientReports.erred(x, out);
            for (SchedulerTask d : x.dependencies) {
                if (d.waiters != null) {
                    d.waiters.remove(x);
                }
                if (!d.needed() && d.state != RELEASED && d.state != ERRED) {
                    release(d);
                }
            }
            if (x.dependents != null) {
                for (SchedulerTask dep : x.dependents) {
                    if (dep.state == WAITING || dep.state == QUEUED || dep.state == NO_WORKER) {
                        unschedule(dep);
                        dep.error = error;
                        transition(dep, ERRED);
                        todo.add(dep);
                    }
                }
            }
        }
    }

    /**
     * Nobody needs {@code first} any more: free its data and work, forget it if nothing depends on
     * it, and likewise for inputs only it needed (with a worklist: chains may be deep).
     */
    private void release(SchedulerTask first) {
        ArrayDeque<SchedulerTask> todo = new ArrayDeque<>();
        todo.push(first);
        while (!todo.isEmpty()) {
            SchedulerTask t = todo.pop();
            switch (t.state) {
                case WAITING, QUEUED, NO_WORKER -> {
                    unschedule(t);
                    transition(t, RELEASED);
                    dropDependencyInterest(t, todo);
                }
                case PROCESSING -> {
                    SchedulerWorker w = t.processingOn;
                    unschedule(t);
                    out.add(new FreeKeys(w.id, List.of(t.spec.key()), stimulus));
                    transition(t, RELEASED);
                    dropDependencyInterest(t, todo);
                    fillFromQueue(w);
                }
                case MEMORY -> {
                    for (SchedulerWorker w : t.whoHas) {
                        w.hasWhat.remove(t);
                        w.storedBytes -= t.nbytes;
                        out.add(new FreeKeys(w.id, List.of(t.spec.key()), stimulus));
                    }
                    t.whoHas.clear();
                    transition(t, RELEASED);
                }
                case ERRED -> {
                    t.error = null;
                    transition(t, RELEASED);
                }
                case RELEASED, FORGOTTEN -> { }
            }
            maybeForget(t);
        }
    }

    /** {@code t} no longer waits for its inputs; those nobody else needs go on {@code toRelease}. */
    private void dropDependencyInterest(SchedulerTask t, ArrayDeque<SchedulerTask> toRelease) {
        if (t.waitingOn != null) {
            t.waitingOn.clear();
        }
        for (SchedulerTask d : t.dependencies) {
            if (d.waiters != null && d.waiters.remove(t) && !d.needed()) {
                toRelease.push(d);
            }
        }
    }

    /** Forgets {@code first} if nothing needs or depends on it, then its inputs likewise (worklist). */
    private void maybeForget(SchedulerTask first) {
        ArrayDeque<SchedulerTask> todo = new ArrayDeque<>();
        todo.push(first);
        while (!todo.isEmpty()) {
            SchedulerTask t = todo.pop();
            if (t.state == ERRED && !t.needed() && (t.dependents == null || t.dependents.isEmpty())) {
                // Erred only on behalf of dependents that are gone now: nothing keeps the error.
                t.error = null;
                transition(t, RELEASED);
            }
            if (t.state != RELEASED || t.needed() || (t.dependents != null && !t.dependents.isEmpty())) {
                continue;
            }
            transition(t, FORGOTTEN);
            tasks.remove(t.spec.key());
            for (SchedulerTask d : t.dependencies) {
                d.dependents.remove(t);
                if (d.waiters != null) {
                    d.waiters.remove(t);
                }
                todo.push(d);
            }
        }
    }

    private void transition(SchedulerTask t, SchedulerTaskState to) {
        SchedulerTaskState from = t.state;
        if (!from.canBecome(to)) {
            throw new IllegalStateException("illegal transition of " + t.spec.key() + ": " + from + " -> " + to
                    + " (stimulus " + stimulus + "); story: " + story.story(t.spec.key()));
        }
        t.state = to;
        tally.moved(t, from, to);
        story.record(t.spec.key(), from, to == FORGOTTEN ? null : to, stimulus);
    }
}
