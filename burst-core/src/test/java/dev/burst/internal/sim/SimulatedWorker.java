package dev.burst.internal.sim;

import dev.burst.internal.core.ResourceAmounts;
import dev.burst.internal.core.TaskError;
import dev.burst.internal.core.TaskKey;
import dev.burst.internal.core.WorkerId;
import dev.burst.internal.scheduler.SchedulerEvent;
import dev.burst.internal.worker.WorkerCommand;
import dev.burst.internal.worker.WorkerEvent;
import dev.burst.internal.worker.WorkerState;
import dev.burst.internal.worker.WorkerTaskState;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One simulated worker node: a real {@link WorkerState} and a fake shell around it. The shell keeps
 * an object store (key → value), runs executions on the virtual clock (some raise, cancelled ones
 * return early), fetches from peers (which fails when the peer is dead or no longer holds the key)
 * and talks to the scheduler over FIFO links with random delays. A dead worker loses its store and
 * its running executions, and nothing it sent that is still in flight arrives.
 */
final class SimulatedWorker {

    /** One execution from Execute until its outcome reaches the worker; holds its resources meanwhile. */
    static final class Run {
        final TaskKey key;
        final long attempt;
        final ResourceAmounts resources;
        final long value;
        final long durationNanos;
        boolean cancelled;
        boolean done;

        Run(TaskKey key, long attempt, ResourceAmounts resources, long value, long durationNanos) {
            this.key = key;
            this.attempt = attempt;
            this.resources = resources;
            this.value = value;
            this.durationNanos = durationNanos;
        }
    }

    final WorkerId id;
    final ResourceAmounts total;
    final WorkerState state;
    final Timeline.Link toScheduler = new Timeline.Link();
    final Timeline.Link fromScheduler = new Timeline.Link();
    /** Joined and left notices, in order, as the scheduler's connection handling would see them. */
    final Timeline.Link control = new Timeline.Link();
    final Map<TaskKey, Long> store = new HashMap<>();
    final Map<Long, Run> running = new HashMap<>();
    boolean alive = true;
    /** One execution in this many runs 30 times its prefix's mean: the scheduler cannot know which. */
    static final int LONG_ONE_IN = 40;
    /** How many times slower than usual this worker's messages to the scheduler travel. */
    final int lag;

    private final Simulation sim;
    /** The value that came with the event being handled: what StoreResult keeps. */
    private Long carried;

    SimulatedWorker(Simulation sim, WorkerId id, ResourceAmounts total, int lag) {
        this.sim = sim;
        this.lag = lag;
        this.id = id;
        this.total = total;
        this.state = new WorkerState(id, total, sim.scale == null ? 20_000 : 64); // ten thousand workers' stories would not fit
    }

    /** Hands {@code event} to the state machine and carries out its commands. Dead workers ignore it. */
    List<WorkerCommand> deliver(WorkerEvent event, Long value) {
        if (!alive) {
            sim.stats.droppedMessages++;
            return List.of();
        }
        sim.focus(keyOf(event));
        carried = value;
        List<WorkerCommand> commands = state.handle(event);
        for (WorkerCommand c : commands) {
            apply(c);
        }
        carried = null;
        sim.invariants.checkResources(this);
        return commands;
    }

    void die() {
        alive = false;
        for (Run r : running.values()) {
            r.done = true;
        }
        running.clear();
        store.clear();
    }

    /** Resources held by executions that have not returned yet, by the simulator's own count. */
    Map<String, Double> runningResources() {
        Map<String, Double> sum = new TreeMap<>();
        for (Run r : running.values()) {
            r.resources.amounts().forEach((k, v) -> sum.merge(k, v, Double::sum));
        }
        return sum;
    }

