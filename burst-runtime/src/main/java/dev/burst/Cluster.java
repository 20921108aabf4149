package dev.burst;

import dev.burst.internal.cluster.AdaptiveController;
import dev.burst.internal.cluster.ClusterRuntime;
import dev.burst.internal.loop.SchedulerEndpoint;
import dev.burst.spi.ClusterSpec;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A set of workers and the scheduler that drives them. {@link Client#connect(Cluster)} connects to
 * one. Burst's own: {@link LocalCluster} (threads or processes on this machine) and, in
 * {@code burst-slurm}, {@code dev.burst.slurm.SlurmCluster} (batch jobs); other backends plug in
 * through the SPI ({@link dev.burst.spi.ClusterBackend}, {@link dev.burst.spi.BackendCluster}).
 *
 * <p>Every cluster shares one implementation of what is not the backend's: the scheduler, the
 * adaptive controller ({@link #adapt(int, int)}: workers are started when work is queued and
 * retired when idle, so the core-seconds allocated stay close to those used), the usage ledger
 * ({@link #usage()}) and closing.
 */
public abstract class Cluster implements AutoCloseable {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(Cluster.class);
    private final ClusterRuntime runtime;
    /** The dashboard, when a provider is on the class path and it is not turned off; else null. */
    private volatile dev.burst.spi.DashboardProvider.Dashboard dashboard;

    Cluster(ClusterRuntime runtime) {
        this.runtime = runtime;
    }

    /**
     * The last start steps, which subclasses call last in their construction: the dashboard, then
     * the initial workers. In that order because workers are timed from their start: a dashboard
     * (a web server, a second or so of class loading on a small machine) started after them would
     * leave every worker allocated and idle meanwhile. A dashboard that cannot start is logged and
     * left out, never a reason to lose the cluster; workers that cannot start close it.
     */
    final void startDashboardAndWorkers() {
        startDashboard();
        var d = dashboard;
        try {
            runtime.startInitialWorkers();
        } catch (RuntimeException e) {
            if (d != null) {
                d.close();
            }
            throw e;
        }
        if (d != null) {
            d.refresh(); // its pages and /metrics show the workers at once, not a tick later
        }
    }

    private void startDashboard() {
        if (!DashboardSwitch.on()) {
            return;
        }
        for (dev.burst.spi.DashboardProvider p : java.util.ServiceLoader.load(dev.burst.spi.DashboardProvider.class,
                Cluster.class.getClassLoader())) {
            try {
                dashboard = p.start(this);
                log.info("{}: dashboard at {}", name(), dashboard.url());
            } catch (RuntimeException e) {
                log.warn("{}: the dashboard could not start ({}); the cluster runs without one", name(), e.toString());
            }
            return;
        }
    }

    /** Whether dashboards are wanted: {@code BURST_DASHBOARD} / {@code burst.dashboard} set to {@code off} turn them off. */
    static final class DashboardSwitch {
        private DashboardSwitch() {
        }

        static boolean on() {
            String v = System.getProperty("burst.dashboard", System.getenv("BURST_DASHBOARD"));
            return v == null || !(v.equalsIgnoreCase("off") || v.equalsIgnoreCase("false") || v.equals("0"));
        }
    }

    /**
     * The link to this cluster's web dashboard ({@code http://127.0.0.1:port/?token=…}: progress,
     * task stream, workers, usage, and {@code /metrics} for Prometheus), or empty when there is
     * none: {@code burst-dashboard} is not on the class path, or {@code BURST_DASHBOARD=off}.
     */
    public final Optional<String> dashboardUrl() {
        var d = dashboard;
        return d == null ? Optional.empty() : Optional.of(d.url());
    }

    /**
     * A cluster whose scheduler runs in this JVM and whose workers come from the spec's pool: for
     * backends ({@link dev.burst.spi.BackendCluster}).
     */
    protected Cluster(ClusterSpec spec) {
        this(ClusterRuntime.start(Objects.requireNonNull(spec, "spec must not be null")));
        startDashboardAndWorkers();
    }

    /** A new connection to the scheduler, for one client. */
    final SchedulerEndpoint endpoint() {
        return runtime.connectClient();
    }

    final ClusterRuntime runtime() {
        return runtime;
    }

    /** The backend's pool of workers, for subclasses that add what is theirs. */
    protected final dev.burst.spi.WorkerPool workerPool() {
        return runtime.pool();
    }

    /** Who this cluster's usage is accounted to (the OS user, or a gateway's user). */
    public final String user() {
        return runtime.user();
    }

    /** The cluster's name ({@code burst-<backend>-<pid>-<n>}), as in logs and the usage ledger. */
    public final String name() {
        return runtime.name();
    }

    /** True once closed. */
    public final boolean isClosed() {
        return runtime.isClosed();
    }

    /**
     * Scales between {@code minimum} and {@code maximum} workers from now on, with the backend's
     * defaults for everything else. Calling it again replaces the previous bounds.
     *
     * @throws IllegalArgumentException if minimum &lt; 0, maximum &lt; 1 or maximum &lt; minimum
     */
    public final void adapt(int minimum, int maximum) {
        adapt(AdaptiveOptions.between(minimum, maximum));
    }

    /**
     * Keeps exactly {@code n} workers from now on (0 stops them all); replaces earlier
     * {@link #adapt} bounds.
     *
     * @throws IllegalArgumentException if n &lt; 0
     */
    public final void scale(int n) {
        runtime.scale(n);
    }

    /**
     * Winds this cluster down for good: no new task runs (each fails with a
     * {@link WorkRefusedException} carrying {@code reason}), tasks running now get {@code grace} to
     * finish, results the workers hold move into the scheduler's process, and every worker stops.
     * Results computed before stay fetchable until the cluster is closed. A gateway does this when
     * a user's budget is spent. Returns at once; the future completes when the workers are gone.
     *
     * @throws UnsupportedOperationException for an in-process cluster, whose workers are this JVM
     * @throws IllegalStateException if the cluster is closed
     */
    public final java.util.concurrent.CompletableFuture<Void> windDown(String reason, java.time.Duration grace) {
        Objects.requireNonNull(reason, "reason must not be null");
        Objects.requireNonNull(grace, "grace must not be null");
        return runtime.windDown(reason, grace);
    }

    /**
     * The data address ({@code host:port}) of the worker in the scheduler's process that holds the
     * results after a {@link #windDown}, or empty: a worker that runs nothing, not counted in usage.
     */
    public final Optional<String> resultKeeperAddress() {
        return runtime.resultKeeperAddress();
    }

    /** Why this cluster takes no new work ({@link #windDown}), or empty while it does. */
    public final Optional<String> windDownReason() {
        return runtime.windDownReason();
    }

    /** Scales as {@code options} say from now on; replaces earlier settings. */
    public final void adapt(AdaptiveOptions options) {
        Objects.requireNonNull(options, "options must not be null");
        runtime.adapt(options.toSettings(runtime.adaptiveDefaults()));
    }

    /**
     * Why this adaptive cluster cannot get workers, when {@code attempts} starts in a row have failed
     * since a worker last joined (a Slurm that is not reachable, a refused job, workers dying before
     * they join): the last failure's cause; empty otherwise, and for a cluster of fixed size.
     */
    public final Optional<String> startProblem(int attempts) {
        return runtime.startProblem(attempts);
    }

    /** The adaptive controller, or null when the cluster has a fixed size; for tests. */
    final AdaptiveController adaptive() {
        return runtime.adaptive();
    }

    /** Number of workers connected now. */
    public final int workerCount() {
        return runtime.scheduler().workerIds().size();
    }

    /** Names of the workers connected now (what {@link Client#retireWorkers} takes). */
    public final List<String> workerNames() {
        return runtime.workerNames();
    }

    /**
     * The scheduler's address ({@code burst://host:port}), for clients in other processes
     * ({@code Client.connect(address)} with {@code BURST_TOKEN_FILE} set to {@link #tokenFile()});
     * empty for an embedded cluster.
     */
    public final Optional<String> address() {
        return runtime.address().map(Object::toString);
    }

    /** The token file clients in other processes need; empty for an embedded cluster. */
    public final Optional<Path> tokenFile() {
        return runtime.tokenFile();
    }

    /** Resources used so far: allocated and busy core- and GPU-seconds, efficiency. */
    public final ClusterUsage usage() {
        return ClusterUsage.of(runtime.usage(), runtime.coresNow());
    }

    /**
     * What the cluster is doing now: workers, tasks per state, progress per task prefix, the last
     * task activity, connected clients, usage so far. Safe from any thread at any time; cheap enough
     * to read several times a second whatever the number of tasks.
     */
    public final ClusterStatus status() {
        return StatusReader.read(runtime);
    }

    /** Tells {@code listener} of tasks that end and workers that come and go, from now on. */
    public final void addListener(ClusterListener listener) {
        runtime.addListener(Objects.requireNonNull(listener, "listener must not be null"));
    }

    /** Stops telling {@code listener}. */
    public final void removeListener(ClusterListener listener) {
        runtime.removeListener(listener);
    }

    /**
     * Stops adapting, then the scheduler and the workers; pending results are failed, the usage is
     * recorded, the cluster's files are deleted. Idempotent.
     */
    @Override
    public void close() {
        var d = dashboard;
        if (d != null) {
            d.close();
        }
        runtime.close();
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "{" + name() + address().map(a -> ", scheduler=" + a).orElse("")
                + ", workers=" + workerCount() + dashboardUrl().map(u -> ", dashboard=" + u).orElse("") + "}";
    }
}
