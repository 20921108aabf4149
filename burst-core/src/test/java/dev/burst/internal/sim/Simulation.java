package dev.burst.internal.sim;

import dev.burst.internal.core.ClientId;
import dev.burst.internal.core.ResourceAmounts;
import dev.burst.internal.core.StimulusId;
import dev.burst.internal.core.TaskKey;
import dev.burst.internal.core.WorkerId;
import dev.burst.internal.scheduler.SchedulerCommand;
import dev.burst.internal.scheduler.SchedulerConfig;
import dev.burst.internal.scheduler.SchedulerEvent;
import dev.burst.internal.scheduler.SchedulerState;
import dev.burst.internal.scheduler.SchedulerTaskState;
import dev.burst.internal.scheduler.TaskSpec;
import dev.burst.internal.worker.WorkerEvent;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Deterministic simulation of a Burst cluster: one real {@link SchedulerState}, N
 * {@link SimulatedWorker}s each around a real {@code WorkerState}, and a few
 * {@link SimulatedClient}s, all driven by one seeded random generator on a virtual clock.
 *
 * <p>Design note. Every message is an entry on the {@link Timeline}: scheduler ↔ worker and
 * scheduler ↔ client traffic goes over FIFO links with random delays (as over one gRPC stream),
 * executions finish after random durations (sometimes raising; a cancelled one returns early),
 * fetches go peer to peer and fail when the holder died or dropped the key. Chaos is part of the
 * schedule: workers die (the scheduler hears WorkerLeft only after a while, as after missed
 * heartbeats; what the dead worker still had in flight is lost), new workers join, clients submit
 * random DAGs (gpu requests, priorities, retries, flaky and poisoned tasks, invalid graphs),
 * release, cancel and want again keys, or leave. A client fetches each result it is told is done
 * (the fetch fails if its holders are gone) and then says it holds it ({@code ResultsReceived}) at
 * once, later, or never; a lost result all its clients hold need not be recomputed. Staleness is what breaks schedulers, so it is
 * provoked on purpose: some workers report over a congested link, some messages are ten times
 * slower, and a quarter of the runs use a one-worker cluster where freed work returns to the same
 * worker while its late reports are still on the way.
 *
 * <p>A run has three phases: chaos until {@code activeNanos}; then a worker with every satisfiable
 * resource joins and the run goes on until nothing is in flight (quiescence), where the end-state
 * invariants are checked; then every client releases everything and the books must drain to empty.
 * {@link Invariants} are checked after every step; the first violation throws, naming the
 * invariant and the task involved, and the run replays exactly from its seed.
 */
final class Simulation {
    static final int STEP_LIMIT = 400_000;

    /**
     * A run at scale: {@code workers} workers from the start, one client submitting one graph of
     * about {@code tasks} tasks (a map, and a pairwise tree over it), a few workers dying, retiring
     * and joining while it runs. The checks that walk every task run every {@link #SCALE_CHECK_EVERY}
     * steps and at the end instead of after every step.
     */
    record Scale(int workers, int tasks) {
    }

    static final int SCALE_CHECK_EVERY = 250_000;

    /** Null for the usual small chaotic runs. */
    final Scale scale;
    private final long stepLimit;
    /** How many of the last steps a failure report shows; raise with -Dburst.sim.trace=N when replaying. */
    static final int TRACE_LENGTH = Integer.getInteger("burst.sim.trace", 40);

