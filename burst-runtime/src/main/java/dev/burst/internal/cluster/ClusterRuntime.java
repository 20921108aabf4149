package dev.burst.internal.cluster;

import dev.burst.internal.adaptive.AdaptiveSettings;
import dev.burst.internal.core.WorkerId;
import dev.burst.internal.loop.SchedulerEndpoint;
import dev.burst.internal.scheduler.SchedulerConfig;
import dev.burst.internal.transport.BurstAddress;
import dev.burst.internal.usage.UsageLedger;
import dev.burst.internal.usage.UsageTotals;
import dev.burst.internal.workerprocess.WorkerMain;
import dev.burst.spi.AdaptiveDefaults;
import dev.burst.spi.ClusterSpec;
import dev.burst.spi.PoolContext;
import dev.burst.spi.Ticker;
import dev.burst.spi.WorkerLaunch;
import dev.burst.spi.WorkerPool;
import dev.burst.spi.WorkerShape;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The part of a cluster every backend shares, written once: a scheduler ({@link ClusterScheduler},
 * embedded or over TLS), the backend's {@link WorkerPool}, the usage ledger fed by the pool's
 * events and the workers' figures, the adaptive controller, and one close path.
 *
 * <p>Design note. Start is a sequence of named steps ({@link #start}: the cluster's directory, the
 * scheduler, the pool, the first workers); whatever step fails, the same {@link #close} undoes what
 * was done, since it copes with any prefix of the steps. Close runs in the order that loses nothing:
 * stop deciding (no new workers), the scheduler (clients are told, workers asked to stop), the pool
 * (what is left is stopped and waited for), the ledger's last figures, then the record and the files.
 */
public final class ClusterRuntime {
    private static final Logger log = LoggerFactory.getLogger(ClusterRuntime.class);
    private static final AtomicInteger CLUSTERS = new AtomicInteger();

    private final String name;
    private final String user;
    private final WorkerShape shape;
    private final AdaptiveDefaults adaptiveDefaults;
    private final Ticker ticker;
    private final boolean recordUsage;
    private final UsageLedger ledger;
    private final ClusterEvents events;
    private Path workDir;
    private ClusterScheduler scheduler;
    private WorkerPool pool;
    /** Guarded by this. */
    private AdaptiveController adaptive;
    /** Guarded by this: set when closing starts, so an adapt() racing with close() cannot leave a controller running. */
    private boolean closing;
    private volatile boolean closed;
    /** Set when winding down starts; guarded by this. */
    private WindDown windDown;
    /** Made when the first listener is added; guarded by this. */
    private ListenerFanout listeners;
    /** Workers {@link #startInitialWorkers} starts, and how long it waits for them to join. */
    private int initialWorkers;
    private long initialTimeoutNanos;
    /** What a start failure names ("a cluster of worker processes"), or null for an embedded cluster. */
    private String description;

    private ClusterRuntime(String name, String user, String job, WorkerShape shape, AdaptiveDefaults adaptiveDefaults,
                           Ticker ticker, boolean recordUsage) {
        this.name = name;
        this.shape = shape;
        this.adaptiveDefaults = adaptiveDefaults;
        this.ticker = ticker;
        this.recordUsage = recordUsage;
        this.user = user;
        this.ledger = UsageLedger.forRun(user, name, job, System.currentTimeMillis(), ticker.nanos());
        this.events = new ClusterEvents(name, ledger, shape);
    }

    /** A fresh cluster name: {@code burst-<backend>-<pid>-<n>}. */
    public static String newName(String backend) {
        return "burst-" + backend + "-" + ProcessHandle.current().pid() + "-" + CLUSTERS.incrementAndGet();
    }

    /**
     * Starts a cluster whose scheduler serves over TLS and whose workers come from the spec's pool:
     * the cluster's directory, the scheduler, the pool. Its initial workers come with
     * {@link #startInitialWorkers}, the last step, once whatever else the cluster runs (a
     * dashboard) has started: their cores are timed from their start and must find work, not
     * wait for a web server to load.
     */
    public static ClusterRuntime start(ClusterSpec spec) {
        ClusterRuntime r = new ClusterRuntime(newName(spec.backend()), spec.user(), spec.jobName(), spec.shape(),
                spec.adaptiveDefaults(), spec.ticker(), spec.recordUsage());
        r.description = spec.description();
        try {
            r.makeWorkDir(spec.workDirParent());
            NetworkScheduler network = new NetworkScheduler(spec.schedulerHost(), SchedulerConfig.defaults()
                    .withAllowedFailures(spec.allowedFailures()).withSaturation(spec.workerSaturation()), r.workDir);
            r.scheduler = network;
            WorkerLaunch launch = r.workerLaunch(spec, network);
            Path poolDir = Files.createDirectories(r.workDir.resolve("pool"));
            r.pool = spec.pool().create(new PoolContext(r.name, spec.user(), spec.shape(), launch, r.events, r.ticker, poolDir));
            r.initialWorkers = spec.initialWorkers();
            r.initialTimeoutNanos = spec.startTimeout().toNanos();
            return r;
        } catch (IOException | RuntimeException e) {
            throw r.startFailed(e);
        }
    }

    /**
     * Starts a cluster whose scheduler and workers live in this JVM: {@code scheduler} makes the
     * embedded scheduler given the events its workers report to, {@code pool} its pool; its
     * {@code initialWorkers} come with {@link #startInitialWorkers}.
     */
    public static ClusterRuntime embedded(String name, String user, String job, WorkerShape shape, Ticker ticker,
                                          boolean recordUsage, BiFunction<WorkerPool.Events, UsageLedger, ClusterScheduler> scheduler,
                                          Function<ClusterScheduler, WorkerPool> pool, int initialWorkers) {
        ClusterRuntime r = new ClusterRuntime(name, user, job, shape, AdaptiveDefaults.LOCAL, ticker, recordUsage);
        try {
            r.scheduler = scheduler.apply(r.events, r.ledger);
            r.pool = pool.apply(r.scheduler);
            r.initialWorkers = initialWorkers;
            r.initialTimeoutNanos = java.time.Duration.ofSeconds(60).toNanos();
            return r;
        } catch (RuntimeException e) {
            r.close();
            throw e;
        }
    }

    /**
     * How workers reach the scheduler: straight to its port, or through a gateway's entrance with a
     * token file of their own that names the route (and holds the client-only token too, which
     * their data servers accept from clients fetching results).
     */
    private WorkerLaunch workerLaunch(ClusterSpec spec, NetworkScheduler network) throws IOException {
        String classpath = classpath(spec.workerClasspath());
        if (spec.workerEntrance().isEmpty()) {
            return new WorkerLaunch(network.address().orElseThrow().toString(), network.tokenFile().orElseThrow(),
                    network.keyStoreDir(), classpath, spec.shape());
        }
        var entrance = spec.workerEntrance().get();
        Path tokenFile = network.node().credentials().writeWorkerTokenFile(workDir.resolve("worker-entrance").resolve("token"),
                entrance.route());
        return new WorkerLaunch(entrance.address(), tokenFile, network.keyStoreDir(), classpath, spec.shape());
    }

    private void makeWorkDir(Path parent) throws IOException {
        workDir = parent == null ? Files.createTempDirectory("burst-cluster-") : Files.createDirectories(parent.resolve(name));
    }

    private static String classpath(List<Path> explicit) {
        if (explicit != null) {
            return explicit.stream().map(p -> p.toAbsolutePath().toString()).collect(Collectors.joining(File.pathSeparator));
        }
        // Absolute: a worker may start in another directory (a batch job, a pod).
        return java.util.Arrays.stream(System.getProperty("java.class.path").split(java.util.regex.Pattern.quote(File.pathSeparator)))
                .filter(e -> !e.isBlank())
                .map(e -> Path.of(e).toAbsolutePath().toString())
                .collect(Collectors.joining(File.pathSeparator));
    }

    /**
     * The last start step: starts the cluster's initial workers and waits until they joined. A start
     * failure ends the wait with its reason, and the cluster is closed.
     */
    public void startInitialWorkers() {
        try {
            awaitWorkers(initialWorkers, initialTimeoutNanos);
        } catch (RuntimeException e) {
            throw startFailed(e);
        }
        pool.initialWorkersJoined();
    }

    /**
     * Closes what a start step left and says why it failed: bad input as it was, anything else
     * naming the cluster (an embedded one, with no description, rethrows as it was).
     */
    private RuntimeException startFailed(Exception e) {
        close();
        if (e instanceof IllegalArgumentException iae) {
            return iae;
        }
        if (description == null && e instanceof RuntimeException re) {
            return re;
        }
        return new dev.burst.BurstException("cannot start " + description + ": " + e.getMessage(), e);
    }

    private void awaitWorkers(int n, long timeoutNanos) throws dev.burst.BurstException {
        if (n == 0) {
            return;
        }
        pool.start(n);
        long deadline = System.nanoTime() + timeoutNanos;
        while (scheduler.workerIds().size() < n) {
            String failure = events.lastStartFailure();
            if (failure != null) {
                throw new dev.burst.BurstException(failure);
            }
            if (System.nanoTime() > deadline) {
                throw new dev.burst.BurstException(scheduler.workerIds().size() + " of " + n + " workers joined within "
                        + TimeUnit.NANOSECONDS.toSeconds(timeoutNanos) + " s");
            }
            try {
                Thread.sleep(10); // a count set by network threads; nothing to wait on
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new dev.burst.BurstException("interrupted while waiting for workers", e);
            }
        }
    }

    public String name() {
        return name;
    }

    /** Who the cluster's usage is accounted to. */
    public String user() {
        return user;
    }

    public ClusterScheduler scheduler() {
        return scheduler;
    }

    public WorkerPool pool() {
        return pool;
    }

    public WorkerShape shape() {
        return shape;
    }

    public boolean isClosed() {
        return closed;
    }

    /** A new connection for one client. */
    public SchedulerEndpoint connectClient() {
        if (closed) {
            throw new IllegalStateException("cluster " + name + " is closed");
        }
        return scheduler.connectClient();
    }

    public Optional<BurstAddress> address() {
        return scheduler.address();
    }

    public Optional<Path> tokenFile() {
        return scheduler.tokenFile();
    }

    /** Names of the workers connected now (what a client's retireWorkers takes). */
    public List<String> workerNames() {
        return scheduler.workerIds().stream().map(WorkerId::name).sorted().toList();
    }

    // ---------------------------------------------------------------- adapting

    /** The backend's adaptive defaults as the policy's settings, for options to fill in. */
    public AdaptiveSettings adaptiveDefaults() {
        AdaptiveDefaults d = adaptiveDefaults;
        return new AdaptiveSettings(0, 1, d.targetDuration().toNanos(), d.idleTimeout().toNanos(), d.scaleDownDelay().toNanos(),
                d.startBackoff().toNanos(), d.maxBackoff().toNanos(), d.arrivalTimeout().toNanos());
    }

    /** Scales as {@code settings} say from now on; replaces earlier settings. */
    public synchronized void adapt(AdaptiveSettings settings) {
        if (closing || closed) {
            throw new IllegalStateException(name + " is closed");
        }
        refuseIfWindingDown();
        if (adaptive != null) {
            adaptive.close();
        }
        AdaptiveController c = new AdaptiveController(name, scheduler.loop(), pool, settings, adaptiveDefaults.interval(), ticker);
        if (adaptive == null) {
            pool.adaptiveStarted(); // dead workers are the controller's to replace now
        }
        events.forwardTo(c);
        scheduler.loop().onWorkSubmitted(c::poke);
        adaptive = c;
    }

    /**
     * Keeps exactly {@code n} workers from now on: adaptive between n and n for n &gt; 0; for 0,
     * no controller and every worker stopped (results they held are recomputed if asked for).
     */
    public synchronized void scale(int n) {
        if (n < 0) {
            throw new IllegalArgumentException("a cluster scales to 0 or more workers, not " + n);
        }
        if (n > 0) {
            adapt(adaptiveDefaults().withBounds(n, n));
            return;
        }
        if (closing || closed) {
            throw new IllegalStateException(name + " is closed");
        }
        refuseIfWindingDown();
        stopController();
        pool.stop(pool.workers().stream().map(dev.burst.spi.PoolWorker::name).toList());
    }

    private void stopController() {
        if (adaptive != null) {
            events.forwardTo(null);
            scheduler.loop().onWorkSubmitted(null);
            adaptive.close();
            adaptive = null;
        }
    }

    /** A wind-down under way: why work is refused, the keeper, and when every pool worker is gone. */
    private record WindDown(String reason, dev.burst.internal.workerprocess.WorkerNode keeper,
                            java.util.concurrent.CompletableFuture<Void> done) {
    }

    /**
     * Winds the cluster down for good (a gateway user's spent budget): no new task runs (each fails
     * with a {@link dev.burst.WorkRefusedException} saying {@code reason}), tasks running now get
     * {@code grace} to finish, the results workers hold move to a keeper in the scheduler's process
     * ({@link ClusterScheduler#startResultKeeper}), and every worker of the pool stops: gracefully
     * once their results are copied, or at the end of the grace whatever they run. Results stay
     * fetchable until the cluster closes. Returns at once; the future completes when the pool's
     * workers are gone. Asking again returns the first wind-down's future.
     *
     * @throws UnsupportedOperationException for an in-process cluster
     */
    public synchronized java.util.concurrent.CompletableFuture<Void> windDown(String reason, java.time.Duration grace) {
        if (closing || closed) {
            throw new IllegalStateException(name + " is closed");
        }
        if (windDown != null) {
            return windDown.done();
        }
        dev.burst.internal.workerprocess.WorkerNode keeper;
        try {
            keeper = scheduler.startResultKeeper();
        } catch (IOException e) {
            throw new dev.burst.BurstException(name + ": cannot start a worker to keep results in while winding down: " + e, e);
        }
        stopController();
        awaitKeeperJoined(java.time.Duration.ofSeconds(30));
        var loop = scheduler.loop();
        loop.post(new dev.burst.internal.scheduler.SchedulerEvent.AdmissionClosed(loop.stimulus("wind-down"),
                new dev.burst.internal.core.TaskError(dev.burst.WorkRefusedException.TYPE, reason, null)));
        List<dev.burst.internal.core.WorkerId> retiring = scheduler.workerIds().stream()
                .filter(id -> !NetworkScheduler.RESULT_KEEPER.equals(scheduler.workerName(id))).toList();
        List<String> poolWorkers = pool.workers().stream().map(dev.burst.spi.PoolWorker::name).toList();
        log.info("{}: winding down ({}): {} workers retire within {} s, results move to the keeper", name, reason,
                retiring.size(), grace.toSeconds());
        var done = loop.retireWorkers(retiring)
                .completeOnTimeout(List.of(), grace.toNanos(), TimeUnit.NANOSECONDS)
                .handle((left, error) -> {
                    pool.stop(poolWorkers); // those still running at the end of the grace, and requests
                    return (Void) null;
                });
        windDown = new WindDown(reason, keeper, done);
        return done;
    }

    /**
     * Waits (bounded) until the result keeper has joined the scheduler: workers retired before it
     * did had nowhere to copy their results to, and a result computed but not fetched yet was lost
     * when the grace ran out (seen with a cold cluster process: the keeper's TLS connection took
     * longer than a one-second lease).
     */
    private void awaitKeeperJoined(java.time.Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (scheduler.workerIds().stream().noneMatch(id -> NetworkScheduler.RESULT_KEEPER.equals(scheduler.workerName(id)))) {
            if (System.nanoTime() > deadline) {
                log.warn("{}: the result keeper did not join within {} s; winding down without it", name, timeout.toSeconds());
                return;
            }
            try {
                Thread.sleep(10); // a join handled by the scheduler's loop; nothing to wait on from here
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private void refuseIfWindingDown() {
        if (windDown != null) {
            throw new IllegalStateException(name + " is winding down and starts no more workers: " + windDown.reason());
        }
    }

    /** The data address of the worker holding results after a wind-down, or empty. */
    public synchronized Optional<String> resultKeeperAddress() {
        return windDown == null ? Optional.empty() : Optional.of(windDown.keeper().id().name());
    }

    /** Why the cluster takes no new work, or empty while it does. */
    public synchronized Optional<String> windDownReason() {
        return windDown == null ? Optional.empty() : Optional.of(windDown.reason());
    }

    /** The adaptive controller, or null when the cluster has a fixed size. */
    public synchronized AdaptiveController adaptive() {
        return adaptive;
    }

    /** Why workers cannot start when {@code attempts} starts in a row failed since one last joined; else empty. */
    public synchronized Optional<String> startProblem(int attempts) {
        if (adaptive == null || adaptive.startFailuresInARow() < attempts || adaptive.lastStartFailure().isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(adaptive.lastStartFailure());
    }

    private synchronized void stopAdapting() {
        closing = true;
        events.forwardTo(null);
        if (scheduler != null) {
            scheduler.loop().onWorkSubmitted(null);
        }
        if (adaptive != null) {
            adaptive.close();
            adaptive = null;
        }
    }

    // ---------------------------------------------------------------- status

    /**
     * The scheduler's status, or null if it never answered. A reader waits at most 50 ms for a loop
     * that is busy (accepting a huge graph, say) and then gets the last status taken: a dashboard
     * never hangs on the scheduler, and the scheduler is never hurried by a dashboard.
     */
    public dev.burst.internal.scheduler.SchedulerStatus schedulerStatus() {
        return scheduler.loop().status(50);
    }

    /** Tells {@code listener} of tasks and workers from now on. */
    public synchronized void addListener(dev.burst.ClusterListener listener) {
        if (closed) {
            throw new IllegalStateException(name + " is closed");
        }
        if (listeners == null) {
            listeners = new ListenerFanout(name, scheduler.loop());
        }
        listeners.add(listener);
    }

    public synchronized void removeListener(dev.burst.ClusterListener listener) {
        if (listeners != null) {
            listeners.remove(listener);
        }
    }

    // ---------------------------------------------------------------- usage

    /** The ledger so far, with every worker's figures brought up to date. */
    public UsageTotals usage() {
        if (scheduler != null) {
            scheduler.reportFigures(ledger);
        }
        return ledger.totals(ticker.nanos());
    }

    /** Cores of the workers connected now. */
    public int coresNow() {
        return scheduler == null ? 0 : scheduler.workerIds().size() * shape.threads();
    }

    // ---------------------------------------------------------------- closing

    /**
     * Stops adapting, the scheduler (clients are told; workers asked to stop), the pool (what is left
     * is stopped and waited for); records the usage and deletes the cluster's files. Idempotent, and
     * safe on a cluster whose start failed half-way.
     */
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        stopAdapting();
        dev.burst.internal.workerprocess.WorkerNode keeper;
        synchronized (this) {
            keeper = windDown == null ? null : windDown.keeper();
        }
        if (keeper != null) {
            try {
                keeper.close();
            } catch (Exception e) {
                log.warn("{}: closing the result keeper failed: {}", name, e.toString());
            }
        }
        if (scheduler != null) {
            scheduler.close();
        }
        ListenerFanout fanout;
        synchronized (this) {
            fanout = listeners;
        }
        if (fanout != null) {
            fanout.close(); // not under this lock: a listener may call add/removeListener meanwhile
        }
        if (pool != null) {
            try {
                pool.close();
            } catch (RuntimeException e) {
                log.warn("{}: closing its workers failed: {}", name, e.toString());
            }
        }
        try {
            usage(); // the workers' last figures into the ledger
        } catch (RuntimeException e) {
            log.warn("{}: the last usage figures could not be read: {}", name, e.toString());
        }
        ledger.allWorkersStopped(ticker.nanos());
        if (recordUsage) {
            UsageRecorder.record(ledger.totals(ticker.nanos()));
        }
        if (workDir != null) {
            WorkerMain.deleteTree(workDir);
        }
    }

    @Override
    public String toString() {
        return name;
    }
}
