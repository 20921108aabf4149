package dev.burst.internal.cluster;

import dev.burst.internal.adaptive.AdaptiveDecision;
import dev.burst.internal.adaptive.AdaptivePolicy;
import dev.burst.internal.adaptive.AdaptiveSettings;
import dev.burst.internal.adaptive.ClusterSnapshot;
import dev.burst.internal.adaptive.PendingWorker;
import dev.burst.internal.adaptive.WorkerView;
import dev.burst.internal.core.WorkerId;
import dev.burst.internal.loop.SchedulerLoop;
import dev.burst.spi.PoolWorker;
import dev.burst.spi.Ticker;
import dev.burst.spi.WorkerPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The shell around {@link AdaptivePolicy}: on an interval (and at once when work is submitted) it
 * takes a snapshot on the scheduler thread, adds the workers the {@link WorkerPool} was asked
 * for and that have not joined, asks the policy, and carries the decision out: start workers,
 * cancel requests, retire workers gracefully (the scheduler copies their sole results first) and
 * stop them once they have left.
 *
 * <p>One thread runs the policy, so the policy needs no locks; the manager's listener and the
 * scheduler's "work arrived" hook only post onto that thread. Workers whose lifetime is up (batch
 * jobs with a walltime) are retired here too, one at a time, and the policy replaces them because
 * the target has not changed.
 */
public final class AdaptiveController implements AutoCloseable, WorkerPool.Events {
    private static final Logger log = LoggerFactory.getLogger(AdaptiveController.class);

    private final String clusterName;
    private final SchedulerLoop scheduler;
    private final WorkerPool manager;
    private final Ticker ticker;
    private final AdaptivePolicy policy;
    private final AdaptiveSettings settings;
    private final long intervalNanos;
    private final ScheduledExecutorService thread;
    private final ScheduledFuture<?> ticks;
    /** Managed workers seen connected at least once; controller thread only. */
    private final Set<String> everConnected = new HashSet<>();
    /** Workers asked to retire and not yet stopped; controller thread only. */
    private final Set<String> retiring = new HashSet<>();
    private final AtomicBoolean tickQueued = new AtomicBoolean();
    private volatile boolean closed;
    private volatile String lastReason = "";
    private volatile int lastTarget;
    private volatile String lastStartFailure = "";
    private final java.util.concurrent.atomic.AtomicInteger startFailuresInARow = new java.util.concurrent.atomic.AtomicInteger();