    private void apply(WorkerCommand command) {
        switch (command) {
            case WorkerCommand.Execute x -> execute(x);
            case WorkerCommand.CancelExecution c -> cancel(c);
            case WorkerCommand.Fetch f -> sim.fetch(this, f.key(), f.holders());
            case WorkerCommand.StoreResult s -> {
                if (carried == null) {
                    throw sim.violation("store only what an event carried", s.key(), "StoreResult with no value at hand");
                }
                sim.invariants.checkValue(this, s.key(), carried);
                store.put(s.key(), carried);
                sim.completed.add(s.key());
            }
            case WorkerCommand.DropResult d -> {
                if (store.remove(d.key()) == null) {
                    throw sim.violation("drop only stored results", d.key(), id + " dropped a result it does not store");
                }
            }
            case WorkerCommand.SendFinished f -> {
                checkNotStolen(f.key(), f.runId());
                if (!store.containsKey(f.key())) {
                    throw sim.violation("a finished task is in memory", f.key(), id + " reports it finished but does not store it");
                }
                sim.toScheduler(this, new SchedulerEvent.TaskFinished(sim.stimulus("task-finished"), id, f.key(),
                        f.runId(), f.nbytes(), f.durationNanos()));
            }
            case WorkerCommand.SendFailed f -> {
                checkNotStolen(f.key(), f.runId());
                sim.toScheduler(this, new SchedulerEvent.TaskFailed(sim.stimulus("task-failed"), id, f.key(), f.runId(), f.error()));
            }
            case WorkerCommand.SendStealAnswer a -> {
                if (a.released()) {
                    WorkerTaskState s = state.stateOf(a.key());
                    boolean runs = running.values().stream().anyMatch(r -> r.key.equals(a.key()) && !r.cancelled);
                    if (runs || s == WorkerTaskState.WAITING || s == WorkerTaskState.READY || s == WorkerTaskState.EXECUTING) {
                        throw sim.violation("a task given up to a steal does not run there", a.key(), id + " gave up run "
                                + a.runId() + " but has it " + s + (runs ? ", executing" : ""));
                    }
                    sim.stolenRuns.add(a.runId());
                    sim.stats.stealsGranted++;
                } else {
                    sim.stats.stealsRefused++;
                }
                sim.toScheduler(this, new SchedulerEvent.StealAnswered(sim.stimulus("steal-answer"), id, a.key(), a.runId(), a.released()));
            }
            case WorkerCommand.SendDataMissing m -> sim.toScheduler(this,
                    new SchedulerEvent.DataMissing(sim.stimulus("data-missing"), id, m.key(), m.runId(), m.dependency(), m.holder()));
            case WorkerCommand.SendKeysCopied c -> {
                for (TaskKey k : c.keys()) {
                    if (!store.containsKey(k) || state.stateOf(k) != WorkerTaskState.MEMORY) {
                        throw sim.violation("copied keys are in memory", k, id + " reports a copy it does not hold ("
                                + state.stateOf(k) + ")");
                    }
                }
                sim.stats.keysCopied += c.keys().size();
                sim.toScheduler(this, new SchedulerEvent.KeysCopied(sim.stimulus("keys-copied"), id, c.keys(), c.nbytes()));
            }
        }
    }

    /** A stolen task runs to completion at most once per attempt: never in the run its first worker gave up. */
    private void checkNotStolen(TaskKey key, long runId) {
        if (sim.stolenRuns.contains(runId)) {
            throw sim.violation("a stolen task runs to completion at most once per attempt", key, id
                    + " reports run " + runId + " done, but gave that run up to a steal");
        }
    }