    final long seed;
    final SplittableRandom rng;
    final Timeline timeline = new Timeline();
    final Workload workload;
    final SchedulerConfig config;
    final SchedulerState scheduler;
    final Invariants invariants = new Invariants(this);
    final SimulationStats stats = new SimulationStats();
    /** Every worker that ever joined, dead ones included (their stories stay readable). */
    final Map<WorkerId, SimulatedWorker> workers = new LinkedHashMap<>();
    final List<SimulatedClient> clients = new ArrayList<>();
    /** Keys some execution completed and stored at least once. */
    final Set<TaskKey> completed = new HashSet<>();
    /** Runs a worker gave up to a steal request: none of them may ever be reported finished or failed. */
    final Set<Long> stolenRuns = new HashSet<>();
    /** How many times each key raised a simulated exception. */
    final Map<TaskKey, Integer> failures = new HashMap<>();
    /** Lost results the scheduler kept RELEASED because their clients held them, until recomputed. */
    final Set<TaskKey> keptForClients = new HashSet<>();
    /** Requests as the scheduler sees them: registered when it handles a graph, dropped on release. */
    final Map<ClientId, Map<TaskKey, SimulatedClient.Request>> schedulerSide = new HashMap<>();
    final List<String> warnings = new ArrayList<>();
    /** The last few steps, for failure messages. */
    final ArrayDeque<Step> trace = new ArrayDeque<>();
    /** When set, a hash of every step's time and content: two runs of one seed must agree on it. */
    boolean fingerprinting;
    long fingerprint = 17;

    private final long activeNanos;
    private final long baseDelayNanos;
    private final long meanClientPauseNanos;
    private final long meanDeathPauseNanos;
    private final long meanJoinPauseNanos;
    private final long meanRetirePauseNanos;
    /** Carries retirement requests (an operator or the adaptive policy), in order. */
    private final Timeline.Link operator = new Timeline.Link();
    /** Workers the scheduler was asked to retire while it knew them. */
    final Set<WorkerId> retireAsked = new HashSet<>();
    /** Workers the scheduler told to close (RetireWorker); each at most once. */
    final Set<WorkerId> retireSent = new HashSet<>();
    /** One message in this many is slow (ten times the usual delay): late reports cross newer decisions. */
    private final int slowOneIn;
    private final boolean tiny;
    private long stimuli;
    private long requests;
    private int workerNames;
    private int clientNames;
    private TaskKey focus;
    private String phase = "chaos";

    /** One step of the run: when, and what was delivered (formatted only for a failure report). */
    record Step(long time, Object what) {
        @Override
        public String toString() {
            return "t=" + time + " " + what;
        }
    }

    Simulation(long seed) {
        this(seed, null);
    }

    Simulation(long seed, Scale scale) {
        this.scale = scale;
        this.stepLimit = scale == null ? STEP_LIMIT : 100L * scale.tasks() + 100L * scale.workers();
        this.seed = seed;
        this.rng = new SplittableRandom(seed);
        this.workload = new Workload(rng.split());
        SchedulerConfig drawn = new SchedulerConfig(rng.nextInt(4), new double[] {0.5, 1.0, 1.1, 2.0}[rng.nextInt(4)],
                2_000_000L, 1000, new long[] {50_000L, 1_000_000L, 500_000_000L}[rng.nextInt(3)], 100e6, 50_000,
                // Work stealing off in a quarter of the runs, at Dask's 5 ms in another, for any task otherwise
                // (from the seed, not the random stream, so the runs of other seeds stay as they were).
                seed % 4 == 0 ? Long.MAX_VALUE : seed % 4 == 1 ? SchedulerConfig.STEAL_MIN_WAIT_NANOS : 0L,
                // A third of the runs place by candidates (inputs' holders and a few unsaturated workers) from two workers on.
                seed % 3 == 2 ? 1 : SchedulerConfig.FULL_SCAN_WORKERS);
        // At scale the graph must finish: a task is lost to six deaths, never to one.
        this.config = scale == null ? drawn : drawn.withAllowedFailures(5);
        this.scheduler = new SchedulerState(config);
        this.activeNanos = 5_000_000L + rng.nextLong(100_000_000L);
        this.baseDelayNanos = 5_000L + rng.nextLong(300_000L);
        this.meanClientPauseNanos = activeNanos / (4 + rng.nextInt(16));
        this.meanDeathPauseNanos = rng.nextInt(5) == 0 ? Long.MAX_VALUE : activeNanos / (1 + rng.nextInt(10));
        // A quarter of the runs use a tiny cluster, where work freed on a worker often returns to it.
        this.tiny = rng.nextInt(4) == 0;
        this.meanJoinPauseNanos = tiny ? activeNanos : activeNanos / (1 + rng.nextInt(8));
        this.slowOneIn = rng.nextBoolean() ? 50 : 8;
        this.meanRetirePauseNanos = rng.nextInt(3) == 0 ? Long.MAX_VALUE : activeNanos / (1 + rng.nextInt(6));
    }

