package dev.burst.internal.embedded;

import dev.burst.internal.cluster.ClusterScheduler.WorkerCounters;
import dev.burst.internal.cluster.ClusterScheduler;
import dev.burst.internal.core.ClientId;
import dev.burst.internal.core.ResourceAmounts;
import dev.burst.internal.core.TaskError;
import dev.burst.internal.core.TaskKey;
import dev.burst.internal.core.WorkerId;
import dev.burst.internal.loop.ClientLink;
import dev.burst.internal.loop.ClientListener;
import dev.burst.internal.loop.SchedulerEndpoint;
import dev.burst.internal.loop.SchedulerLoop;
import dev.burst.internal.scheduler.SchedulerConfig;
import dev.burst.internal.scheduler.SchedulerState;
import dev.burst.internal.scheduler.TaskSpec;
import dev.burst.internal.usage.UsageLedger;
import dev.burst.spi.Ticker;
import dev.burst.spi.WorkerPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The embedded cluster's scheduler and workers: one scheduler loop and in-process workers (thread
 * pools), wired through the same state machines that run in separate processes, minus the network.
 * Workers come and go through {@link #addWorker} and {@link #stopWorker} (its pool,
 * {@code InProcessWorkers}, and tests killing workers); each start and stop is reported to the
 * cluster's {@link WorkerPool.Events}, which keep the ledger.
 */
public final class InProcessCluster implements SchedulerEndpoint, ClusterScheduler {
    private static final Logger log = LoggerFactory.getLogger(InProcessCluster.class);

    private final String name;
    private final SchedulerLoop scheduler;
    private final List<InProcessWorker> workers = new CopyOnWriteArrayList<>();
    private final List<InProcessWorker> retired = new CopyOnWriteArrayList<>();
    /** Every worker still known to the scheduler loop, for reading results by holder. */
    private final Map<WorkerId, InProcessWorker> byId = new ConcurrentHashMap<>();
    private final int threadsPerWorker;
    private final UsageLedger ledger;
    private final WorkerPool.Events events;
    private final Ticker ticker;
    private final ResourceAmounts workerResources;
    private final int storyCapacity;
    private final AtomicInteger workerNumbers = new AtomicInteger();
    private volatile boolean closed;

    /**
     * Starts the scheduler loop; no workers yet.
     *
     * @param extraResources named resources each worker offers besides {@code cpu = threadsPerWorker}
     * @param ledger         the cluster's ledger, given the figures of workers as they leave
     * @param events         told of every worker that starts or stops
     */
    public InProcessCluster(String name, int threadsPerWorker, ResourceAmounts extraResources, SchedulerConfig config,
                            UsageLedger ledger, WorkerPool.Events events, Ticker ticker) {
        this.name = name;
        this.ledger = ledger;
        this.events = events;
        this.ticker = ticker;
        this.threadsPerWorker = threadsPerWorker;
        Map<String, Double> offered = new HashMap<>(extraResources.amounts());
        offered.put(ResourceAmounts.CPU, (double) threadsPerWorker); // one cpu per executor thread
        this.workerResources = ResourceAmounts.of(offered);
        this.storyCapacity = Math.max(1000, config.storyCapacity() / 10);
        this.scheduler = new SchedulerLoop(new SchedulerState(config), name);
        scheduler.start();
    }

    /** Starts one more worker and tells the scheduler. */
    public WorkerId addWorker() {
        return addWorker(nextWorkerName());
    }

    /** A fresh worker name of this cluster. */
    public String nextWorkerName() {
        return name + "-worker-" + workerNumbers.incrementAndGet();
    }

    /** Starts one more worker under {@code workerName} and tells the scheduler. */
    public synchronized WorkerId addWorker(String workerName) {
        if (closed) {
            throw new IllegalStateException("cluster " + name + " is closed");
        }
        WorkerId id = new WorkerId(workerName);
        InProcessWorker w = new InProcessWorker(id, workerResources, threadsPerWorker, scheduler, this, storyCapacity);
        workers.add(w);
        byId.put(id, w);
        events.workerRunning(workerName, ticker.nanos());
        w.start();
        scheduler.addWorker(id, workerResources, w);
        return id;
    }

    /**
     * Stops a worker abruptly, as if its process died: running tasks are interrupted, its results
     * are lost, and the scheduler recomputes what is still needed.
     */
    public void killWorker(WorkerId id) {
        if (!stop(id)) {
            throw new IllegalArgumentException("no worker named " + id);
        }
    }

