package dev.burst.internal.adaptive;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.SplittableRandom;
import java.util.function.IntFunction;

/**
 * A cluster on a virtual clock, run by an {@link AdaptivePolicy}: a cluster manager that starts
 * workers after a random delay (or never, or fails them), workers that run tasks of given durations
 * on their threads, a client that fetches each kept result a while after it is done, and graceful
 * retirement that hands a leaving worker's unfetched results to a worker that stays.
 *
 * <p>Design note. Everything happens as timed events in one queue (ties by insertion order), all
 * randomness comes from one seeded generator, so a run replays exactly. Invariants are checked at
 * every decision and throw {@link AssertionError} naming the time and the decision. Cost is counted
 * as in the ledger: a worker is allocated (threads × time) from arrival until it leaves; busy is the
 * time its threads run tasks.
 */
final class SimulatedCluster {
    static final long S = 1_000_000_000L;

    /** How the cluster manager treats a start request. */
    enum StartOutcome { ARRIVES, NEVER_ARRIVES, FAILS }

    /** One task: how long it runs, and whether its result is kept for the client (never fetched: -1). */
    record SimTask(long durationNanos, long fetchAfterNanos) {
        static SimTask plain(double seconds) {
            return new SimTask((long) (seconds * S), 0);
        }
    }

    private record Event(long at, long seq, Runnable action) {
    }

    private static final class Worker {
        final String name;
        final int threads;
        final long joinedAt;
        final List<SimTask> running = new ArrayList<>();
        int soleResults;
        boolean retiring;

        Worker(String name, int threads, long joinedAt) {
            this.name = name;
            this.threads = threads;
            this.joinedAt = joinedAt;
        }
    }

    private final SplittableRandom rng;
    private final AdaptivePolicy policy;
    private final AdaptiveSettings settings;
    private final int threadsPerWorker;
    private final long intervalNanos;
    private final PriorityQueue<Event> events = new PriorityQueue<>(
            Comparator.comparingLong(Event::at).thenComparingLong(Event::seq));
    private long seq;
    private long now;

    private final Deque<SimTask> waiting = new ArrayDeque<>();
    private final Map<String, Worker> workers = new LinkedHashMap<>();
    private final Map<String, PendingWorker> pending = new LinkedHashMap<>();
    /** Decides, per start request in order, what the cluster manager does with it. */
    IntFunction<StartOutcome> startOutcome = n -> StartOutcome.ARRIVES;
    long minArrivalNanos = S;
    long maxArrivalNanos = 3 * S;

    // ---------------------------------------------------------------- what a run measured
    int startRequests;
    int decisions;
    int startFailures;
    int cancelled;
    int retired;
    int tasksDone;
    int resultsLost;
    double busyNanos;
    double allocatedNanos;
    int maxWorkers;
    final List<AdaptiveDecision> decisionLog = new ArrayList<>();
    /** Times of decisions that started workers. */
    final List<Long> startTimes = new ArrayList<>();
    /** The back-off after each failure, as the policy reports it. */
    final List<Long> backoffs = new ArrayList<>();
    /** (time, connected workers not retiring) at each decision. */
    final List<long[]> sizes = new ArrayList<>();

    SimulatedCluster(long seed, AdaptiveSettings settings, int threadsPerWorker, long intervalNanos) {
        this.rng = new SplittableRandom(seed);
        this.settings = settings;
        this.policy = new AdaptivePolicy(settings, threadsPerWorker);
        this.threadsPerWorker = threadsPerWorker;
        this.intervalNanos = intervalNanos;
        at(0, this::decide);
    }

    /** Submits {@code tasks} at {@code atNanos}. */
    void submit(long atNanos, List<SimTask> tasks) {
        at(atNanos, () -> {
            waiting.addAll(tasks);
            assignAll();
        });
    }

    /** Runs until {@code endNanos}, then closes the books of the workers still there. */
    void runUntil(long endNanos) {
        while (!events.isEmpty() && events.peek().at() <= endNanos) {
            Event e = events.poll();
            now = e.at();
            e.action().run();
        }
        now = endNanos;
        for (Worker w : workers.values()) {
            allocatedNanos += (double) (now - w.joinedAt) * w.threads;
        }
    }

    double efficiency() {
        return busyNanos / allocatedNanos;
    }

    int connectedNow() {
        return workers.size();
    }

    int waitingNow() {
        return waiting.size();
    }

    long backoffNow() {
        return policy.backoffNanos();
    }

    // ---------------------------------------------------------------- the controller