    /** Runs to the end; throws {@link InvariantViolation} (or whatever a state machine threw) on failure. */
    SimulationStats run() {
        if (scale != null) {
            return runAtScale();
        }
        int initialWorkers = tiny ? 1 : 1 + rng.nextInt(4);
        for (int i = 0; i < initialWorkers; i++) {
            join(randomWorkerResources());
        }
        int initialClients = 1 + rng.nextInt(3);
        for (int i = 0; i < initialClients; i++) {
            SimulatedClient c = newClient();
            timeline.after(pause(meanClientPauseNanos / 4), "client start", () -> clientAct(c));
        }
        if (meanDeathPauseNanos != Long.MAX_VALUE) {
            timeline.after(pause(meanDeathPauseNanos), "chaos: a worker dies", this::killOne);
        }
        timeline.after(pause(meanJoinPauseNanos), "chaos: a worker joins", this::joinOne);
        if (meanRetirePauseNanos != Long.MAX_VALUE) {
            timeline.after(pause(meanRetirePauseNanos), "chaos: a worker retires", this::retireSome);
        }
        timeline.after(activeNanos, "end of chaos", () -> {
            phase = "drain";
            join(ResourceAmounts.of(Map.of(ResourceAmounts.CPU, 4.0, Workload.GPU, 2.0)));
        });
        runUntilQuiet();
        invariants.atQuiescence();

        phase = "release";
        for (SimulatedClient c : clients) {
            if (!c.left) {
                if (rng.nextBoolean()) {
                    leave(c);
                } else {
                    release(c, new ArrayList<>(c.active.keySet()));
                }
            }
        }
        runUntilQuiet();
        invariants.afterReleasingEverything();
        return stats;
    }

    /** The run at {@link #scale}: see {@link Scale}. */
    private SimulationStats runAtScale() {
        for (int i = 0; i < scale.workers(); i++) {
            join(ResourceAmounts.of(Map.of(ResourceAmounts.CPU, new double[] {1, 2, 2, 4}[rng.nextInt(4)])));
        }
        SimulatedClient c = newClient();
        Workload.Graph g = workload.scaleGraph(scale.tasks());
        timeline.after(1, "client submits " + g.tasks().size() + " tasks", () -> submit(c, g));
        // A few workers die, retire and join while the graph runs (about its expected length, spread over the threads).
        long window = Math.max(1_000_000L, (long) scale.tasks() * 1_000_000L / (2L * scale.workers()));
        int chaos = Math.max(1, scale.workers() / 200);
        for (int i = 0; i < chaos; i++) {
            timeline.after(1 + rng.nextLong(window), "chaos: a worker dies", this::killRandomWorker);
            timeline.after(1 + rng.nextLong(window), "chaos: workers retire", this::retireRandomWorkers);
            timeline.after(1 + rng.nextLong(window), "chaos: a worker joins", () -> join(
                    ResourceAmounts.of(Map.of(ResourceAmounts.CPU, 2.0))));
        }
        timeline.after(window, "end of chaos", () -> phase = "drain");
        runUntilQuiet();
        invariants.atQuiescence();
        phase = "release";
        leave(c);
        runUntilQuiet();
        invariants.afterReleasingEverything();
        return stats;
    }

    private void runUntilQuiet() {
        while (timeline.step()) {
            stats.steps++;
            if (stats.steps > stepLimit) {
                throw violation("the run ends", focus, "no quiescence after " + stepLimit + " steps ("
                        + timeline.pending() + " entries pending; last: " + timeline.current() + ")");
            }
            if (TRACE_LENGTH > 0) {
                if (trace.size() == TRACE_LENGTH) {
                    trace.removeFirst();
                }
                trace.addLast(new Step(timeline.now(), timeline.current()));
            }
            if (fingerprinting) {
                fingerprint = fingerprint * 31 + timeline.now() * 7 + String.valueOf(timeline.current()).hashCode();
            }
            invariants.afterStep();
        }
    }

    // ---------------------------------------------------------------- plumbing

