package dev.burst.internal.gateway.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.burst.BurstException;
import dev.burst.internal.gateway.clusterprocess.ClusterProcess;
import dev.burst.internal.gateway.clusterprocess.ClusterProcessSpec;
import dev.burst.internal.gateway.clusterprocess.ClusterStarted;
import dev.burst.internal.gateway.clusterprocess.ControlStatus;
import dev.burst.internal.gateway.ledger.ClusterRecord;
import dev.burst.internal.gateway.ledger.ClusterRecords;
import dev.burst.internal.gateway.ledger.ClusterRequest;
import dev.burst.internal.gateway.ledger.ClusterShape;
import dev.burst.internal.gateway.ledger.ClusterState;
import dev.burst.internal.gateway.ledger.GatewayDatabase;
import dev.burst.internal.gateway.ledger.GroupRecord;
import dev.burst.internal.gateway.ledger.LimitCheck;
import dev.burst.internal.gateway.ledger.Limits;
import dev.burst.internal.gateway.ledger.StopReason;
import dev.burst.internal.gateway.ledger.UsageFigures;
import dev.burst.internal.gateway.ledger.UserRecord;
import dev.burst.internal.gateway.reclaim.ReclaimDecision;
import dev.burst.internal.gateway.reclaim.ReclaimPolicy;
import dev.burst.internal.gateway.reclaim.ReclaimTimeouts;
import dev.burst.internal.transport.BurstAddress;
import dev.burst.internal.transport.ClusterCredentials;
import dev.burst.spi.WorkerEntrance;
import dev.burst.internal.transport.GatewayRoutes;
import dev.burst.internal.transport.WorkerRoute;
import dev.burst.internal.workerprocess.WorkerMain;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The gateway's running clusters: creates them within limits, scales them, stops them with a
 * reason, reads their status every poll (culling, usage, workers, routes), and takes them back
 * after a gateway restart.
 *
 * <p>Design note: the ledger is written before and after each step that matters: a cluster is
 * reserved (limits checked under the user's row lock) before its process is asked to start it,
 * its process's pid and control port are recorded before the start, and it is marked stopped with
 * its reason and its last usage after the process is gone. A gateway killed at any point therefore
 * finds, on restart, every cluster that may be running, and can take it back or stop it and count
 * it ({@link #adoptAfterRestart()}). Time comes from the settings' clock: culling is tested by
 * moving that clock, not by waiting.
 */
public final class ClusterFleet implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ClusterFleet.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Duration STOP_GRACE = Duration.ofSeconds(20);
    private static final Duration PROCESS_START_TIMEOUT = Duration.ofSeconds(60);
    private static final int FAILED_READS_BEFORE_LOST = 3;
    private static final Duration SPARE_DELAY = Duration.ofSeconds(3);
    /** Route names: {@code <cluster>.cluster.burst}, what clients send as SNI. */
    public static final String ROUTE_SUFFIX = ".cluster.burst";

    private final GatewaySettings settings;
    private final GatewayDatabase db;
    private final Path clustersDir;
    private final Path clusterHome;
    private final Map<String, LiveCluster> live = new ConcurrentHashMap<>();
    private final ConcurrentLinkedDeque<ClusterProcess> spares = new ConcurrentLinkedDeque<>();
    private final java.util.concurrent.atomic.AtomicInteger sparesStarting = new java.util.concurrent.atomic.AtomicInteger();
    private final ExecutorService background = Executors.newVirtualThreadPerTaskExecutor();
    private final java.util.concurrent.ScheduledExecutorService replenishLater = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "burst-gateway-spares");
        t.setDaemon(true);
        return t;
    });
    private volatile boolean closed;

    public ClusterFleet(GatewaySettings settings, GatewayDatabase db) throws IOException {
        this.settings = settings;
        this.db = db;
        this.clustersDir = Files.createDirectories(settings.dataDir().resolve("clusters"));
        this.clusterHome = Files.createDirectories(settings.dataDir().resolve("cluster-home"));
    }

    public static String routeOf(String clusterName) {
        return clusterName + ROUTE_SUFFIX;
    }

    // ---------------------------------------------------------------- create

    /**
     * Creates a cluster for {@code user}: reserves it in the ledger (limits, budget), starts its
     * process and its cluster, and records it running.
     *
     * An adaptive maximum over the user's limits is clamped to what fits, as a scale is; the answer says
     * so. A fixed size over them is refused.
     *
     * @throws ApiException 422 when a limit or the budget does not allow it
     */
    public Created create(UserRecord user, ClusterRequestOptions asked) {
        if (closed) {
            throw new ApiException(503, "the gateway is shutting down");
        }
        String name = newName();
        ClusterShape shape = new ClusterShape(asked.maxWorkers(), asked.threads(), asked.memoryBytes(), asked.gpus());
        String optionsJson;
        try {
            optionsJson = JSON.writeValueAsString(asked);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        Instant now = settings.clock().instant();
        ClusterRecords.Reserved reserved;
        try {
            reserved = db.clusters().reserve(user, new ClusterRequest(name, settings.backend(), optionsJson, shape, asked.detached(),
                    asked.fewestWorkers()), settings.lease(), now);
        } catch (dev.burst.internal.gateway.ledger.LimitExceededException e) {
            throw ApiException.unprocessable(e.getMessage());
        }
        ClusterRecord record = reserved.record();
        // options_json keeps the request as it was asked; max_workers, what was granted
        String clamped = reserved.clamped() == null ? null : "maximum clamped: " + reserved.clamped();
        ClusterProcess process = null;
        try {
            ClusterRequestOptions options = clamped == null ? asked : asked.withAdaptMaximum(record.shape().maxWorkers());
            process = takeProcess(name);
            db.clusters().recordProcess(record.id(), process.pid(), process.port());
            ClusterStarted started = process.start(spec(name, user.name(), options));
            rememberTokenFile(process.dir(), started.tokenFile());
            ClusterCredentials credentials = ClusterCredentials.fromTokenFile(Path.of(started.tokenFile()));
            Instant running = settings.clock().instant();
            if (!db.clusters().markRunning(record.id(), process.pid(), process.port(), started.schedulerAddress(),
                    credentials.certificateSha256(), running)) {
                throw new BurstException("the cluster was stopped while it started");
            }
            LiveCluster c = new LiveCluster(db.clusters().find(record.id()).orElseThrow(), process, started.schedulerAddress(),
                    credentials.clientToken(), credentials.certificateSha256(), timeoutsFor(user), UsageFigures.ZERO, running);
            live.put(name, c);
            log.info("cluster {} of {} started: {} (scheduler {}, pid {}){}", name, user.name(), describe(options),
                    started.schedulerAddress(), process.pid(), clamped == null ? "" : " (" + clamped + ")");
            if (closed) { // the gateway closed while this cluster started: close() may have missed it
                stop(c, StopReason.GATEWAY_SHUTDOWN, "the gateway was shut down while the cluster started");
                throw new ApiException(503, "the gateway is shutting down");
            }
            return new Created(c, clamped);
        } catch (RuntimeException e) {
            String why = e.getMessage() == null ? e.toString() : e.getMessage();
            if (process != null) {
                process.kill();
                WorkerMain.deleteTree(process.dir());
            }
            db.clusters().markStopped(record.id(), ClusterState.FAILED, StopReason.START_FAILED, why, settings.clock().instant());
            log.warn("cluster {} of {} failed to start: {}", name, user.name(), why);
            if (e instanceof IllegalArgumentException) {
                throw ApiException.unprocessable("cannot start the cluster: " + why);
            }
            throw new ApiException(500, "cannot start the cluster: " + why);
        } finally {
            // Not at once: a new spare's JVMs would compete for the cores with the first tasks of
            // the cluster just made (on 2 cores that doubled create -> first result).
            try {
                replenishLater.schedule(this::replenishSpares, SPARE_DELAY.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.RejectedExecutionException closing) {
                // the gateway is closing: no more spares
            }
        }
    }

    /**
     * A cluster made by {@link #create}.
     *
     * @param clamped which limits held an adaptive maximum below the one asked for, with the figures, or null
     */
    public record Created(LiveCluster cluster, String clamped) {
    }

    private Map<String, String> backendSettings(ClusterRequestOptions options) {
        Map<String, String> s = new java.util.LinkedHashMap<>(options.settings());
        s.putAll(settings.backendSettings()); // the admin's settings win over a user's
        if (settings.backend().equals("local")) {
            s.put("processes", "true"); // a scheduler clients reach over the network; workers outside the scheduler's JVM
        }
        return s;
    }

    private static String describe(ClusterRequestOptions o) {
        return (o.adaptive() ? "adaptive " + o.adaptMinimum() + ".." + o.adaptMaximum() : o.workers() + "") + " workers of "
                + o.threads() + " cores" + (o.gpus() > 0 ? ", " + o.gpus() + " GPUs" : "") + (o.detached() ? ", detached" : "");
    }

    private ReclaimTimeouts timeoutsFor(UserRecord user) {
        Duration lifetime = Limits.shorter(settings.reclaim().maxLifetime(), user.limits().maxLifetime());
        if (user.groupName() != null) {
            lifetime = Limits.shorter(lifetime, db.accounts().group(user.groupName()).map(GroupRecord::limits)
                    .map(Limits::maxLifetime).orElse(null));
        }
        return settings.reclaim().withMaxLifetime(lifetime);
    }

    private static String newName() {
        byte[] b = new byte[5];
        RANDOM.nextBytes(b);
        return "c-" + HexFormat.of().formatHex(b);
    }

    /** A spare process if one is alive, renamed into the cluster's directory; else a new one. */
    private ClusterProcess takeProcess(String name) {
        ClusterProcess spare;
        while ((spare = spares.pollFirst()) != null) {
            if (spare.alive()) {
                Path dir = clustersDir.resolve(name);
                try {
                    Files.move(spare.dir(), dir);
                    return ClusterProcess.find(dir).orElseThrow(() -> new BurstException("the spare process went away"));
                } catch (IOException | BurstException e) {
                    log.debug("spare process {} not usable: {}", spare.pid(), e.toString());
                    spare.kill();
                }
            }
        }
        return launch(clustersDir.resolve(name));
    }

    private ClusterProcess launch(Path dir) {
        return ClusterProcess.launch(dir, settings.clusterClasspath(), settings.clusterJavaOptions(),
                Map.of(dev.burst.BurstDirectories.BURST_HOME, clusterHome.toString()), PROCESS_START_TIMEOUT);
    }

    /** Spare processes started and waiting for a cluster. */
    public int spares() {
        return spares.size();
    }

    /** Starts spare processes in the background up to the configured count. */
    public void replenishSpares() {
        int missing = settings.spareProcesses() - spares.size() - sparesStarting.get();
        for (int i = 0; i < missing && !closed; i++) {
            sparesStarting.incrementAndGet();
            background.execute(() -> {
                try {
                    ClusterProcess p = launch(clustersDir.resolve("spare-" + HexFormat.of().formatHex(randomBytes())));
                    if (!closed && settings.backend().equals("local")) {
                        try {
                            p.prepare(defaultSpec());
                        } catch (RuntimeException e) {
                            log.warn("a spare cluster process could not prepare a cluster (creates will start one): {}", e.getMessage());
                        }
                    }
                    if (closed) {
                        p.kill();
                        WorkerMain.deleteTree(p.dir());
                    } else {
                        spares.add(p);
                    }
                } catch (RuntimeException e) {
                    log.warn("cannot start a spare cluster process: {}", e.getMessage());
                } finally {
                    sparesStarting.decrementAndGet();
                }
            });
        }
    }

    /** The cluster a spare has ready: the defaults' shape, no workers (a create of that shape takes it over). */
    private ClusterProcessSpec defaultSpec() {
        ClusterRequestOptions d = new ClusterRequestOptions(settings.defaultThreads(),
                dev.burst.internal.resources.MemorySize.parse(settings.defaultMemory(), "default memory"), 0, 0, null, null, false, Map.of());
        return spec("spare", "spare", d);
    }

    private ClusterProcessSpec spec(String name, String user, ClusterRequestOptions options) {
        // Workers of the local backend run on this machine and reach the scheduler on loopback; any
        // other backend's come in through the gateway's one port, so that only it need be open.
        WorkerEntrance entrance = settings.backend().equals("local") || workerEntranceAddress == null || name.equals("spare")
                ? null : new WorkerEntrance(workerEntranceAddress, routeOf(name));
        return new ClusterProcessSpec(name, user, settings.backend(), options.adaptive() ? 0 : options.workers(), options.threads(),
                options.memoryBytes(), options.gpus(), backendSettings(options), options.adaptMinimum(), options.adaptMaximum(),
                settings.orphanTimeout().toSeconds(), entrance);
    }

    private static byte[] randomBytes() {
        byte[] b = new byte[4];
        RANDOM.nextBytes(b);
        return b;
    }

    // ---------------------------------------------------------------- scale, adapt, stop

    /** What a scale answered: the count now asked of the cluster, and why it is less than asked (null if not). */
    public record Scaled(int workers, String clamped) {
    }

    public Scaled scale(LiveCluster c, int wanted) {
        if (wanted < 0) {
            throw ApiException.unprocessable("count must be 0 or more, got " + wanted);
        }
        refuseIfWindingDown(c);
        LimitCheck.Fit fit;
        synchronized (c) { // the ledger's figure and the process's count change together, in one order
            int before = currentMax(c);
            fit = db.clusters().resize(c.record.id(), wanted, settings.lease(), settings.clock().instant());
            try {
                c.process.scale(fit.workers());
            } catch (RuntimeException e) {
                db.clusters().resize(c.record.id(), before, settings.lease(), settings.clock().instant());
                throw e;
            }
        }
        String clamped = fit.workers() < wanted ? "scaled to " + fit.explain(wanted) : null;
        log.info("cluster {} of {} scaled to {}{}", c.name(), c.record.user(), fit.workers(), clamped == null ? "" : " (" + clamped + ")");
        return new Scaled(fit.workers(), clamped);
    }

    public Scaled adapt(LiveCluster c, int minimum, int maximum) {
        if (minimum < 0 || maximum < 1 || maximum < minimum) {
            throw ApiException.unprocessable("adapt needs 0 <= minimum <= maximum and maximum >= 1, got minimum " + minimum
                    + ", maximum " + maximum);
        }
        refuseIfWindingDown(c);
        LimitCheck.Fit fit;
        int max;
        synchronized (c) {
            int before = currentMax(c);
            fit = db.clusters().resize(c.record.id(), maximum, settings.lease(), settings.clock().instant());
            max = fit.workers();
            try {
                if (max < 1) {
                    throw ApiException.unprocessable("no worker fits: " + fit.explain(maximum));
                }
                c.process.adapt(Math.min(minimum, max), max);
            } catch (RuntimeException e) {
                db.clusters().resize(c.record.id(), before, settings.lease(), settings.clock().instant());
                throw e;
            }
        }
        String clamped = max < maximum ? "maximum clamped: " + fit.explain(maximum) : null;
        log.info("cluster {} of {} adapts between {} and {}{}", c.name(), c.record.user(), Math.min(minimum, max), max,
                clamped == null ? "" : " (" + clamped + ")");
        return new Scaled(max, clamped);
    }

    private static void refuseIfWindingDown(LiveCluster c) {
        String why = c.windDownAsked;
        if (why != null) {
            throw new ApiException(409, "cluster " + c.name() + " takes no new work and starts no workers: " + why
                    + "; results it computed stay fetchable until it is stopped");
        }
    }

    private int currentMax(LiveCluster c) {
        return db.clusters().find(c.record.id()).map(r -> r.shape().maxWorkers()).orElse(c.record.shape().maxWorkers());
    }

    /**
     * Stops cluster {@code c} for {@code reason}: its process goes, its last usage is counted, the
     * ledger records why. Idempotent: a second stop does nothing.
     */
    public void stop(LiveCluster c, StopReason reason, String detail) {
        synchronized (c) {
            if (c.stopping) {
                return;
            }
            c.stopping = true;
        }
        Optional<ControlStatus> last = c.process.stop(STOP_GRACE);
        last.ifPresent(s -> recordUsage(c, s, settings.clock().instant()));
        Instant now = settings.clock().instant();
        db.clusters().markStopped(c.record.id(), ClusterState.STOPPED, reason, detail, now);
        live.remove(c.name());
        WorkerMain.deleteTree(c.process.dir()); // its control token and cluster token go with it
        log.info("cluster {} of {} stopped: {}{}", c.name(), c.record.user(), reason.label(), detail == null ? "" : " (" + detail + ")");
    }

    // ---------------------------------------------------------------- lookups

    /**
     * {@code c} with its status read from its process now, not at the last poll (up to a poll interval
     * old): a user who asks right after a gather sees every task of it. A read that fails leaves the
     * last status; the poll decides whether the process is lost.
     */
    public LiveCluster refreshed(LiveCluster c) {
        if (!c.stopping) {
            try {
                c.readStatus();
            } catch (RuntimeException e) {
                log.debug("cluster {}: status read for a request failed ({}); answering with the last poll's", c.name(), e.getMessage());
            }
        }
        return c;
    }

    /** The running cluster {@code name} if {@code user} owns it (admins see every cluster); else empty, as if it did not exist. */
    public Optional<LiveCluster> owned(UserRecord user, String name) {
        LiveCluster c = live.get(name);
        return c != null && (c.record.userId() == user.id() || user.admin()) ? Optional.of(c) : Optional.empty();
    }

    public List<LiveCluster> running() {
        return List.copyOf(live.values());
    }

    public Optional<LiveCluster> running(String name) {
        return Optional.ofNullable(live.get(name));
    }

    // ---------------------------------------------------------------- routes

    /**
     * Where the proxy sends TLS named {@code serverName}: a running cluster's scheduler, or one of
     * its workers (only a worker that cluster reported: the gateway is no open relay).
     */
    public Optional<java.net.InetSocketAddress> route(String serverName) {
        return switch (GatewayRoutes.parse(serverName)) {
            case GatewayRoutes.Target.Cluster(String route) -> clusterOfRoute(route)
                    .map(c -> BurstAddress.parse(c.schedulerAddress))
                    .map(a -> new java.net.InetSocketAddress(a.host(), a.port()));
            case GatewayRoutes.Target.Worker(WorkerRoute worker, String route) -> clusterOfRoute(route)
                    .filter(c -> allowedWorkerTarget(worker) && hasWorker(c, worker))
                    .map(c -> new java.net.InetSocketAddress(worker.host(), worker.port()));
            case GatewayRoutes.Target.Invalid(String why) -> Optional.empty();
        };
    }

    private Optional<LiveCluster> clusterOfRoute(String route) {
        if (!route.endsWith(ROUTE_SUFFIX)) {
            return Optional.empty();
        }
        LiveCluster c = live.get(route.substring(0, route.length() - ROUTE_SUFFIX.length()));
        return c == null || c.stopping ? Optional.empty() : Optional.of(c);
    }

    /** Ports of the gateway's own servers on this machine (its HTTP server, the proxy), which no worker route may reach. */
    private volatile java.util.Set<Integer> ownPorts = java.util.Set.of();

    public void ownPorts(java.util.Set<Integer> ports) {
        this.ownPorts = java.util.Set.copyOf(ports);
    }

    /** The gateway's one port as workers elsewhere reach it ({@code burst://host:port}); null until it listens. */
    private volatile String workerEntranceAddress;

    public void workerEntranceAddress(String address) {
        this.workerEntranceAddress = address;
    }

    /**
     * Where a worker route may lead. A worker names its own address when it joins; only a peer
     * with the cluster's full token may join as one, and users get the client-only token
     * ({@link ClusterCredentials#clientToken}), so the addresses are those of workers the cluster's
     * backend started. As a second fence, never the gateway's own servers (its HTTP server, the
     * proxy) or any cluster process's control port.
     */
    private boolean allowedWorkerTarget(WorkerRoute worker) {
        int port = worker.port();
        return !ownPorts.contains(port) && live.values().stream().noneMatch(c -> c.process.port() == port)
                && spares.stream().noneMatch(p -> p.port() == port);
    }

    /**
     * Whether {@code worker} belongs to {@code c}: by its last status, else by a fresh one (a worker
     * that joined since the last poll; its results are wanted now, not a poll interval later).
     */
    private static boolean hasWorker(LiveCluster c, WorkerRoute worker) {
        ControlStatus s = c.lastStatus;
        if (s != null && s.workers().stream().anyMatch(w -> isWorker(w, worker))) {
            return true;
        }
        try {
            s = c.readStatus();
        } catch (RuntimeException e) {
            return false;
        }
        return s.workers().stream().anyMatch(w -> isWorker(w, worker));
    }

    private static boolean isWorker(String workerName, WorkerRoute wanted) {
        try {
            return WorkerRoute.of(BurstAddress.parse(workerName)).equals(wanted);
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    // ---------------------------------------------------------------- polling

    /** Reads every cluster's status once: activity, workers, usage, and stops what the reclaim policy says to. */
    public void poll() {
        for (ClusterProcess spare : spares) {
            if (!spare.answers() && spares.remove(spare)) { // asking also keeps its orphan watchdog quiet; a taken one is not ours
                spare.kill();
                WorkerMain.deleteTree(spare.dir());
                replenishSpares();
            }
        }
        for (LiveCluster c : live.values()) {
            if (!c.stopping) {
                try {
                    pollOne(c);
                } catch (RuntimeException e) {
                    log.warn("polling cluster {} failed: {}", c.name(), e.toString());
                }
            }
        }
        try {
            enforceBudgets();
        } catch (RuntimeException e) {
            log.warn("checking budgets failed: {}", e.toString());
        }
    }

    /**
     * Renews each budgeted user's lease, or winds their clusters down: what the ledger has recorded
     * in the budget's period, plus what the user's running clusters used since their last record,
     * plus one more lease of the cores they hold now, must fit the budget. When it does not, every
     * cluster of the user takes no new task (each is refused with this message, naming the budget,
     * what was used and the limit), what runs gets one lease to finish, results stay fetchable, and
     * the workers stop ({@link ClusterProcess#windDown}). The cluster itself stays until it is
     * stopped, by its user or when reclaimed, and then its stop reason is {@code budget}.
     */
    private void enforceBudgets() {
        Map<Long, List<LiveCluster>> byUser = new java.util.HashMap<>();
        for (LiveCluster c : live.values()) {
            if (!c.stopping && c.windDownAsked == null) {
                byUser.computeIfAbsent(c.record.userId(), u -> new ArrayList<>()).add(c);
            }
        }
        Instant now = settings.clock().instant();
        for (List<LiveCluster> clusters : byUser.values()) {
            UserRecord user = db.accounts().user(clusters.get(0).record.user()).orElse(null);
            if (user == null || !user.budget().any()) {
                continue;
            }
            Instant since = user.budget().period() == null ? Instant.EPOCH : now.minus(user.budget().period());
            UsageFigures used = db.usage().since(user.id(), since);
            int cores = 0;
            int gpus = 0;
            for (LiveCluster c : clusters) {
                ControlStatus s = c.lastStatus;
                if (s != null) {
                    used = used.plus(LiveCluster.usageOf(s).since(c.recorded));
                    cores += s.coresNow();
                    gpus += c.record.shape().gpusPerWorker() * s.workers().size();
                }
            }
            String spent = spentBudget(user, used, cores, gpus, settings.lease());
            if (spent != null) {
                for (LiveCluster c : clusters) {
                    c.windDownAsked = spent; // at once: the next poll must not ask again
                    background.execute(() -> windDown(c, spent));
                }
            }
        }
    }

    /** Why the budget does not cover another lease of {@code cores} and {@code gpus}, or null if it does. */
    static String spentBudget(UserRecord user, UsageFigures used, int cores, int gpus, Duration lease) {
        var b = user.budget();
        String per = b.period() == null ? "" : " per " + b.period().toSeconds() + " s";
        double seconds = lease.toMillis() / 1000.0;
        if (b.coreSeconds() != null && used.allocatedCoreSeconds() + cores * seconds > b.coreSeconds()) {
            return budgetMessage(user.name(), "core-seconds", b.coreSeconds(), per, used.allocatedCoreSeconds(), cores, "cores", lease);
        }
        if (b.gpuSeconds() != null && used.allocatedGpuSeconds() + gpus * seconds > b.gpuSeconds()) {
            return budgetMessage(user.name(), "GPU-seconds", b.gpuSeconds(), per, used.allocatedGpuSeconds(), gpus, "GPUs", lease);
        }
        return null;
    }

    private static String budgetMessage(String user, String unit, double limit, String per, double used, int held,
                                        String heldUnit, Duration lease) {
        String base = String.format(java.util.Locale.ROOT, "the budget of %s is spent: %.1f of %.0f %s%s used", user, used,
                limit, unit, per);
        if (used >= limit) {
            return base;
        }
        return base + String.format(java.util.Locale.ROOT, ", and the %.1f left do not cover another %d s of the %d %s"
                + " in use", limit - used, lease.toSeconds(), held, heldUnit);
    }

    /** Tells {@code c}'s process to wind down; a process that does not answer is left to the poll (scheduler-lost). */
    private void windDown(LiveCluster c, String why) {
        try {
            c.process.windDown(why, settings.lease());
            c.windDown = why; // in effect: the cluster refuses new tasks from now on
            log.info("cluster {} of {} winds down: {}; running tasks get {} s, then its workers stop", c.name(),
                    c.record.user(), why, settings.lease().toSeconds());
        } catch (RuntimeException e) {
            log.warn("cluster {} of {} could not be told to wind down ({}): stopping it instead", c.name(), c.record.user(),
                    e.getMessage());
            stop(c, StopReason.BUDGET, why);
        }
    }

    private void pollOne(LiveCluster c) {
        ControlStatus s;
        try {
            s = c.readStatus();
            c.failedReads = 0;
        } catch (RuntimeException e) {
            c.failedReads++;
            if (!c.process.alive() || c.failedReads >= FAILED_READS_BEFORE_LOST) {
                String detail = c.process.alive() ? "its scheduler process did not answer " + c.failedReads + " times: " + e.getMessage()
                        : "its scheduler process (pid " + c.process.pid() + ") died: " + ClusterProcess.logTail(c.process.dir());
                c.process.kill();
                background.execute(() -> stop(c, StopReason.SCHEDULER_LOST, detail));
            }
            return;
        }
        Instant now = settings.clock().instant();
        if (s.windDown() != null) {
            c.windDownAsked = s.windDown(); // also after a gateway restart
            c.windDown = s.windDown();
        }
        c.activity.observe(now, s.working(), s.submitted(), s.finished(), s.clients());
        trackWorkers(c, s, now);
        if (Duration.between(c.usageWrittenAt, now).compareTo(settings.usageInterval()) >= 0) {
            recordUsage(c, s, now);
        }
        Optional<ReclaimDecision> d = ReclaimPolicy.decide(c.activity.observation(s.working(), c.record.detached()), c.timeouts, now);
        d.ifPresent(decision -> {
            String spent = c.windDownAsked;
            // A cluster wound down for its budget ends for that reason, when it is reclaimed at last.
            StopReason reason = spent == null ? decision.reason() : StopReason.BUDGET;
            String detail = spent == null ? decision.detail() : spent + "; stopped then (" + decision.reason().label() + "): "
                    + decision.detail();
            background.execute(() -> stop(c, reason, detail));
        });
    }

    private void trackWorkers(LiveCluster c, ControlStatus s, Instant now) {
        Set<String> present = new HashSet<>(s.workers());
        if (s.resultKeeper() != null) {
            present.remove(s.resultKeeper()); // runs nothing and holds no cores of the backend's: not a worker of the ledger
        }
        int coresEach = c.record.shape().coresPerWorker();
        for (String w : present) {
            if (c.workers.add(w)) {
                db.clusters().workerJoined(c.record.id(), w, coresEach, now);
            }
        }
        for (String w : new ArrayList<>(c.workers)) {
            if (!present.contains(w)) {
                c.workers.remove(w);
                db.clusters().workerLeft(c.record.id(), w, now);
            }
        }
    }

    private synchronized void recordUsage(LiveCluster c, ControlStatus s, Instant now) {
        UsageFigures current = LiveCluster.usageOf(s);
        db.clusters().addUsage(c.record, current.since(c.recorded), now);
        c.recorded = current;
        c.usageWrittenAt = now;
    }

    // ---------------------------------------------------------------- restart

    /**
     * After a (re)start: every cluster the ledger has as starting or running is taken back if its
     * process still answers, else stopped with reason {@code gateway-restart} (its process, if any
     * is left, killed; its usage counted up to the last record).
     */
    public void adoptAfterRestart() {
        for (ClusterRecord r : db.clusters().active()) {
            Path dir = clustersDir.resolve(r.name());
            Optional<ClusterProcess> p = ClusterProcess.find(dir);
            String why;
            if (p.isPresent() && r.state() == ClusterState.RUNNING) {
                try {
                    ControlStatus s = p.get().status();
                    ClusterCredentials credentials = ClusterCredentials.fromTokenFile(tokenFileOf(dir));
                    UserRecord owner = db.accounts().user(r.user()).orElseThrow();
                    LiveCluster c = new LiveCluster(r, p.get(), s.schedulerAddress(), credentials.clientToken(),
                            credentials.certificateSha256(), timeoutsFor(owner), r.usage(), settings.clock().instant());
                    c.workers.addAll(db.clusters().workersPresent(r.id()));
                    live.put(r.name(), c);
                    log.info("cluster {} of {} taken back after a gateway restart (pid {})", r.name(), r.user(), p.get().pid());
                    continue;
                } catch (RuntimeException e) {
                    why = "its process did not answer after the restart: " + e.getMessage();
                }
            } else {
                why = p.isPresent() ? "it was still starting when the gateway stopped" : "its process was gone after the restart";
            }
            p.ifPresent(ClusterProcess::kill);
            db.clusters().markStopped(r.id(), ClusterState.STOPPED, StopReason.GATEWAY_RESTART,
                    why + "; usage counted up to its last record", settings.clock().instant());
            WorkerMain.deleteTree(dir);
            log.warn("cluster {} of {} stopped: gateway-restart ({})", r.name(), r.user(), why);
        }
        removeStrayDirectories();
    }

    /** The cluster's token file: the one its scheduler wrote, found through the process's cluster-home. */
    private static Path tokenFileOf(Path dir) {
        Path recorded = dir.resolve("token-file");
        try {
            return Path.of(Files.readString(recorded).strip());
        } catch (IOException e) {
            throw new BurstException("no record of the cluster's token file in " + dir);
        }
    }

    /** Directories of spares from before the restart, whose processes stop on their own watchdog. */
    private void removeStrayDirectories() {
        try (var dirs = Files.list(clustersDir)) {
            dirs.filter(d -> d.getFileName().toString().startsWith("spare-")).forEach(d -> {
                ClusterProcess.find(d).ifPresent(ClusterProcess::kill);
                WorkerMain.deleteTree(d);
            });
        } catch (IOException e) {
            log.debug("cannot list {}: {}", clustersDir, e.toString());
        }
    }

    /** Notes where the cluster's token file is, for a restarted gateway. */
    static void rememberTokenFile(Path dir, String tokenFile) {
        try {
            Files.writeString(dir.resolve("token-file"), tokenFile + "\n");
        } catch (IOException e) {
            throw new BurstException("cannot write " + dir.resolve("token-file") + ": " + e.getMessage(), e);
        }
    }

    // ---------------------------------------------------------------- close

    /**
     * Stops every cluster (reason {@code gateway-shutdown}) and every spare. A gateway that is
     * killed instead leaves them running, for its next start to take back.
     */
    @Override
    public void close() {
        closed = true;
        List<LiveCluster> all = running();
        List<Thread> stops = new ArrayList<>();
        for (LiveCluster c : all) {
            stops.add(Thread.ofVirtual().start(() -> stop(c, StopReason.GATEWAY_SHUTDOWN, "the gateway was shut down")));
        }
        ClusterProcess spare;
        while ((spare = spares.pollFirst()) != null) {
            spare.kill();
            WorkerMain.deleteTree(spare.dir());
        }
        for (Thread t : stops) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        replenishLater.shutdownNow();
        background.shutdown(); // a spare being started sees `closed` and kills it
        try {
            if (!background.awaitTermination(90, java.util.concurrent.TimeUnit.SECONDS)) {
                log.warn("background work of the gateway's fleet did not end within 90 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