    private void decide() {
        decisions++;
        List<WorkerView> views = new ArrayList<>();
        double waitingWork = 0;
        for (SimTask t : waiting) {
            waitingWork += t.durationNanos();
        }
        for (Worker w : workers.values()) {
            double work = 0;
            for (SimTask t : w.running) {
                work += t.durationNanos();
            }
            views.add(new WorkerView(w.name, w.threads, w.running.size(), work, w.soleResults * 1000L,
                    w.soleResults, w.retiring));
        }
        ClusterSnapshot snapshot = new ClusterSnapshot(views, waiting.size(), waitingWork);
        AdaptiveDecision d = policy.decide(snapshot, List.copyOf(pending.values()), now);
        decisionLog.add(d);
        check(d);
        for (String name : d.cancel()) {
            if (pending.remove(name) != null) {
                cancelled++;
            }
        }
        for (String name : d.retire()) {
            retire(workers.get(name));
        }
        if (d.start() > 0) {
            startTimes.add(now);
        }
        for (int i = 0; i < d.start(); i++) {
            requestWorker();
        }
        int active = (int) workers.values().stream().filter(w -> !w.retiring).count();
        sizes.add(new long[] {now, active});
        if (active + pending.size() > settings.maximum()) {
            fail("more than maximum connected + pending: " + active + " + " + pending.size(), d);
        }
        maxWorkers = Math.max(maxWorkers, active + pending.size());
        at(now + intervalNanos, this::decide);
    }

    private void check(AdaptiveDecision d) {
        if (d.target() < settings.minimum() || d.target() > settings.maximum()) {
            fail("target out of [minimum, maximum]", d);
        }
        if (d.start() > 0 && !d.retire().isEmpty()) {
            fail("scaled up and down at once", d);
        }
        if (d.reason().isBlank()) {
            fail("no reason", d);
        }
        for (String name : d.retire()) {
            Worker w = workers.get(name);
            if (w == null || w.retiring || !w.running.isEmpty()) {
                fail("retired " + name + ", which is gone, retiring or busy", d);
            }
            boolean someoneStays = workers.values().stream()
                    .anyMatch(o -> !o.retiring && !d.retire().contains(o.name));
            if (w.soleResults > 0 && !someoneStays) {
                fail("retired " + name + " holding sole results with nobody staying", d);
            }
        }
    }

    private void fail(String what, AdaptiveDecision d) {
        throw new AssertionError("at " + AdaptivePolicy.seconds(now) + ": " + what + " in " + d);
    }

    // ---------------------------------------------------------------- the cluster manager

    private void requestWorker() {
        startRequests++;
        String name = "w" + startRequests;
        pending.put(name, new PendingWorker(name, now));
        long delay = minArrivalNanos + (long) (rng.nextDouble() * (maxArrivalNanos - minArrivalNanos));
        switch (startOutcome.apply(startRequests)) {
            case ARRIVES -> at(now + delay, () -> {
                if (pending.remove(name) != null) { // a cancelled one never joins
                    Worker w = new Worker(name, threadsPerWorker, now);
                    workers.put(name, w);
                    assign(w);
                }
            });
            case NEVER_ARRIVES -> { }
            case FAILS -> at(now + delay / 10, () -> {
                if (pending.remove(name) != null) {
                    startFailures++;
                    policy.startFailed(name, "simulated start failure", now);
                    backoffs.add(policy.backoffNanos());
                }
            });
        }
    }

    /** Graceful retirement: hand sole results to a worker that stays, then leave a moment later. */
    private void retire(Worker w) {
        w.retiring = true;
        retired++;
        if (w.soleResults > 0) {
            Worker to = workers.values().stream().filter(o -> !o.retiring).findFirst().orElse(null);
            if (to == null) {
                resultsLost += w.soleResults;
            } else {
                to.soleResults += w.soleResults;
            }
            w.soleResults = 0;
        }
        at(now + S / 10, () -> {
            workers.remove(w.name);
            allocatedNanos += (double) (now - w.joinedAt) * w.threads;
        });
    }

    // ---------------------------------------------------------------- the workers

    private void assignAll() {
        for (Worker w : workers.values()) {
            assign(w);
        }
    }

    private void assign(Worker w) {
        while (!w.retiring && w.running.size() < w.threads && !waiting.isEmpty()) {
            SimTask t = waiting.poll();
            w.running.add(t);
            at(now + t.durationNanos(), () -> finished(w, t));
        }
    }

    private void finished(Worker w, SimTask t) {
        w.running.remove(t);
        busyNanos += t.durationNanos();
        tasksDone++;
        if (t.fetchAfterNanos() != 0) {
            w.soleResults++;
            if (t.fetchAfterNanos() > 0) {
                at(now + t.fetchAfterNanos(), () -> fetched());
            }
        }
        assign(w);
    }

    /** The client fetched one kept result: whichever worker holds one now drops it. */
    private void fetched() {
        for (Worker w : workers.values()) {
            if (w.soleResults > 0) {
                w.soleResults--;
                return;
            }
        }
    }

    private void at(long atNanos, Runnable action) {
        events.add(new Event(atNanos, seq++, action));
    }
}