    StimulusId stimulus(String kind) {
        return new StimulusId(kind, ++stimuli);
    }

    /**
     * How long a steal for {@code thief} may take at most: the report that freed its thread
     * reaching the scheduler, the request to a victim and the answer, and the task to the thief:
     * slow messages (ten times the longest ordinary delay) on their links. The victim may be any
     * worker (the scheduler asks the one with the longest backlog first, perhaps a congested one,
     * whose refusal comes late), so the slowest link ({@code maxLag}, of the live workers) counts
     * for the request and its answer.
     */
    long stealLatencyBound(SimulatedWorker thief, int maxLag) {
        long slowest = 10 * 2 * baseDelayNanos;
        return slowest * (2L * thief.lag + 2L * maxLag);
    }

    /** A message delay: mostly around the base, sometimes ten times longer. */
    long delay() {
        long d = (long) (baseDelayNanos * (0.2 + rng.nextDouble() * 1.6));
        return rng.nextInt(slowOneIn) == 0 ? d * 10 : d;
    }

    private long pause(long mean) {
        return 1 + (long) (-Math.log(1 - rng.nextDouble()) * mean);
    }

    void focus(TaskKey key) {
        if (key != null) {
            focus = key;
        }
    }

    TaskKey focus() {
        return focus;
    }

    String phase() {
        return phase;
    }

    InvariantViolation violation(String invariant, TaskKey key, String detail) {
        return new InvariantViolation(invariant, key, detail);
    }

    /** Sends from a worker to the scheduler; lost if the worker is dead by the time it would arrive. */
    void toScheduler(SimulatedWorker from, SchedulerEvent e) {
        timeline.send(from.toScheduler, delay() * from.lag, e, () -> {
            if (from.alive) {
                schedulerHandle(e);
            } else {
                stats.droppedMessages++;
            }
        });
    }

    private void schedulerHandle(SchedulerEvent e) {
        focus(keyOf(e));
        int tasksBefore = scheduler.taskCount();
        List<SchedulerCommand> commands = scheduler.handle(e);
        invariants.afterSchedulerStep(e, commands, tasksBefore);
        switch (e) {
            case SchedulerEvent.WorkerLeft l -> noteKeptForClients(workload.keys());
            case SchedulerEvent.DataMissing m -> noteKeptForClients(List.of(m.dependency()));
            case SchedulerEvent.GraphSubmitted g -> invariants.checkKeptForClients(g.wanted());
            default -> { }
        }
        for (SchedulerCommand c : commands) {
            route(c, commands);
        }
    }