    public AdaptiveController(String clusterName, SchedulerLoop scheduler, WorkerPool manager,
                              AdaptiveSettings settings, Duration interval, Ticker ticker) {
        this.clusterName = clusterName;
        this.ticker = ticker;
        this.scheduler = scheduler;
        this.manager = manager;
        this.settings = settings;
        this.policy = new AdaptivePolicy(settings, manager.shape().threads());
        this.intervalNanos = interval.toNanos();
        this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, clusterName + "-adaptive");
            t.setDaemon(true);
            return t;
        });
        this.ticks = thread.scheduleWithFixedDelay(this::tickSafely, 0, intervalNanos, TimeUnit.NANOSECONDS);
    }

    public AdaptiveSettings settings() {
        return settings;
    }

    /** The target of the last decision. */
    public int target() {
        return lastTarget;
    }

    /** Why the last decision was taken. */
    public String lastReason() {
        return lastReason;
    }

    /** Decide again now (work was submitted): the first worker should not wait for the next tick. */
    public void poke() {
        if (!closed && tickQueued.compareAndSet(false, true)) {
            try {
                thread.execute(this::tickSafely);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                // closed meanwhile: nothing to decide any more (never fail the submit that poked)
            }
        }
    }

    /** The last reason a requested worker did not start, or empty. */
    public String lastStartFailure() {
        return lastStartFailure;
    }

    /** Workers that failed to start since a worker last joined (0 once one joins). */
    public int startFailuresInARow() {
        return startFailuresInARow.get();
    }

    @Override
    public void startFailed(String worker, String reason) {
        startFailuresInARow.incrementAndGet();
        lastStartFailure = "worker " + worker + " did not start: " + reason;
        log.warn("{}: worker {} did not start: {}", clusterName, worker, reason);
        if (!closed) {
            try {
                thread.execute(() -> policy.startFailed(worker, reason, ticker.nanos()));
            } catch (java.util.concurrent.RejectedExecutionException e) {
                // closed meanwhile
            }
        }
    }

    @Override
    public void workerEnded(String worker, String reason) {
        log.warn("{}: worker {} ended: {}", clusterName, worker, reason);
        poke();
    }

    private void tickSafely() {
        tickQueued.set(false);
        if (closed) {
            return;
        }
        try {
            tick();
        } catch (RuntimeException e) {
            log.error("{}: adaptive scaling step failed; trying again in {} ms", clusterName, intervalNanos / 1_000_000, e);
        }
    }

    private void tick() {
        if (scheduler.isClosed()) {
            return;
        }
        // Workers are known to the scheduler by id (where they serve results) and to the manager by
        // the name it started them under: the policy sees names, the scheduler is told ids.
        Map<String, WorkerId> idsByName = new java.util.HashMap<>();
        CompletableFuture<ClusterSnapshot> taken = new CompletableFuture<>();
        scheduler.onLoop(() -> {
            try {
                taken.complete(namedSnapshot(idsByName));
            } catch (RuntimeException e) { // never let a scaling step stop the scheduler loop
                taken.completeExceptionally(e);
            }
        });
        ClusterSnapshot snapshot;
        try {
            snapshot = taken.get(10, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            log.error("{}: taking a scheduler snapshot failed; skipping a scaling step", clusterName, e.getCause());
            return;
        } catch (Exception e) {
            if (!closed && !scheduler.isClosed()) {
                log.warn("{}: no scheduler snapshot within 10 s; skipping a scaling step", clusterName);
            }
            return;
        }
        decideAndAct(snapshot, idsByName);
    }

    /** The snapshot with workers named as their manager started them; on the scheduler thread. */
    private ClusterSnapshot namedSnapshot(Map<String, WorkerId> idsByName) {
        ClusterSnapshot byId = scheduler.state().adaptiveSnapshot();
        List<WorkerView> named = new ArrayList<>();
        for (WorkerView w : byId.workers()) {
            WorkerId id = new WorkerId(w.name());
            String name = scheduler.workerName(id);
            idsByName.put(name, id);
            named.add(new WorkerView(name, w.threads(), w.processingTasks(), w.processingWorkNanos(),
                    w.storedBytes(), w.soleNeededResults(), w.retiring()));
        }
        return new ClusterSnapshot(named, byId.waitingTasks(), byId.waitingWorkNanos());
    }

    private void decideAndAct(ClusterSnapshot snapshot, Map<String, WorkerId> idsByName) {
        long now = ticker.nanos();
        Set<String> connected = new HashSet<>();
        for (WorkerView w : snapshot.workers()) {
            connected.add(w.name());
        }
        retiring.retainAll(connected);
        if (!everConnected.containsAll(connected)) {
            startFailuresInARow.set(0); // a worker arrived: starts work
        }
        everConnected.addAll(connected);
        List<PendingWorker> pending = new ArrayList<>();
        Set<String> managed = new HashSet<>();
        for (PoolWorker m : manager.workers()) {
            managed.add(m.name());
            // A worker that was connected and is gone is ending (its listener reports why), not pending.
            if (connected.contains(m.name()) || everConnected.contains(m.name()) || m.state() == PoolWorker.State.STOPPING) {
                continue;
            }
            // The arrival timeout counts from when its process runs: a job waiting in a batch queue is
            // not late (cancelling it would lose its place in the queue).
            long since = m.state() == PoolWorker.State.PENDING ? now
                    : manager.runningSinceNanos(m.name()).orElse(m.requestedAtNanos());
            pending.add(new PendingWorker(m.name(), since));
        }
        everConnected.retainAll(managed);
        AdaptiveDecision d = policy.decide(snapshot, pending, now);
        lastTarget = d.target();
        if (!d.reason().equals(lastReason) && (d.start() > 0 || !d.retire().isEmpty() || !d.cancel().isEmpty())) {
            log.info("{}: {}", clusterName, d.reason());
        }
        lastReason = d.reason();
        if (!d.cancel().isEmpty()) {
            manager.stop(d.cancel());
        }
        if (d.start() > 0) {
            manager.start(d.start());
        }
        List<String> retire = new ArrayList<>(d.retire());
        if (d.start() == 0 && retire.isEmpty() && retiring.isEmpty()) {
            expired(snapshot, now).ifPresent(retire::add);
        }
        retire.removeAll(retiring);
        if (!retire.isEmpty()) {
            retiring.addAll(retire);
            List<WorkerId> ids = retire.stream().map(n -> idsByName.getOrDefault(n, new WorkerId(n))).toList();
            scheduler.retireWorkers(ids).whenComplete((left, err) -> {
                if (err == null && !left.isEmpty()) {
                    manager.stop(retire);
                }
            });
        }
    }

    /**
     * The worker longest past its lifetime, if any (batch jobs); one at a time, so replacements
     * stagger and the cluster never loses more than one worker's capacity to lifetimes at once.
     */
    private java.util.Optional<String> expired(ClusterSnapshot snapshot, long now) {
        String due = null;
        long dueAt = Long.MAX_VALUE;
        long staying = snapshot.workers().stream().filter(w -> !w.retiring()).count();
        for (WorkerView w : snapshot.workers()) {
            java.util.OptionalLong at = manager.retireAfterNanos(w.name());
            // The last worker holding results no one else has waits until another worker is there
            // to take them (the policy starts one when work needs it) or they are fetched.
            boolean canLeave = staying > 1 || w.soleNeededResults() == 0;
            if (!w.retiring() && canLeave && at.isPresent() && now >= at.getAsLong() && at.getAsLong() < dueAt) {
                due = w.name();
                dueAt = at.getAsLong();
            }
        }
        if (due != null) {
            log.info("{}: worker {} reached its lifetime; retiring it (a new one replaces it)", clusterName, due);
        }
        return java.util.Optional.ofNullable(due);
    }

    /** Stops deciding; the cluster stops its workers itself. Idempotent. */
    @Override
    public void close() {
        closed = true;
        ticks.cancel(false);
        thread.shutdownNow();
        try {
            thread.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
