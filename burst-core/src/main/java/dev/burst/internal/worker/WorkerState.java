package dev.burst.internal.worker;

import dev.burst.internal.core.ResourceAmounts;
import dev.burst.internal.core.ResourcePool;
import dev.burst.internal.core.StimulusId;
import dev.burst.internal.core.StoryLog;
import dev.burst.internal.core.TaskError;
import dev.burst.internal.core.TaskKey;
import dev.burst.internal.core.TaskPriority;
import dev.burst.internal.core.Transition;
import dev.burst.internal.core.WorkerId;
import dev.burst.internal.worker.WorkerCommand.CancelExecution;
import dev.burst.internal.worker.WorkerCommand.DropResult;
import dev.burst.internal.worker.WorkerCommand.Execute;
import dev.burst.internal.worker.WorkerCommand.Fetch;
import dev.burst.internal.worker.WorkerCommand.SendDataMissing;
import dev.burst.internal.worker.WorkerCommand.SendFailed;
import dev.burst.internal.worker.WorkerCommand.SendFinished;
import dev.burst.internal.worker.WorkerCommand.SendKeysCopied;
import dev.burst.internal.worker.WorkerCommand.SendStealAnswer;
import dev.burst.internal.worker.WorkerCommand.StoreResult;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static dev.burst.internal.worker.WorkerTaskState.ERRED;
import static dev.burst.internal.worker.WorkerTaskState.EXECUTING;
import static dev.burst.internal.worker.WorkerTaskState.FETCHING;
import static dev.burst.internal.worker.WorkerTaskState.MEMORY;
import static dev.burst.internal.worker.WorkerTaskState.READY;
import static dev.burst.internal.worker.WorkerTaskState.WAITING;

/**
 * One worker as a pure state machine: {@link #handle} takes an event and returns commands for the
 * shell (run this, fetch that, tell the scheduler). No threads, sockets, files or clocks.
 *
 * <p>Design notes.
 * <ul>
 *   <li>Tasks the scheduler assigned here and results fetched from peers live in one table. A
 *   fetched result is kept while a local task needs it; an assigned one until the scheduler frees it.
 *   <li>A copy the scheduler asks for (another worker is retiring) is fetched like an input and kept
 *   until freed, like an assigned result. The request is answered once, when each of its keys is
 *   settled (here, or its fetch failed), naming those now here; a failed copy leaves nothing behind.
 *   <li>Resources are enforced here: a task starts only when its request (at least one {@code cpu},
 *   i.e. one thread) fits what is free, so running tasks never over-commit the worker.
 *   <li>A steal request is granted only for a task that has not started; the scheduler moves the
 *   task only after that answer, so a stolen task never runs here and on its thief both.
 *   <li>Every execution has an attempt number. A task freed while running is cancelled, its
 *   resources stay held until the execution actually returns, and its late result is discarded.
 * </ul>
 */
public final class WorkerState {
    private static final Comparator<Task> BY_PRIORITY = Comparator
            .<Task, TaskPriority>comparing(t -> t.priority)
            .thenComparing(t -> t.key.prefix())
            .thenComparingLong(t -> t.key.id());

    /** One entry of the worker's table. */
    private static final class Task {
        final TaskKey key;
        WorkerTaskState state;
        Object payload;
        List<TaskKey> dependencies = List.of();
        ResourceAmounts resources = ResourceAmounts.ONE_CPU;
        TaskPriority priority = TaskPriority.DEFAULT;
        /** The scheduler asked this worker to compute it (as opposed to a fetched input). */
        boolean assigned;
        /** The scheduler's run id of the latest assignment; every report about it names this run. */
        long runId;
        /** Inputs not yet in memory here. */
        Set<Task> waitingOn;
        /** Local tasks not yet done that need this result. */
        Set<Task> waiters;
        List<WorkerId> holders = List.of();
        /** The scheduler asked for a copy of it here: kept until freed. */
        boolean copied;
        /** A Fetch for it was issued and its outcome has not arrived yet. */
        boolean fetching;
        long attempt;
        long nbytes;