    private void execute(WorkerCommand.Execute x) {
        List<Long> inputs = new ArrayList<>(x.dependencies().size());
        for (TaskKey d : x.dependencies()) {
            if (state.stateOf(d) != WorkerTaskState.MEMORY || !store.containsKey(d)) {
                throw sim.violation("dependencies complete before dependents start", x.key(),
                        id + " starts " + x.key() + " but its input " + d + " is " + state.stateOf(d)
                                + (store.containsKey(d) ? "" : " and not stored"));
            }
            if (!sim.completed.contains(d)) {
                throw sim.violation("dependencies complete before dependents start", x.key(),
                        "input " + d + " never completed anywhere");
            }
            inputs.add(store.get(d));
        }
        if (running.containsKey(x.attempt())) {
            throw sim.violation("attempts are unique", x.key(), id + " reused attempt " + x.attempt());
        }
        SimPayload p = (SimPayload) x.payload();
        long duration = 1 + (long) (p.meanNanos() * (0.25 + 1.5 * sim.rng.nextDouble()));
        if (sim.rng.nextInt(LONG_ONE_IN) == 0) {
            duration *= 30; // a long run of a prefix learned from quick ones (all of a method's lambdas share one)
        }
        Run run = new Run(x.key(), x.attempt(), x.resources(), Workload.valueOf(x.key(), inputs), duration);
        if (sim.completed.contains(x.key())) {
            sim.stats.recomputed++;
        }
        running.put(x.attempt(), run);
        sim.stats.executions++;
        boolean fails = sim.rng.nextDouble() < p.failProbability();
        sim.timeline.after(duration, x, () -> finish(run, fails));
    }

    private void cancel(WorkerCommand.CancelExecution c) {
        Run run = running.get(c.attempt());
        if (run == null || !run.key.equals(c.key())) {
            throw sim.violation("cancel only what runs", c.key(), id + " cancels attempt " + c.attempt() + " which is not running");
        }
        run.cancelled = true;
        sim.stats.cancellations++;
        // The thread notices the interrupt a little later; the outcome still has to come back.
        boolean finishedAnyway = sim.rng.nextInt(4) == 0;
        sim.timeline.after(sim.rng.nextLong(1 + run.durationNanos / 4), c, () -> finish(run, !finishedAnyway));
    }

    private void finish(Run run, boolean fails) {
        if (!alive || run.done) {
            return;
        }
        run.done = true;
        running.remove(run.attempt);
        WorkerEvent e;
        if (fails) {
            RuntimeException ex = run.cancelled
                    ? new java.util.concurrent.CancellationException("cancelled " + run.key)
                    : new SimulatedTaskException(run.key, run.attempt, id.name());
            if (!run.cancelled) {
                sim.failures.merge(run.key, 1, Integer::sum);
                sim.stats.failures++;
            }
            e = new WorkerEvent.ExecutionFailed(sim.stimulus("exec-failed"), run.key, run.attempt, TaskError.of(ex),
                    run.durationNanos);
        } else {
            e = new WorkerEvent.ExecutionSucceeded(sim.stimulus("exec-done"), run.key, run.attempt,
                    Workload.nbytes(run.key), run.durationNanos);
        }
        List<WorkerCommand> out = deliver(e, fails ? null : run.value);
        if (run.cancelled) {
            for (WorkerCommand c : out) {
                boolean aboutIt = c instanceof WorkerCommand.StoreResult s && s.key().equals(run.key)
                        || c instanceof WorkerCommand.SendFinished f && f.key().equals(run.key)
                        || c instanceof WorkerCommand.SendFailed f2 && f2.key().equals(run.key);
                if (aboutIt) {
                    throw sim.violation("a cancelled execution's outcome is dropped", run.key, id + " answered " + c);
                }
            }
        }
    }

    private static TaskKey keyOf(WorkerEvent e) {
        return switch (e) {
            case WorkerEvent.ComputeRequested c -> c.key();
            case WorkerEvent.KeysFreed f -> f.keys().isEmpty() ? null : f.keys().iterator().next();
            case WorkerEvent.ExecutionSucceeded s -> s.key();
            case WorkerEvent.ExecutionFailed f -> f.key();
            case WorkerEvent.FetchSucceeded s -> s.key();
            case WorkerEvent.FetchFailed f -> f.key();
            case WorkerEvent.CopyRequested c -> c.keys().isEmpty() ? null : c.keys().get(0);
            case WorkerEvent.StealRequested s -> s.key();
        };
    }

    @Override
    public String toString() {
        return id + (alive ? "" : " (dead)") + " " + total;
    }
}
