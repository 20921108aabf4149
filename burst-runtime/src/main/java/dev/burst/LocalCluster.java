package dev.burst;

import dev.burst.internal.adaptive.AdaptiveSettings;
import dev.burst.internal.cluster.AdaptiveController;
import dev.burst.internal.cluster.ClusterManager;
import dev.burst.internal.cluster.InProcessWorkers;
import dev.burst.internal.core.ResourceAmounts;
import dev.burst.internal.runtime.SchedulerLoop;
import dev.burst.internal.usage.UsageTotals;
import java.time.Duration;
import dev.burst.internal.local.InProcessCluster;
import dev.burst.internal.node.MemorySize;
import dev.burst.internal.node.ProcessCluster;
import dev.burst.internal.runtime.SchedulerEndpoint;
import dev.burst.internal.scheduler.SchedulerConfig;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * A cluster on this machine. By default it is embedded: a scheduler and workers inside this JVM
 * (each worker a pool of threads), driven by the same state machines as a distributed cluster,
 * without a network. With {@link Builder#processes(boolean) processes(true)} each worker is a
 * separate JVM and the scheduler serves them over gRPC with TLS on loopback, exactly as a
 * distributed cluster does; a worker process that dies is replaced.
 *
 * <pre>{@code
 * try (LocalCluster cluster = LocalCluster.builder().workers(4).threadsPerWorker(1).build();
 *      Client client = Client.connect(cluster)) {
 *     ...
 * }
 * }</pre>
 */
public final class LocalCluster extends Cluster {
    /** Local workers are back in a fraction of a second, so idle ones are retired almost at once. */
    private static final AdaptiveSettings ADAPTIVE_DEFAULTS = new AdaptiveSettings(0, 1,
            5_000_000_000L, 250_000_000L, 250_000_000L, 1_000_000_000L, 60_000_000_000L, 60_000_000_000L);

    private final InProcessCluster engine;
    private final ProcessCluster processes;
    private final ClusterManager manager;
    private final boolean recordUsage;

    private LocalCluster(Builder b) {
        SchedulerConfig config = SchedulerConfig.defaults().withAllowedFailures(b.allowedFailures)
                .withSaturation(b.workerSaturation);
        if (b.processes) {
            this.engine = null;
            try {
                // A cluster that starts empty will scale up: keep two warm spares so that the first
                // workers join in a fraction of a second; a fixed-size one keeps one for replacements.
                this.processes = new ProcessCluster(new ProcessCluster.Settings(b.workers, b.threadsPerWorker,
                        ResourceAmounts.of(b.resources.asMap()), b.memoryPerWorker, config, b.workerClasspath, true,
                        b.workers == 0 ? 2 : 1, b.jobName));
            } catch (IOException e) {
                throw new BurstException("cannot start a cluster of worker processes: " + e.getMessage(), e);
            }
        } else {
            this.processes = null;
            this.engine = new InProcessCluster(b.workers, b.threadsPerWorker,
                    ResourceAmounts.of(b.resources.asMap()), config, b.jobName);
        }
        this.manager = processes != null ? processes : new InProcessWorkers(engine);
        this.recordUsage = b.recordUsage;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Number of workers connected now. */
    public int workerCount() {
        return processes != null ? processes.workerIds().size() : engine.workerIds().size();
    }

    /** Names of the workers connected now (what {@link Client#retireWorkers} takes). */
    public List<String> workerNames() {
        List<dev.burst.internal.core.WorkerId> ids = processes != null ? processes.workerIds() : engine.workerIds();
        return ids.stream().map(dev.burst.internal.core.WorkerId::name).sorted().toList();
    }

    /**
     * The scheduler's address, for clients in other processes ({@code Client.connect(address)}
     * with {@code BURST_TOKEN_FILE} set to {@link #tokenFile()}); empty for an embedded cluster.
     */
    public java.util.Optional<String> address() {
        return processes == null ? java.util.Optional.empty() : java.util.Optional.of(processes.address().toString());
    }

    /** The token file of a cluster of processes; empty for an embedded cluster. */
    public java.util.Optional<Path> tokenFile() {
        return processes == null ? java.util.Optional.empty() : java.util.Optional.of(processes.tokenFile());
    }

    @Override
    SchedulerEndpoint endpoint() {
        if (processes != null) {
            return processes.endpoint();
        }
        if (engine.isClosed()) {
            throw new IllegalStateException("cluster " + engine.name() + " is closed");
        }
        return engine.endpoint();
    }

    /** The embedded engine, for tests in this package (killing workers, inspecting the scheduler); null for processes. */
    InProcessCluster engine() {
        return engine;
    }

    /** The cluster of processes, for tests in this package; null when embedded. */
    ProcessCluster processes() {
        return processes;
    }

    @Override
    SchedulerLoop schedulerLoop() {
        return processes != null ? processes.scheduler().loop() : engine.loop();
    }

    @Override
    ClusterManager manager() {
        return manager;
    }

    @Override
    AdaptiveSettings adaptiveDefaults() {
        return ADAPTIVE_DEFAULTS;
    }

    @Override
    Duration adaptiveInterval() {
        return Duration.ofMillis(100);
    }

    @Override
    void becomingElastic(AdaptiveController controller) {
        if (processes != null) {
            processes.manageBy(controller); // dead workers are the controller's to replace now
        }
    }

    @Override
    String name() {
        return processes != null ? processes.name() : engine.name();
    }

    @Override
    boolean isClosed() {
        return processes != null ? processes.isClosed() : engine.isClosed();
    }

    @Override
    public ClusterUsage usage() {
        return ClusterUsage.of(usageTotals(), processes != null ? processes.cores() : engine.cores());
    }

    private UsageTotals usageTotals() {
        return processes != null ? processes.usage() : engine.usage();
    }

    @Override
    public void close() {
        stopAdapting();
        boolean wasOpen = !isClosed();
        if (processes != null) {
            processes.close();
        } else {
            engine.close();
        }
        if (wasOpen && recordUsage) {
            UsageRecorder.record(usageTotals());
        }
    }

    @Override
    public String toString() {
        return "LocalCluster{" + (processes != null ? processes.name() : engine.name()) + ", workers=" + workerCount() + "}";
    }

    /** Builds a {@link LocalCluster}; each setter rejects a bad value at once, naming it. */
    public static final class Builder {
        private int workers = Runtime.getRuntime().availableProcessors();
        private int threadsPerWorker = 1;
        private Resources resources = Resources.none();
        private int allowedFailures = 3;
        private boolean processes;
        private long memoryPerWorker = 2L << 30;
        private List<Path> workerClasspath;
        private String jobName = "session";
        private boolean recordUsage = true;
        private double workerSaturation = SchedulerConfig.defaults().saturation();

        private Builder() {
        }

        /**
         * The job this cluster's usage is accounted to in the ledger ({@code burst usage}); default
         * {@code "session"}.
         */
        public Builder jobName(String job) {
            this.jobName = UsageRecorder.checkedLabel(job, "jobName");
            return this;
        }

        /**
         * Root-task queuing (Dask's {@code worker-saturation}): a worker is given at most
         * {@code ceil(saturation × threads)} tasks without inputs at once; the rest wait in the
         * scheduler for whichever worker frees a thread first. Default 1.1 (a one-thread worker holds
         * a second task so that it never waits for the next one). For a few long tasks, 1.0 keeps
         * every waiting task available to the next free thread, including workers that are still
         * starting (what {@code burst map} uses).
         */
        public Builder workerSaturation(double saturation) {
            if (!(saturation >= 1.0) || Double.isInfinite(saturation)) {
                throw new IllegalArgumentException("workerSaturation must be a finite number >= 1.0, got " + saturation);
            }
            this.workerSaturation = saturation;
            return this;
        }

        /**
         * Whether to append this cluster's usage to the local ledger file when it closes (default
         * true; {@code ~/.burst/usage/ledger.jsonl}, under {@code $BURST_HOME} if set).
         */
        public Builder recordUsage(boolean record) {
            this.recordUsage = record;
            return this;
        }

        /**
         * Whether each worker runs in a JVM of its own (true) or in this JVM (false, the default).
         * Worker processes isolate tasks from each other and from the caller, at the price of
         * serializing task functions and results.
         */
        public Builder processes(boolean processes) {
            this.processes = processes;
            return this;
        }

        /**
         * Memory for each worker's results, like {@code "512m"} or {@code "4g"} (processes only;
         * default 2g). Above 60% of it a worker spills results to disk, above 80% it pauses.
         */
        public Builder memoryPerWorker(String size) {
            this.memoryPerWorker = MemorySize.parse(size, "memoryPerWorker");
            return this;
        }

        /** Class path of worker processes instead of this JVM's; for tests of code shipping. */
        Builder workerClasspath(List<Path> classpath) {
            this.workerClasspath = List.copyOf(classpath);
            return this;
        }

        /**
         * How many workers to start with; default one per available core. 0 starts none: tasks
         * wait until {@link LocalCluster#adapt(int, int) adapt} starts workers.
         */
        public Builder workers(int workers) {
            if (workers < 0) {
                throw new IllegalArgumentException("workers must be >= 0, got " + workers);
            }
            this.workers = workers;
            return this;
        }

        /** Executor threads per worker (its {@code cpu}); default 1. */
        public Builder threadsPerWorker(int threads) {
            if (threads < 1) {
                throw new IllegalArgumentException("threadsPerWorker must be >= 1, got " + threads);
            }
            this.threadsPerWorker = threads;
            return this;
        }

        /**
         * Named resources each worker offers besides its threads, e.g. {@code Resources.of("gpu", 1)}.
         * {@code cpu} is set by {@link #threadsPerWorker} and may not be given here.
         */
        public Builder resources(Resources resources) {
            Objects.requireNonNull(resources, "resources must not be null (use Resources.none())");
            if (resources.asMap().containsKey("cpu")) {
                throw new IllegalArgumentException("a worker's cpu is its thread count: use threadsPerWorker(n), not resources(cpu=...)");
            }
            this.resources = resources;
            return this;
        }

        /**
         * A task that was running on more than this many workers that died fails with
         * {@link WorkerLostException}; default 3.
         */
        public Builder allowedFailures(int n) {
            if (n < 0) {
                throw new IllegalArgumentException("allowedFailures must be >= 0, got " + n);
            }
            this.allowedFailures = n;
            return this;
        }

        public LocalCluster build() {
            return new LocalCluster(this);
        }
    }
}