        Task(TaskKey key) {
            this.key = key;
        }

        Set<Task> waiters() {
            if (waiters == null) {
                waiters = new LinkedHashSet<>(2);
            }
            return waiters;
        }

        Set<Task> waitingOn() {
            if (waitingOn == null) {
                waitingOn = new LinkedHashSet<>(2);
            }
            return waitingOn;
        }
    }

    /** One copy request, answered when none of its keys is pending any more. */
    private static final class CopyBatch {
        final List<TaskKey> keys;
        int pending;

        CopyBatch(List<TaskKey> keys) {
            this.keys = keys;
        }
    }

    /** A running execution; {@code task} is null once it was cancelled. */
    private static final class Execution {
        final ResourceAmounts resources;
        Task task;

        Execution(Task task, ResourceAmounts resources) {
            this.task = task;
            this.resources = resources;
        }
    }

    private final WorkerId self;
    private final ResourceAmounts total;
    private final ResourcePool free;
    private final Map<TaskKey, Task> tasks = new HashMap<>();
    private final TreeSet<Task> ready = new TreeSet<>(BY_PRIORITY);
    private final Map<Long, Execution> executing = new HashMap<>();
    private final StoryLog story;
    /** Copy requests waiting for each key that is not settled yet. */
    private final Map<TaskKey, List<CopyBatch>> awaitingCopy = new HashMap<>();
    private long attempts;

    private List<WorkerCommand> out;
    private StimulusId stimulus;

    public WorkerState(WorkerId self, ResourceAmounts resources, int storyCapacity) {
        if (resources.get(ResourceAmounts.CPU) < 1) {
            throw new IllegalArgumentException("worker " + self + " must offer cpu >= 1, got " + resources);
        }
        this.self = self;
        this.total = resources;
        this.free = new ResourcePool(resources);
        this.story = new StoryLog(storyCapacity);
    }

    public List<WorkerCommand> handle(WorkerEvent event) {
        out = new ArrayList<>(4);
        stimulus = event.stimulusId();
        switch (event) {
            case WorkerEvent.ComputeRequested e -> computeRequested(e);
            case WorkerEvent.KeysFreed e -> keysFreed(e.keys());
            case WorkerEvent.ExecutionSucceeded e -> executionSucceeded(e.key(), e.attempt(), e.nbytes(), e.durationNanos());
            case WorkerEvent.ExecutionFailed e -> executionFailed(e.key(), e.attempt(), e.error());
            case WorkerEvent.FetchSucceeded e -> fetchSucceeded(e.key(), e.nbytes());
            case WorkerEvent.FetchFailed e -> fetchFailed(e.key(), e.holder());
            case WorkerEvent.CopyRequested e -> copyRequested(e.keys(), e.whoHas());
            case WorkerEvent.StealRequested e -> stealRequested(e.key(), e.runId());
        }
        startReadyTasks();
        if (!awaitingCopy.isEmpty()) {
            settleCopies(event);
        }
        List<WorkerCommand> result = out;
        out = null;
        return result;
    }

    // ---------------------------------------------------------------- queries

    public WorkerId id() {
        return self;
    }

    public ResourceAmounts totalResources() {
        return total;
    }

    public ResourceAmounts freeResources() {
        return free.snapshot();
    }

    /** The task's state here, or null when this worker does not hold it. */
    public WorkerTaskState stateOf(TaskKey key) {
        Task t = tasks.get(key);
        return t == null ? null : t.state;
    }

    public int executingCount() {
        return executing.size();
    }

    /** Tasks ready to run here and waiting for free resources, in the order they will start. */
    public List<TaskKey> readyKeys() {
        List<TaskKey> keys = new ArrayList<>(ready.size());
        for (Task t : ready) {
            keys.add(t.key);
        }
        return keys;
    }

    public int taskCount() {
        return tasks.size();
    }

    public List<Transition> story(TaskKey key) {
        return story.story(key);
    }

    // ---------------------------------------------------------------- events