    private void route(SchedulerCommand command, List<SchedulerCommand> commands) {
        switch (command) {
            case SchedulerCommand.ComputeTask t -> {
                SimulatedWorker w = workers.get(t.worker());
                invariants.checkAssignment(t, w);
                if (keptForClients.remove(t.key())) {
                    stats.revived++;
                    if (invariants.wantedOnlyByHolders(t.key())) {
                        stats.revivedForDependents++; // no new want: a dependent brought it back
                    }
                }
                WorkerEvent e = new WorkerEvent.ComputeRequested(stimulus("compute"), t.key(), t.runId(), t.payload(),
                        t.dependencies(), t.whoHas(), t.resources(), t.priority());
                timeline.send(w.fromScheduler, delay(), e, () -> w.deliver(e, null));
            }
            case SchedulerCommand.FreeKeys f -> {
                SimulatedWorker w = workers.get(f.worker());
                if (w == null) {
                    throw violation("commands go to known workers", null, "FreeKeys to unknown " + f.worker());
                }
                WorkerEvent e = new WorkerEvent.KeysFreed(stimulus("free"), List.copyOf(f.keys()));
                timeline.send(w.fromScheduler, delay(), e, () -> w.deliver(e, null));
            }
            case SchedulerCommand.StealRequest s -> {
                SimulatedWorker w = workers.get(s.worker());
                if (w == null) {
                    throw violation("commands go to known workers", s.key(), "StealRequest to unknown " + s.worker());
                }
                stats.stealRequests++;
                WorkerEvent e = new WorkerEvent.StealRequested(stimulus("steal"), s.key(), s.runId());
                timeline.send(w.fromScheduler, delay(), e, () -> w.deliver(e, null));
            }
            case SchedulerCommand.ReportDone d -> toClient(d.client(), d.key(), d);
            case SchedulerCommand.ReportErred d -> toClient(d.client(), d.key(), d);
            case SchedulerCommand.ReportStalled d -> toClient(d.client(), d.key(), d);
            case SchedulerCommand.HandleLater later -> timeline.after(0, later.event(), () -> schedulerHandle(later.event()));
            case SchedulerCommand.LogWarning w -> {
                invariants.checkWarning(w.message());
                warnings.add(w.message());
            }
            case SchedulerCommand.CopyKeys c -> {
                SimulatedWorker w = workers.get(c.worker());
                invariants.checkCopy(c, w);
                stats.copies++;
                WorkerEvent e = new WorkerEvent.CopyRequested(stimulus("copy"), c.keys(), c.whoHas());
                timeline.send(w.fromScheduler, delay(), e, () -> w.deliver(e, null));
            }
            case SchedulerCommand.RetireWorker r -> {
                SimulatedWorker w = workers.get(r.worker());
                invariants.checkRetire(r, w, commands);
                // The shell closes the worker, then reports it gone as for any worker that leaves.
                timeline.send(w.fromScheduler, delay(), "close retired " + w.id, () -> {
                    if (!w.alive) {
                        return; // died meanwhile: its WorkerLeft is on the way already
                    }
                    w.die();
                    stats.retired++;
                    SchedulerEvent e = new SchedulerEvent.WorkerLeft(stimulus("worker-retired"), w.id);
                    timeline.send(w.control, delay(), e, () -> schedulerHandle(e));
                });
            }
        }
    }

    /** Attributes a report to the request the scheduler is answering now, and delivers it later. */
    private void toClient(ClientId client, TaskKey key, SchedulerCommand report) {
        SimulatedClient.Request r = schedulerSide.getOrDefault(client, Map.of()).get(key);
        if (r == null) {
            throw violation("clients hear only about keys they want", key, "scheduler sent " + report
                    + " to " + client + ", which does not want it");
        }
        SimulatedClient c = client(client);
        timeline.send(c.fromScheduler, delay(), report, () -> {
            invariants.clientReceived(r, report);
            if (report instanceof SchedulerCommand.ReportDone d && r.expectInvalid == null) {
                fetchResult(c, r, d.holders());
            }
        });
    }

    /** Lost results among {@code keys} that the scheduler did not recompute: allowed only if their clients hold them. */
    private void noteKeptForClients(Collection<TaskKey> keys) {
        invariants.checkKeptForClients(keys);
        for (TaskKey k : keys) {
            if (scheduler.stateOf(k) == SchedulerTaskState.RELEASED && invariants.wantedByScheduler(k)
                    && keptForClients.add(k)) {
                stats.keptForClients++;
            }
        }
    }

    /**
     * The client fetches a result it was told is done, as the runtime's client does at once, then says
     * it holds it: mostly at once, sometimes later, sometimes never. Only while it still wants it.
     */
    private void fetchResult(SimulatedClient c, SimulatedClient.Request r, List<WorkerId> holders) {
        timeline.after(delay(), "client " + c.id + " fetches " + r.key + " from " + holders, () -> {
            if (c.left || c.active.get(r.key) != r) {
                return;
            }
            for (WorkerId h : holders) {
                SimulatedWorker w = workers.get(h);
                if (w.alive && w.store.containsKey(r.key)) {
                    invariants.checkValue(w, r.key, w.store.get(r.key));
                    r.received = true;
                    stats.clientFetches++;
                    break;
                }
            }
            int roll = rng.nextInt(10);
            if (!r.received || roll < 2) {
                return; // the fetch failed, or the client never says it holds the result
            }
            timeline.after(roll < 4 ? pause(meanClientPauseNanos) : 0, "client " + c.id + " received " + r.key,
                    () -> sendReceipt(c, r));
        });
    }

