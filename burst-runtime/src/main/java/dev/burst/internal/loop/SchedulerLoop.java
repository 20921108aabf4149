package dev.burst.internal.loop;

import dev.burst.internal.core.ClientId;
import dev.burst.internal.core.ResourceAmounts;
import dev.burst.internal.core.StimulusId;
import dev.burst.internal.core.WorkerId;
import dev.burst.internal.scheduler.SchedulerCommand;
import dev.burst.internal.scheduler.SchedulerEvent;
import dev.burst.internal.scheduler.SchedulerState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The shell around {@link SchedulerState}, in-process and in the scheduler node alike. One thread
 * owns the state and runs the loop: drain the inbox → handle each event → hand the commands to the
 * links of the workers and clients they concern. Any thread may post events (clients submitting,
 * workers reporting, network threads decoding); they never touch the state.
 *
 * <p>Links buffer what they are given and deliver it in one batch when the loop flushes them: when
 * the inbox runs dry, or every {@value #BATCH} events. A 20,000-task map therefore costs a few
 * hundred deliveries (in-process: lock acquisitions; remote: stream messages) rather than 20,000.
 * Throughput comes from this batching, not from a faster queue.
 *
 * <p>Each item's handling is timed (two clock reads): one that holds the loop at least
 * {@value #BUSY_EVENT_NANOS} ns is a JFR event ({@link LoopBusyEvent}), and one past
 * {@value #BLOCKED_WARN_NANOS} ns is logged, like Dask's "event loop was unresponsive" warning,
 * at most once per {@value #BLOCKED_WARN_EVERY_NANOS} ns.
 */
public final class SchedulerLoop {
    private static final Logger log = LoggerFactory.getLogger(SchedulerLoop.class);
    private static final int BATCH = 512;
    /** Items handled for at least this long become {@link LoopBusyEvent}s. */
    static final long BUSY_EVENT_NANOS = 1_000_000L;
    /** Items that block the loop for longer than this are logged. */
    static final long BLOCKED_WARN_NANOS = 100_000_000L;
    static final long BLOCKED_WARN_EVERY_NANOS = 10_000_000_000L;

    private final SchedulerState state;
    private final ConcurrentLinkedQueue<Object> inbox = new ConcurrentLinkedQueue<>();
    private final Map<WorkerId, WorkerLink> workers = new ConcurrentHashMap<>();
    private final Map<ClientId, ClientLink> clients = new ConcurrentHashMap<>();
    /** Workers' own names where they differ from their ids. */
    private final Map<WorkerId, String> names = new ConcurrentHashMap<>();
    /** Links given something since the last flush; loop thread only. */
    private final Set<WorkerLink> dirtyWorkers = new LinkedHashSet<>();
    private final Set<ClientLink> dirtyClients = new LinkedHashSet<>();
    private final List<Retirement> retirements = new ArrayList<>();
    private final AtomicLong stimuli = new AtomicLong();
    private final AtomicLong clientNumbers = new AtomicLong();
    private final Thread thread;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile boolean parked;
    private volatile boolean closed;
    private volatile Throwable crashed;
    private volatile Runnable workSubmitted;
    private volatile LoopObserver observer;
    /** What happened this round, for the observer; loop thread only. */
    private List<LoopObserver.Observed> observed = new ArrayList<>();
    /** A task was submitted or ended this round; loop thread only. */
    private boolean taskActivity;
    /** {@link System#nanoTime()} of the last round with task activity (the loop's start before any). */
    private volatile long lastActivityNanos = System.nanoTime();
    /** The last status taken, and the request for the next one (coalesced: one at a time). */
    private volatile dev.burst.internal.scheduler.SchedulerStatus lastStatus;
    private final java.util.concurrent.atomic.AtomicReference<CompletableFuture<dev.burst.internal.scheduler.SchedulerStatus>> statusRequest =
            new java.util.concurrent.atomic.AtomicReference<>();

    /** The longest time one item held the loop (loop thread writes), and when the last warning was logged. */
    private volatile long longestItemNanos;
    private long lastBlockedWarning = System.nanoTime() - BLOCKED_WARN_EVERY_NANOS;

    /** A request to run code on the loop thread (used for queries and orderly shutdown). */
    private record OnLoop(Runnable action) {
    }

    public SchedulerLoop(SchedulerState state, String name) {
        this.state = state;
        this.thread = new Thread(this::run, name + "-scheduler");
        this.thread.setDaemon(true);
    }

    public void start() {
        thread.start();
    }

    public StimulusId stimulus(String kind) {
        return new StimulusId(kind, stimuli.incrementAndGet());
    }

    /** Adds a worker; commands for it go to {@code link}. */
    public void addWorker(WorkerId id, ResourceAmounts resources, WorkerLink link) {
        addWorker(id, resources, link, id.name());
    }

    /**
     * Adds a worker that calls itself {@code name} (the name its cluster manager started it under;
     * its id is where it serves results); commands for it go to {@code link}.
     */
    public void addWorker(WorkerId id, ResourceAmounts resources, WorkerLink link, String name) {
        if (workers.putIfAbsent(id, link) != null) {
            throw new IllegalArgumentException("a worker named " + id + " is already connected");
        }
        if (!name.isEmpty() && !name.equals(id.name())) {
            names.put(id, name);
        }
        post(new SchedulerEvent.WorkerJoined(stimulus("worker-joined"), id, resources));
    }

    /** The name a worker gave itself, or its id's name when it gave none. */
    public String workerName(WorkerId id) {
        return names.getOrDefault(id, id.name());
    }

    /** The worker is gone (died, disconnected, or stopped); its link is told once this is handled. */
    public void removeWorker(WorkerId id) {
        post(new SchedulerEvent.WorkerLeft(stimulus("worker-left"), id));
    }

    /** Registers a client; reports for it go to {@code link}. Returns its id ({@code client-N}, N from 1). */
    public ClientId addClient(ClientLink link) {
        ClientId id = new ClientId("client-" + clientNumbers.incrementAndGet());
        clients.put(id, link);
        return id;
    }

    /** The client left: forget it and let the scheduler drop what only it wanted. */
    public void removeClient(ClientId id) {
        if (clients.remove(id) != null) {
            post(new SchedulerEvent.ClientLeft(stimulus("client-left"), id));
        }
    }

    /**
     * Retires workers gracefully (see {@link SchedulerEvent.RetireWorkers}); the future completes
     * with those that have left once all of them have. Unknown names are dropped.
     */
    public CompletableFuture<List<WorkerId>> retireWorkers(List<WorkerId> ids) {
        CompletableFuture<List<WorkerId>> done = new CompletableFuture<>();
        inbox.add(new OnLoop(() -> {
            List<WorkerId> known = new ArrayList<>();
            for (WorkerId id : ids) {
                if (workers.containsKey(id) && !known.contains(id)) {
                    known.add(id);
                }
            }
            if (known.isEmpty()) {
                done.complete(List.of());
                return;
            }
            retirements.add(new Retirement(List.copyOf(known), new HashSet<>(known), done));
            handle(new SchedulerEvent.RetireWorkers(stimulus("retire"), known));
        }));
        LockSupport.unpark(thread);
        return done;
    }

    /** A pending retirement request: done when every worker in {@code waiting} has left. */
    private record Retirement(List<WorkerId> workers, Set<WorkerId> waiting, CompletableFuture<List<WorkerId>> done) {
    }

    /**
     * Runs {@code hook} (on the posting thread; it must be quick) whenever a graph is submitted, so
     * that an adaptive controller can ask for workers at once instead of at its next tick.
     */
    public void onWorkSubmitted(Runnable hook) {
        this.workSubmitted = hook;
    }

    /** Tells {@code observer} what happens from now on (null: nobody). */
    public void observe(LoopObserver observer) {
        this.observer = observer;
    }

    /** {@link System#nanoTime()} when a task was last submitted or ended (the loop's start before any). */
    public long lastActivityNanos() {
        return lastActivityNanos;
    }

    /** Clients connected now. */
    public int clientCount() {
        return clients.size();
    }

    /**
     * The scheduler's status, taken on the loop thread between events: one request at a time however
     * many threads ask (they share it). Waits at most {@code maxWaitMillis} (a loop busy accepting a
     * huge graph answers late), then gives the last status taken, or null if none was.
     */
    public dev.burst.internal.scheduler.SchedulerStatus status(long maxWaitMillis) {
        CompletableFuture<dev.burst.internal.scheduler.SchedulerStatus> request = statusRequest.get();
        if (request == null) {
            CompletableFuture<dev.burst.internal.scheduler.SchedulerStatus> mine = new CompletableFuture<>();
            if (statusRequest.compareAndSet(null, mine)) {
                onLoop(() -> {
                    statusRequest.set(null);
                    try {
                        dev.burst.internal.scheduler.SchedulerStatus s = state.status();
                        lastStatus = s;
                        mine.complete(s);
                    } catch (RuntimeException e) { // never let a status request stop the loop
                        mine.completeExceptionally(e);
                    }
                });
                if (closed) {
                    statusRequest.compareAndSet(mine, null);
                    return lastStatus;
                }
                request = mine;
            } else {
                request = statusRequest.get();
            }
        }
        if (request == null) {
            return lastStatus;
        }
        try {
            // The first status is worth waiting for: there is nothing older to give.
            return request.get(lastStatus == null ? Math.max(maxWaitMillis, 2000) : maxWaitMillis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return lastStatus;
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            return lastStatus;
        }
    }

    /** Posts an event for the loop thread. Safe from any thread; never blocks. */
    public void post(SchedulerEvent event) {
        inbox.add(event);
        Runnable hook = workSubmitted;
        if (hook != null && event instanceof SchedulerEvent.GraphSubmitted) {
            hook.run();
        }
        if (parked) {
            LockSupport.unpark(thread);
        }
    }

    /** Runs {@code action} on the loop thread, after the events posted before it; does not wait. */
    public void onLoop(Runnable action) {
        inbox.add(new OnLoop(action));
        if (parked) {
            LockSupport.unpark(thread);
        }
    }

    /** Runs {@code action} on the loop thread and waits for it; used by tests and shutdown. */
    public void runOnLoop(Runnable action) throws InterruptedException {
        CountDownLatch done = new CountDownLatch(1);
        inbox.add(new OnLoop(() -> {
            try {
                action.run();
            } finally {
                done.countDown();
            }
        }));
        LockSupport.unpark(thread);
        if (!done.await(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("scheduler loop did not answer within 30 s");
        }
    }

    /** The state; read it only on the loop thread ({@link #runOnLoop}). */
    public SchedulerState state() {
        return state;
    }

    public boolean isClosed() {
        return closed;
    }

    /** Why the loop stopped on its own, or null. */
    public Throwable crashed() {
        return crashed;
    }

    // ---------------------------------------------------------------- the loop

    private void run() {
        try {
            while (!closed) {
                int handled = 0;
                Object item;
                while (handled < BATCH && (item = inbox.poll()) != null) {
                    long start = System.nanoTime();
                    handle(item);
                    long busy = System.nanoTime() - start;
                    if (busy >= BUSY_EVENT_NANOS) {
                        busy(item, busy);
                    }
                    handled++;
                }
                flush();
                if (handled == 0) {
                    parked = true;
                    if (inbox.isEmpty() && !closed) {
                        LockSupport.park(this);
                    }
                    parked = false;
                }
            }
        } catch (Throwable t) {
            log.error("scheduler loop crashed; the cluster can no longer schedule", t);
            crashed = t;
            closed = true;
            for (ClientLink c : clients.values()) {
                c.clusterClosed("the scheduler crashed: " + t);
            }
        } finally {
            stopped.countDown();
        }
    }

    /** The longest time one event or query has held the loop so far. */
    public long longestItemNanos() {
        return longestItemNanos;
    }

    private void busy(Object item, long nanos) {
        if (nanos > longestItemNanos) {
            longestItemNanos = nanos;
        }
        String what = item instanceof SchedulerEvent e ? e.getClass().getSimpleName() : "query";
        int tasks = item instanceof SchedulerEvent.GraphSubmitted g ? g.tasks().size() : 0;
        LoopBusyEvent jfr = new LoopBusyEvent();
        if (jfr.shouldCommit()) {
            jfr.busy = nanos;
            jfr.item = what;
            jfr.tasks = tasks;
            jfr.commit();
        }
        long now = System.nanoTime();
        if (nanos > BLOCKED_WARN_NANOS && now - lastBlockedWarning >= BLOCKED_WARN_EVERY_NANOS) {
            lastBlockedWarning = now;
            log.warn("the scheduler loop was busy for {} ms with one {}{}: every other event waited that long",
                    nanos / 1_000_000, what, tasks > 0 ? " of " + tasks + " tasks" : "");
        }
    }

    private void handle(Object item) {
        if (item instanceof OnLoop q) {
            q.action().run();
            return;
        }
        SchedulerEvent event = (SchedulerEvent) item;
        List<SchedulerCommand> commands = state.handle(event);
        observe(event);
        for (SchedulerCommand c : commands) {
            carryOut(c);
        }
        if (event instanceof SchedulerEvent.WorkerLeft left) {
            // Only now: reports handled before this event may still read the worker's results.
            WorkerLink gone = workers.remove(left.worker());
            names.remove(left.worker());
            if (gone != null) {
                dirtyWorkers.remove(gone);
                gone.removed();
            }
            for (var it = retirements.iterator(); it.hasNext(); ) {
                Retirement r = it.next();
                if (r.waiting().remove(left.worker()) && r.waiting().isEmpty()) {
                    it.remove();
                    r.done().complete(r.workers());
                }
            }
        }
    }

    private void carryOut(SchedulerCommand command) {
        switch (command) {
            case SchedulerCommand.ComputeTask c -> toWorker(c.worker(), c);
            case SchedulerCommand.FreeKeys c -> toWorker(c.worker(), c);
            case SchedulerCommand.CopyKeys c -> toWorker(c.worker(), c);
            case SchedulerCommand.StealRequest c -> toWorker(c.worker(), c);
            case SchedulerCommand.RetireWorker c -> toWorker(c.worker(), c);
            case SchedulerCommand.ReportDone c -> {
                ClientLink link = clients.get(c.client());
                if (link != null) {
                    link.done(c.key(), c.holders());
                    dirtyClients.add(link);
                }
            }
            case SchedulerCommand.ReportErred c -> {
                ClientLink link = clients.get(c.client());
                if (link != null) {
                    link.erred(c.key(), c.error());
                    dirtyClients.add(link);
                }
            }
            case SchedulerCommand.ReportStalled c -> {
                ClientLink link = clients.get(c.client());
                if (link != null) {
                    link.stalled(c.key(), c.reason());
                    dirtyClients.add(link);
                }
            }
            case SchedulerCommand.LogWarning c -> log.warn(c.message());
            case SchedulerCommand.HandleLater c -> inbox.add(c.event()); // behind what waits already
        }
    }

    private void toWorker(WorkerId id, SchedulerCommand command) {
        WorkerLink link = workers.get(id);
        if (link == null) {
            return; // removed meanwhile; the scheduler learns of it through WorkerLeft
        }
        link.send(command);
        dirtyWorkers.add(link);
    }

    /**
     * Notes what an observer and the activity time need, after the state handled the event; a few
     * type checks per event. A task report of a run the scheduler had moved on from is not news.
     */
    private void observe(SchedulerEvent event) {
        LoopObserver o = observer;
        if ((event instanceof SchedulerEvent.TaskFinished || event instanceof SchedulerEvent.TaskFailed)
                && !state.lastReportCurrent()) {
            return;
        }
        if (event instanceof SchedulerEvent.TaskFinished f) {
            taskActivity = true;
            if (o != null) {
                observed.add(new LoopObserver.TaskEnded(f.key(), f.worker(), false, f.durationNanos()));
            }
        } else if (event instanceof SchedulerEvent.TaskFailed f) {
            taskActivity = true;
            if (o != null) {
                observed.add(new LoopObserver.TaskEnded(f.key(), f.worker(), true, 0));
            }
        } else if (event instanceof SchedulerEvent.GraphSubmitted) {
            taskActivity = true;
        } else if (o != null && event instanceof SchedulerEvent.WorkerJoined j) {
            observed.add(new LoopObserver.WorkerJoined(j.worker()));
        } else if (o != null && event instanceof SchedulerEvent.WorkerLeft l) {
            observed.add(new LoopObserver.WorkerLeft(l.worker()));
        }
    }

    private void flush() {
        if (taskActivity) {
            taskActivity = false;
            lastActivityNanos = System.nanoTime();
        }
        if (!observed.isEmpty()) {
            LoopObserver o = observer;
            List<LoopObserver.Observed> batch = observed;
            observed = new ArrayList<>();
            if (o != null) {
                try {
                    o.observed(batch);
                } catch (RuntimeException e) { // an observer never stops the scheduler
                    log.warn("a scheduler observer failed: {}", e.toString());
                }
            }
        }
        if (!dirtyWorkers.isEmpty()) {
            for (WorkerLink w : dirtyWorkers) {
                w.flush();
            }
            dirtyWorkers.clear();
        }
        if (!dirtyClients.isEmpty()) {
            List<ClientLink> touched = new ArrayList<>(dirtyClients);
            dirtyClients.clear();
            for (ClientLink c : touched) {
                c.flush();
            }
        }
    }

    /** Stops the loop; tells connected clients the cluster is gone. */
    public void close(String reason) {
        closed = true;
        LockSupport.unpark(thread);
        try {
            if (!stopped.await(10, TimeUnit.SECONDS)) {
                log.warn("scheduler loop did not stop within 10 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (ClientLink c : clients.values()) {
            c.clusterClosed(reason);
        }
        clients.clear();
        for (Retirement r : retirements) {
            r.done().completeExceptionally(new IllegalStateException(reason));
        }
    }
}