    /** Stops a worker the scheduler retired (its results were copied first), and tells the scheduler. */
    void retire(WorkerId id) {
        stop(id);
    }

    /** Stops the named worker if it still runs (a worker the scheduler retired has stopped already). */
    public void stopWorker(WorkerId id) {
        stop(id);
    }

    /** The loop that owns this cluster's scheduler state. */
    public SchedulerLoop loop() {
        return scheduler;
    }

    /** Executor threads of each worker. */
    public int threadsPerWorker() {
        return threadsPerWorker;
    }

    /** What each worker offers, {@code cpu} included. */
    public ResourceAmounts workerResources() {
        return workerResources;
    }

    /** Stops the worker's threads and tells the scheduler it left; false if there is no such worker. */
    private boolean stop(WorkerId id) {
        for (InProcessWorker w : workers) {
            if (w.id().equals(id) && workers.remove(w)) { // remove: only one caller stops it
                w.close();
                events.workerStopped(id.name(), ticker.nanos());
                retired.add(w);
                scheduler.removeWorker(id);
                return true;
            }
        }
        return false;
    }

    public List<WorkerId> workerIds() {
        List<WorkerId> ids = new ArrayList<>();
        for (InProcessWorker w : workers) {
            ids.add(w.id());
        }
        return ids;
    }

    @Override
    public SchedulerEndpoint connectClient() {
        if (closed) {
            throw new IllegalStateException("cluster " + name + " is closed");
        }
        return this;
    }

    @Override
    public String workerName(WorkerId id) {
        return id.name();
    }

    @Override
    public java.util.Optional<dev.burst.internal.transport.BurstAddress> address() {
        return java.util.Optional.empty();
    }

    @Override
    public java.util.Optional<java.nio.file.Path> tokenFile() {
        return java.util.Optional.empty();
    }

    // ---------------------------------------------------------------- SchedulerEndpoint

    @Override
    public Session connect(ClientListener listener) {
        InProcessClientLink link = new InProcessClientLink(listener);
        ClientId id = scheduler.addClient(link);
        link.id = id;
        return new Session(id, 0);
    }

    @Override
    public void submit(ClientId client, List<TaskSpec> tasks, Collection<TaskKey> wanted) {
        boolean independent = tasks.size() > SUBMIT_CHUNK;
        for (int i = 0; independent && i < tasks.size(); i++) {
            independent = tasks.get(i).dependencies().isEmpty();
        }
        if (!independent) {
            scheduler.post(new dev.burst.internal.scheduler.SchedulerEvent.GraphSubmitted(scheduler.stimulus("submit"), client, tasks, wanted));
            return;
        }
        java.util.Set<TaskKey> wantedSet = new java.util.HashSet<>(wanted);
        for (int from = 0; from < tasks.size(); from += SUBMIT_CHUNK) {
            List<TaskSpec> chunk = tasks.subList(from, Math.min(tasks.size(), from + SUBMIT_CHUNK));
            List<TaskKey> chunkWanted = new java.util.ArrayList<>(chunk.size());
            for (TaskSpec t : chunk) {
                if (wantedSet.contains(t.key())) {
                    chunkWanted.add(t.key());
                }
            }
            scheduler.post(new dev.burst.internal.scheduler.SchedulerEvent.GraphSubmitted(scheduler.stimulus("submit"), client,
                    List.copyOf(chunk), chunkWanted));
        }
    }

    @Override
    public void release(ClientId client, Collection<TaskKey> keys) {
        scheduler.post(new dev.burst.internal.scheduler.SchedulerEvent.KeysReleased(scheduler.stimulus("release"), client, keys));
    }

    @Override
    public void disconnect(ClientId client) {
        scheduler.removeClient(client);
    }

    @Override
    public java.util.concurrent.CompletableFuture<List<String>> retireWorkers(ClientId client, List<String> names) {
        return scheduler.retireWorkers(names.stream().map(WorkerId::new).toList())
                .thenApply(ids -> ids.stream().map(WorkerId::name).toList());
    }

    /**
     * Reports straight to the client's futures. A result is read from one of its holders by
     * reference; the worker stores are concurrent maps, so no worker lock is taken. Results
     * reported here are not freed before the client has them: the scheduler frees a wanted key
     * only after the client releases it.
     */
    private final class InProcessClientLink implements ClientLink {
        private final ClientListener listener;
        /** Results handed to the client this loop round; loop thread only. */
        private List<TaskKey> received = new ArrayList<>();
        private ClientId id;

