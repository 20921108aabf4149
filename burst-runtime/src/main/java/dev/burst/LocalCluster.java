package dev.burst;

import dev.burst.internal.cluster.ClusterRuntime;
import dev.burst.internal.cluster.NetworkScheduler;
import dev.burst.internal.core.ResourceAmounts;
import dev.burst.internal.embedded.InProcessCluster;
import dev.burst.internal.localpools.InProcessWorkers;
import dev.burst.internal.localpools.ProcessWorkers;
import dev.burst.internal.resources.MemorySize;
import dev.burst.internal.scheduler.SchedulerConfig;
import dev.burst.internal.schedulernode.SchedulerNode;
import dev.burst.spi.AdaptiveDefaults;
import dev.burst.spi.ClusterSpec;
import dev.burst.spi.Ticker;
import dev.burst.spi.WorkerShape;

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
    private LocalCluster(ClusterRuntime runtime) {
        super(runtime);
        startDashboardAndWorkers();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The one choice between the two engines, made here once: in this JVM, or worker processes. */
    private static ClusterRuntime start(Builder b) {
        if (!b.processes) {
            ResourceAmounts extra = ResourceAmounts.of(b.resources.asMap());
            SchedulerConfig config = SchedulerConfig.defaults().withAllowedFailures(b.allowedFailures)
                    .withSaturation(b.workerSaturation);
            String name = ClusterRuntime.newName("embedded");
            WorkerShape shape = InProcessWorkers.shapeOf(b.threadsPerWorker, extra);
            return ClusterRuntime.embedded(name, b.user, b.jobName, shape, Ticker.SYSTEM, b.recordUsage,
                    (events, ledger) -> new InProcessCluster(name, b.threadsPerWorker, extra, config, ledger, events, Ticker.SYSTEM),
                    scheduler -> new InProcessWorkers((InProcessCluster) scheduler, Ticker.SYSTEM), b.workers);
        }
        // A cluster that starts empty will scale up: keep two warm spares so that the first workers
        // join in a fraction of a second. A fixed-size one keeps none: a spare costs seconds of CPU
        // to warm and more once warm, on the cores its workers run tasks on, to save a replacement
        // (rare) the two seconds of a JVM start.
        ProcessWorkers.Settings pool = new ProcessWorkers.Settings(b.workers == 0 ? 2 : 0, true, b.workers);
        ClusterSpec.Builder spec = ClusterSpec.builder("processes",
                        new WorkerShape(b.threadsPerWorker, b.memoryPerWorker, b.resources),
                        context -> new ProcessWorkers(context, pool))
                .description("a cluster of worker processes").adaptiveDefaults(AdaptiveDefaults.LOCAL).initialWorkers(b.workers).user(b.user).jobName(b.jobName)
                .recordUsage(b.recordUsage).workerSaturation(b.workerSaturation).allowedFailures(b.allowedFailures);
        if (b.workerClasspath != null) {
            spec.workerClasspath(b.workerClasspath);
        }
        return ClusterRuntime.start(spec.build());
    }

    /** The embedded engine, for tests in this package (killing workers, inspecting the scheduler); null for processes. */
    InProcessCluster engine() {
        return runtime().scheduler() instanceof InProcessCluster c ? c : null;
    }

    /** The pool of worker processes, for tests in this package; null when embedded. */
    ProcessWorkers processes() {
        return runtime().pool() instanceof ProcessWorkers p ? p : null;
    }

    /** The scheduler node of a cluster of processes, for tests in this package; null when embedded. */
    SchedulerNode schedulerNode() {
        return runtime().scheduler() instanceof NetworkScheduler n ? n.node() : null;
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
        private String user = System.getProperty("user.name", "unknown");
        private boolean recordUsage = true;
        private double workerSaturation = SchedulerConfig.defaults().saturation();

        private Builder() {
        }

        /**
         * The job this cluster's usage is accounted to in the ledger ({@code burst usage}); default
         * {@code "session"}.
         */
        public Builder jobName(String job) {
            this.jobName = ClusterSpec.checkedLabel(job, "jobName");
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
            this.workerSaturation = ClusterSpec.checkedSaturation(saturation);
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

        /** Who the cluster belongs to: its usage is accounted to them; default the OS user. */
        public Builder user(String user) {
            this.user = ClusterSpec.checkedLabel(user, "user");
            return this;
        }

        public LocalCluster build() {
            return new LocalCluster(start(this));
        }
    }
}