    /** Says {@code c} holds {@code r}'s result; now and then with a key it does not want (which must be ignored). */
    private void sendReceipt(SimulatedClient c, SimulatedClient.Request r) {
        if (c.left || c.active.get(r.key) != r) {
            return; // released meanwhile: a receipt now would claim what the scheduler must not count
        }
        List<TaskKey> keys = new ArrayList<>(List.of(r.key));
        if (rng.nextInt(5) == 0) {
            // Over the same FIFO link as its graphs and releases, so the scheduler must see it is not
            // wanted; a key it released is the likeliest to be wanted again, and then it must not count.
            TaskKey stray = strayKey(c);
            if (!c.active.containsKey(stray)) {
                keys.add(stray);
            }
        }
        stats.receipts++;
        SchedulerEvent e = new SchedulerEvent.ResultsReceived(stimulus("received"), c.id, List.copyOf(keys));
        timeline.send(c.toScheduler, delay(), e, () -> schedulerHandle(e));
    }

    void fetch(SimulatedWorker to, TaskKey key, List<WorkerId> holders) {
        stats.fetches++;
        timeline.after(delay(), "fetch " + key + " for " + to.id + " from " + holders, () -> {
            if (!to.alive) {
                return;
            }
            List<WorkerId> order = new ArrayList<>(holders);
            shuffle(order);
            WorkerId tried = null;
            Long value = null;
            for (WorkerId h : order) {
                tried = h;
                SimulatedWorker hw = workers.get(h);
                if (hw != null && hw.alive && hw.store.containsKey(key)) {
                    value = hw.store.get(key);
                    break;
                }
            }
            Long got = value;
            WorkerEvent e = got != null
                    ? new WorkerEvent.FetchSucceeded(stimulus("fetch-done"), key, Workload.nbytes(key))
                    : new WorkerEvent.FetchFailed(stimulus("fetch-failed"), key, tried);
            if (got == null) {
                stats.failedFetches++;
            }
            timeline.after(delay(), e, () -> to.deliver(e, got));
        });
    }

    // ---------------------------------------------------------------- workers

    private ResourceAmounts randomWorkerResources() {
        Map<String, Double> r = new HashMap<>();
        r.put(ResourceAmounts.CPU, new double[] {1, 1, 2, 4}[rng.nextInt(4)]);
        int g = rng.nextInt(20);
        if (g < 6) {
            r.put(Workload.GPU, g == 0 ? 2.0 : 1.0);
        }
        return ResourceAmounts.of(r);
    }

    private void join(ResourceAmounts resources) {
        WorkerId id = new WorkerId("w" + (++workerNames));
        // A congested connection: everything this worker reports arrives late, in order.
        SimulatedWorker w = new SimulatedWorker(this, id, resources, rng.nextInt(4) == 0 ? 20 : 1);
        workers.put(id, w);
        stats.joins++;
        SchedulerEvent e = new SchedulerEvent.WorkerJoined(stimulus("worker-joined"), id, resources);
        timeline.send(w.control, delay(), e, () -> schedulerHandle(e));
    }

    private void joinOne() {
        if (!phase.equals("chaos")) {
            return;
        }
        join(randomWorkerResources());
        timeline.after(pause(meanJoinPauseNanos), "chaos: a worker joins", this::joinOne);
    }

    private void killOne() {
        if (!phase.equals("chaos")) {
            return;
        }
        killRandomWorker();
        timeline.after(pause(meanDeathPauseNanos), "chaos: a worker dies", this::killOne);
    }

    private void killRandomWorker() {
        List<SimulatedWorker> live = liveWorkers();
        if (!live.isEmpty()) {
            SimulatedWorker w = live.get(rng.nextInt(live.size()));
            w.die();
            stats.deaths++;
            // The scheduler notices after a while (connection closed or heartbeats missed).
            SchedulerEvent e = new SchedulerEvent.WorkerLeft(stimulus("worker-left"), w.id);
            timeline.send(w.control, delay() * (1 + rng.nextInt(20)), e, () -> schedulerHandle(e));
        }
    }

    /** Asks the scheduler to retire one or two live workers (now and then one it does not know). */
    private void retireSome() {
        if (!phase.equals("chaos")) {
            return;
        }
        retireRandomWorkers();
        timeline.after(pause(meanRetirePauseNanos), "chaos: a worker retires", this::retireSome);
    }