        InProcessClientLink(ClientListener listener) {
            this.listener = listener;
        }

        @Override
        public void done(TaskKey key, List<WorkerId> holders) {
            for (WorkerId h : holders) {
                InProcessWorker w = byId.get(h);
                Object entry = w == null ? null : w.storedEntry(key);
                if (entry != null) {
                    listener.done(key, InProcessWorker.unwrap(entry));
                    received.add(key);
                    return;
                }
            }
            // Should not happen (stores outlive their reports); never let it stop the loop.
            log.error("result of {} is on none of its holders {}; failing it for the client", key, holders);
            listener.erred(key, new TaskError("dev.burst.WorkerLostException",
                    "the result of " + key + " was lost with its worker before it could be read", null));
        }

        @Override
        public void erred(TaskKey key, TaskError error) {
            listener.erred(key, error);
        }

        @Override
        public void stalled(TaskKey key, String reason) {
            listener.stalled(key, reason);
        }

        /** The client holds what it was handed: if its worker dies, nothing is recomputed for it. */
        @Override
        public void flush() {
            if (!received.isEmpty() && id != null) {
                scheduler.post(new dev.burst.internal.scheduler.SchedulerEvent.ResultsReceived(
                        scheduler.stimulus("received"), id, received));
                received = new ArrayList<>();
            }
        }

        @Override
        public void clusterClosed(String reason) {
            listener.clusterClosed(reason);
        }
    }

    public String name() {
        return name;
    }

    /** The scheduler has handled the worker's departure; nobody reads its store any more. */
    void forget(WorkerId id) {
        InProcessWorker gone = byId.remove(id);
        if (gone != null && retired.remove(gone)) {
            // Its figures go to the ledger one last time; then nothing refers to it, so an embedded
            // cluster that adapts does not collect every worker it ever ran.
            if (ledger.knows(id.name())) { // a worker the cluster's events never announced is not its to account
                ledger.workerFigures(id.name(), gone.busyNanos(), gone.gpuBusyNanos(), gone.cpuNanos(), gone.tasksRun(), 0);
            }
            gone.dropStore();
        }
    }

    /** Raw store entry of {@code key} on worker {@code id}: null when that worker does not hold it. */
    Object resultOn(WorkerId id, TaskKey key) {
        InProcessWorker w = byId.get(id);
        return w == null ? null : w.storedEntry(key);
    }

    /** Runs {@code action} on the scheduler thread and waits; for tests that inspect the state. */
    public void inspect(Consumer<SchedulerState> action) throws InterruptedException {
        scheduler.runOnLoop(() -> action.accept(scheduler.state()));
    }

    /** Results held by the live workers now (for leak checks). */
    public int storedResults() {
        int n = 0;
        for (InProcessWorker w : workers) {
            n += w.storedCount();
        }
        return n;
    }

    @Override
    public Map<WorkerId, WorkerCounters> workerCounters() {
        Map<WorkerId, WorkerCounters> out = new HashMap<>();
        for (InProcessWorker w : workers) {
            out.put(w.id(), new WorkerCounters(w.busyNanos(), w.cpuNanos(), 0, w.executing()));
        }
        return out;
    }

    /** Every worker's counters, read now. */
    @Override
    public void reportFigures(UsageLedger into) {
        for (List<InProcessWorker> group : List.of(workers, retired)) {
            for (InProcessWorker w : group) {
                if (into.knows(w.id().name())) {
                    into.workerFigures(w.id().name(), w.busyNanos(), w.gpuBusyNanos(), w.cpuNanos(), w.tasksRun(), 0);
                }
            }
        }
    }

    @Override
    public boolean isClosed() {
        return closed;
    }

    /** Stops the scheduler loop and every worker; their last counters stay readable for the ledger. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        scheduler.close("the cluster " + name + " was closed");
        for (InProcessWorker w : workers) {
            w.close();
            w.dropStore();
            events.workerStopped(w.id().name(), ticker.nanos());
            retired.add(w);
        }
        workers.clear();
        for (InProcessWorker w : retired) {
            w.dropStore();
        }
    }

    @Override
    public dev.burst.internal.workerprocess.WorkerNode startResultKeeper() {
        throw new UnsupportedOperationException("an in-process cluster's workers live in this JVM: it has no results to move"
                + " out of them and no workers outside it to stop");
    }
}