    private void computeRequested(WorkerEvent.ComputeRequested e) {
        Task t = tasks.get(e.key());
        if (t != null) {
            switch (t.state) {
                case MEMORY -> {
                    // Already here (fetched as an input, or computed before): nothing to run.
                    t.assigned = true;
                    t.runId = e.runId();
                    out.add(new SendFinished(t.key, t.runId, t.nbytes, 0));
                    return;
                }
                case WAITING, READY, EXECUTING -> {
                    t.assigned = true;
                    t.runId = e.runId();
                    if (t.state == WAITING) {
                        resolveInputs(t, e.whoHas()); // fresh knowledge of where inputs are
                    }
                    return;
                }
                case FETCHING, ERRED -> { } // becomes a computation below
            }
        } else {
            t = new Task(e.key());
            tasks.put(t.key, t);
        }
        t.assigned = true;
        t.runId = e.runId();
        t.payload = e.payload();
        t.dependencies = e.dependencies();
        t.resources = e.resources().withDefaultCpu();
        t.priority = e.priority();
        transition(t, WAITING);
        resolveInputs(t, e.whoHas());
    }

    /** Links {@code t} to its inputs, fetching those not here; READY when all are in memory. */
    private void resolveInputs(Task t, Map<TaskKey, List<WorkerId>> whoHas) {
        for (TaskKey dk : t.dependencies) {
            Task d = tasks.get(dk);
            List<WorkerId> holders = whoHas.getOrDefault(dk, List.of());
            if (d == null) {
                d = new Task(dk);
                tasks.put(dk, d);
                transition(d, FETCHING);
                startFetch(d, holders);
            } else if (d.state == ERRED) {
                transition(d, FETCHING);
                startFetch(d, holders);
            } else if (d.state == FETCHING && !d.fetching) {
                startFetch(d, holders); // the last fetch failed: try again where the scheduler says it is now
            }
            d.waiters().add(t);
            if (d.state != MEMORY) {
                t.waitingOn().add(d);
            }
        }
        if (t.waitingOn == null || t.waitingOn.isEmpty()) {
            transition(t, READY);
            ready.add(t);
        }
    }

    private void startFetch(Task d, List<WorkerId> holders) {
        d.holders = holders;
        d.fetching = true;
        out.add(new Fetch(d.key, holders));
    }

    private void keysFreed(Collection<TaskKey> keys) {
        for (TaskKey k : keys) {
            Task t = tasks.get(k);
            if (t != null) {
                t.assigned = false;
                t.copied = false;
                dropIfUnused(t);
            }
        }
    }

    private void executionSucceeded(TaskKey key, long attempt, long nbytes, long durationNanos) {
        Task t = finishExecution(key, attempt);
        if (t == null) {
            return;
        }
        out.add(new StoreResult(key));
        t.nbytes = nbytes;
        transition(t, MEMORY);
        if (t.assigned) {
            out.add(new SendFinished(key, t.runId, nbytes, durationNanos));
        }
        inputsNoLongerNeededBy(t);
        resultArrived(t);
        dropIfUnused(t);
    }

    private void executionFailed(TaskKey key, long attempt, TaskError error) {
        Task t = finishExecution(key, attempt);
        if (t == null) {
            return;
        }
        transition(t, ERRED);
        if (t.assigned) {
            out.add(new SendFailed(key, t.runId, error));
        }
        inputsNoLongerNeededBy(t);
        dropIfUnused(t);
    }

    /** Frees the execution's resources; returns its task if its outcome still counts, else null. */
    private Task finishExecution(TaskKey key, long attempt) {
        Execution x = executing.remove(attempt);
        if (x == null) {
            throw new IllegalStateException("worker " + self + ": no execution " + attempt + " of " + key + " is running");
        }
        free.release(x.resources);
        Task t = x.task;
        if (t == null || t.state != EXECUTING || t.attempt != attempt) {
            return null; // cancelled while running: the late outcome is dropped
        }
        return t;
    }