    private void retireRandomWorkers() {
        List<SimulatedWorker> live = liveWorkers();
        List<WorkerId> ids = new ArrayList<>();
        int n = rng.nextInt(5) == 0 ? 2 : 1;
        for (int i = 0; i < n && !live.isEmpty(); i++) {
            ids.add(live.remove(rng.nextInt(live.size())).id);
        }
        if (rng.nextInt(10) == 0) {
            ids.add(new WorkerId("ghost" + rng.nextInt(3)));
        }
        if (!ids.isEmpty()) {
            stats.retirements += ids.size();
            SchedulerEvent e = new SchedulerEvent.RetireWorkers(stimulus("retire"), List.copyOf(ids));
            timeline.send(operator, delay(), e, () -> {
                for (WorkerId id : ids) {
                    if (scheduler.workers().contains(id)) {
                        retireAsked.add(id);
                    }
                }
                schedulerHandle(e);
            });
        }
    }

    List<SimulatedWorker> liveWorkers() {
        List<SimulatedWorker> live = new ArrayList<>();
        for (SimulatedWorker w : workers.values()) {
            if (w.alive) {
                live.add(w);
            }
        }
        return live;
    }

    // ---------------------------------------------------------------- clients

    private SimulatedClient newClient() {
        SimulatedClient c = new SimulatedClient(new ClientId("c" + (++clientNames)));
        clients.add(c);
        return c;
    }

    SimulatedClient client(ClientId id) {
        for (SimulatedClient c : clients) {
            if (c.id.equals(id)) {
                return c;
            }
        }
        throw new IllegalStateException("no client " + id);
    }

    private void clientAct(SimulatedClient c) {
        if (!phase.equals("chaos") || c.left) {
            return;
        }
        int roll = rng.nextInt(100);
        List<SimulatedClient.Request> done = new ArrayList<>();
        List<SimulatedClient.Request> pending = new ArrayList<>();
        for (SimulatedClient.Request r : c.active.values()) {
            (r.outcomes.isEmpty() ? pending : done).add(r);
        }
        if (roll < 15 && !done.isEmpty()) {
            release(c, List.of(done.get(rng.nextInt(done.size())).key));
        } else if (roll < 27 && !pending.isEmpty()) {
            release(c, List.of(pending.get(rng.nextInt(pending.size())).key)); // a cancel
        } else if (roll < 37 && wantAgain(c)) {
            // asked for again something it let go of: stale reports about it may still be in flight
        } else if (roll < 40) {
            leave(c);
            SimulatedClient next = newClient();
            timeline.after(pause(meanClientPauseNanos), "client start", () -> clientAct(next));
            return;
        } else {
            submit(c);
        }
        timeline.after(pause(meanClientPauseNanos), "client acts", () -> clientAct(c));
    }

    private void submit(SimulatedClient c) {
        submit(c, workload.nextGraph());
    }

    private void submit(SimulatedClient c, Workload.Graph g) {
        stats.graphs++;
        stats.tasks += g.tasks().size();
        if (g.invalid() != null) {
            stats.invalidGraphs++;
        }
        Set<TaskKey> inGraph = new HashSet<>();
        for (TaskSpec s : g.tasks()) {
            inGraph.add(s.key());
        }
        List<TaskKey> wanted = new ArrayList<>();
        List<SimulatedClient.Request> made = new ArrayList<>();
        for (TaskKey k : g.wanted()) {
            if (c.active.containsKey(k)) {
                continue; // the client already holds a future for it
            }
            String invalid = g.invalid() != null ? g.invalid() : inGraph.contains(k) ? null : "not part of the graph";
            SimulatedClient.Request r = new SimulatedClient.Request(++requests, c.id, k, invalid, timeline.now());
            wanted.add(k);
            made.add(r);
            c.requests.add(r);
            if (invalid == null) {
                c.active.put(k, r);
            }
        }
        SchedulerEvent e = new SchedulerEvent.GraphSubmitted(stimulus("graph"), c.id, g.tasks(), wanted);
        timeline.send(c.toScheduler, delay(), e, () -> {
            Map<TaskKey, SimulatedClient.Request> side = schedulerSide.computeIfAbsent(c.id, x -> new HashMap<>());
            for (SimulatedClient.Request r : made) {
                side.put(r.key, r);
            }
            schedulerHandle(e);
            for (SimulatedClient.Request r : made) {
                if (r.expectInvalid != null) {
                    side.remove(r.key); // answered at once; the scheduler keeps no interest
                }
            }
        });
    }