    private void fetchSucceeded(TaskKey key, long nbytes) {
        Task t = tasks.get(key);
        if (t == null || t.state != FETCHING) {
            return; // no longer wanted here
        }
        t.fetching = false;
        out.add(new StoreResult(key));
        t.nbytes = nbytes;
        transition(t, MEMORY);
        if (t.assigned) {
            out.add(new SendFinished(key, t.runId, nbytes, 0));
        }
        resultArrived(t);
        dropIfUnused(t);
    }

    private void fetchFailed(TaskKey key, WorkerId holder) {
        Task t = tasks.get(key);
        if (t == null || t.state != FETCHING) {
            return;
        }
        t.fetching = false;
        // Tell the scheduler for each local task that needed it; it will reschedule them.
        if (t.waiters != null) {
            for (Task w : t.waiters) {
                if (w.assigned) {
                    out.add(new SendDataMissing(w.key, w.runId, key, holder));
                }
            }
        }
        if (t.assigned && t.payload != null) {
            // The scheduler asked us to compute it too: do that instead of copying it.
            transition(t, WAITING);
            resolveInputs(t, Map.of());
        }
        // Otherwise it stays FETCHING with no fetch in flight until the scheduler frees its waiters.
    }

    /**
     * Gives up run {@code runId} of {@code key} if it has not started: waiting for inputs or ready,
     * and nothing here needs it besides the scheduler (no local dependent waits for it, no copy was
     * asked). Answered either way; a task given up is dropped like a freed one.
     */
    private void stealRequested(TaskKey key, long runId) {
        Task t = tasks.get(key);
        boolean release = t != null && t.assigned && t.runId == runId && (t.state == WAITING || t.state == READY)
                && !t.copied && (t.waiters == null || t.waiters.isEmpty());
        if (release) {
            t.assigned = false;
            dropIfUnused(t);
        }
        out.add(new SendStealAnswer(key, runId, release));
    }

    private void copyRequested(List<TaskKey> keys, Map<TaskKey, List<WorkerId>> whoHas) {
        CopyBatch b = new CopyBatch(List.copyOf(new LinkedHashSet<>(keys)));
        for (TaskKey k : b.keys) {
            Task t = tasks.get(k);
            List<WorkerId> holders = whoHas.getOrDefault(k, List.of());
            if (t == null) {
                t = new Task(k);
                tasks.put(k, t);
                transition(t, FETCHING);
                startFetch(t, holders);
            } else {
                switch (t.state) {
                    case ERRED -> {
                        transition(t, FETCHING);
                        startFetch(t, holders);
                    }
                    case FETCHING -> {
                        if (!t.fetching) {
                            startFetch(t, holders); // the last fetch failed: try where the scheduler says it is now
                        }
                    }
                    case MEMORY, WAITING, READY, EXECUTING -> { } // here already, or soon: computed here
                }
            }
            t.copied = true;
            if (!copySettled(t)) {
                b.pending++;
                awaitingCopy.computeIfAbsent(k, x -> new ArrayList<>(1)).add(b);
            }
        }
        if (b.pending == 0) {
            answerCopy(b);
        }
    }

    /** Answers the copy requests that waited only for the keys {@code event} is about. */
    private void settleCopies(WorkerEvent event) {
        Collection<TaskKey> keys = switch (event) {
            case WorkerEvent.ComputeRequested e -> List.of(e.key());
            case WorkerEvent.KeysFreed e -> e.keys();
            case WorkerEvent.ExecutionSucceeded e -> List.of(e.key());
            case WorkerEvent.ExecutionFailed e -> List.of(e.key());
            case WorkerEvent.FetchSucceeded e -> List.of(e.key());
            case WorkerEvent.FetchFailed e -> List.of(e.key());
            case WorkerEvent.CopyRequested e -> List.of(); // settled what it could itself
            case WorkerEvent.StealRequested e -> List.of(e.key());
        };
        for (TaskKey k : keys) {
            List<CopyBatch> waiting = awaitingCopy.get(k);
            if (waiting == null || !copySettled(tasks.get(k))) {
                continue;
            }
            awaitingCopy.remove(k);
            for (CopyBatch b : waiting) {
                if (--b.pending == 0) {
                    answerCopy(b);
                }
            }
        }
    }

    /** In memory here, or its fetch failed, or it is gone: nothing more will happen to it for a copy. */
    private static boolean copySettled(Task t) {
        return t == null || t.state == MEMORY || t.state == ERRED || (t.state == FETCHING && !t.fetching);
    }

    /** Tells the scheduler which keys of {@code b} are here to stay; a failed copy keeps nothing. */
    private void answerCopy(CopyBatch b) {
        List<TaskKey> keys = new ArrayList<>(b.keys.size());
        List<Long> nbytes = new ArrayList<>(b.keys.size());
        for (TaskKey k : b.keys) {
            Task t = tasks.get(k);
            if (t == null || !t.copied) {
                continue; // gone, or freed by the scheduler meanwhile
            }
            if (t.state == MEMORY) {
                keys.add(k);
                nbytes.add(t.nbytes);
            } else if (!awaitingCopy.containsKey(k)) {
                t.copied = false;
                dropIfUnused(t);
            }
        }
        out.add(new SendKeysCopied(keys, nbytes));
    }

    // ---------------------------------------------------------------- internals

    /** A result is now here: local tasks waiting only for it become ready. */
    private void resultArrived(Task t) {
        if (t.waiters == null) {
            return;
        }
        for (Task w : t.waiters) {
            if (w.state == WAITING && w.waitingOn != null && w.waitingOn.remove(t) && w.waitingOn.isEmpty()) {
                transition(w, READY);
                ready.add(w);
            }
        }
    }

    /** {@code t} no longer runs: its inputs may be dropped if nothing else here needs them. */
    private void inputsNoLongerNeededBy(Task t) {
        if (t.waitingOn != null) {
            t.waitingOn.clear();
        }
        for (TaskKey dk : t.dependencies) {
            Task d = tasks.get(dk);
            if (d != null && d.waiters != null && d.waiters.remove(t)) {
                dropIfUnused(d);
            }
        }
    }

    /** Removes {@code t} when neither the scheduler nor a local task needs it any more. */
    private void dropIfUnused(Task t) {
        if (t.assigned || t.copied || (t.waiters != null && !t.waiters.isEmpty())) {
            return;
        }
        switch (t.state) {
            case WAITING, READY -> {
                ready.remove(t);
                inputsNoLongerNeededBy(t);
            }
            case EXECUTING -> {
                Execution x = executing.get(t.attempt);
                if (x != null) {
                    x.task = null;
                }
                out.add(new CancelExecution(t.key, t.attempt));
                inputsNoLongerNeededBy(t);
            }
            case MEMORY -> out.add(new DropResult(t.key));
            case FETCHING, ERRED -> { }
        }
        tasks.remove(t.key);
        story.record(t.key, t.state, null, stimulus);
    }

    /** Starts ready tasks, best priority first, while their resources fit what is free. */
    private void startReadyTasks() {
        if (ready.isEmpty()) {
            return;
        }
        Iterator<Task> it = ready.iterator();
        while (it.hasNext() && free.freeCpu() >= 1) {
            Task t = it.next();
            if (!free.fits(t.resources)) {
                continue;
            }
            it.remove();
            free.acquire(t.resources);
            t.attempt = ++attempts;
            executing.put(t.attempt, new Execution(t, t.resources));
            transition(t, EXECUTING);
            out.add(new Execute(t.key, t.attempt, t.payload, t.dependencies, t.resources));
        }
    }

    private void transition(Task t, WorkerTaskState to) {
        WorkerTaskState from = t.state;
        if (from != null && !from.canBecome(to)) {
            throw new IllegalStateException("worker " + self + ": illegal transition of " + t.key + ": " + from
                    + " -> " + to + " (stimulus " + stimulus + "); story: " + story.story(t.key));
        }
        t.state = to;
        story.record(t.key, from, to, stimulus);
    }
}