    /** Submits again a key this client released; false if there is none. */
    private boolean wantAgain(SimulatedClient c) {
        List<TaskKey> candidates = new ArrayList<>();
        for (SimulatedClient.Request r : c.requests) {
            if (r.released && r.expectInvalid == null && !c.active.containsKey(r.key)) {
                candidates.add(r.key);
            }
        }
        if (candidates.isEmpty()) {
            return false;
        }
        TaskKey k = candidates.get(rng.nextInt(candidates.size()));
        submit(c, new Workload.Graph(workload.withInputs(k), List.of(k), null));
        return true;
    }

    /** A key {@code c} does not want now: one it released, any known key, or an unknown one. */
    private TaskKey strayKey(SimulatedClient c) {
        int roll = rng.nextInt(3);
        if (roll == 0) {
            List<TaskKey> released = new ArrayList<>();
            for (SimulatedClient.Request q : c.requests) {
                if (q.released && q.expectInvalid == null && !c.active.containsKey(q.key)) {
                    released.add(q.key);
                }
            }
            if (!released.isEmpty()) {
                return released.get(rng.nextInt(released.size()));
            }
        }
        return roll == 1 ? workload.keys().get(rng.nextInt(workload.keys().size())) : new TaskKey("ghost", 0);
    }

    private void release(SimulatedClient c, List<TaskKey> keys) {
        for (TaskKey k : keys) {
            SimulatedClient.Request r = c.active.remove(k);
            if (r != null) {
                r.released = true;
                stats.releases++;
            }
        }
        SchedulerEvent e = new SchedulerEvent.KeysReleased(stimulus("release"), c.id, List.copyOf(keys));
        timeline.send(c.toScheduler, delay(), e, () -> {
            Map<TaskKey, SimulatedClient.Request> side = schedulerSide.getOrDefault(c.id, new HashMap<>());
            keys.forEach(side::remove);
            schedulerHandle(e);
        });
    }

    private void leave(SimulatedClient c) {
        c.left = true;
        stats.clientsLeft++;
        for (SimulatedClient.Request r : c.active.values()) {
            r.released = true;
        }
        c.active.clear();
        SchedulerEvent e = new SchedulerEvent.ClientLeft(stimulus("client-left"), c.id);
        timeline.send(c.toScheduler, delay(), e, () -> {
            schedulerSide.remove(c.id);
            schedulerHandle(e);
        });
    }

    private <T> void shuffle(List<T> list) {
        for (int i = list.size() - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            T t = list.get(i);
            list.set(i, list.get(j));
            list.set(j, t);
        }
    }

    private static TaskKey keyOf(SchedulerEvent e) {
        return switch (e) {
            case SchedulerEvent.TaskFinished f -> f.key();
            case SchedulerEvent.TaskFailed f -> f.key();
            case SchedulerEvent.DataMissing m -> m.dependency();
            case SchedulerEvent.GraphSubmitted g -> g.wanted().isEmpty() ? null : g.wanted().iterator().next();
            case SchedulerEvent.KeysReleased r -> r.keys().isEmpty() ? null : r.keys().iterator().next();
            case SchedulerEvent.WorkerJoined j -> null;
            case SchedulerEvent.WorkerLeft l -> null;
            case SchedulerEvent.ClientLeft l -> null;
            case SchedulerEvent.RetireWorkers r -> null;
            case SchedulerEvent.AdmissionClosed a -> null;
            case SchedulerEvent.KeysCopied c -> c.keys().isEmpty() ? null : c.keys().get(0);
            case SchedulerEvent.ResultsReceived r -> r.keys().isEmpty() ? null : r.keys().get(0);
            case SchedulerEvent.StealAnswered a -> a.key();
        };
    }
}
