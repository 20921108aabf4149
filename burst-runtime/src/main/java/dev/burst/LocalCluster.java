package dev.burst;

import dev.burst.internal.core.ResourceAmounts;
import dev.burst.internal.local.InProcessCluster;
import dev.burst.internal.runtime.SchedulerEndpoint;
import dev.burst.internal.scheduler.SchedulerConfig;

import java.util.Objects;

/**
 * The embedded cluster: a scheduler and workers inside this JVM (each worker a pool of threads),
 * driven by the same state machines as a distributed cluster, without a network.
 *
 * <pre>{@code
 * try (LocalCluster cluster = LocalCluster.builder().workers(4).threadsPerWorker(1).build();
 *      Client client = Client.connect(cluster)) {
 *     ...
 * }
 * }</pre>
 */
public final class LocalCluster extends Cluster {
    private final InProcessCluster engine;

    private LocalCluster(Builder b) {
        SchedulerConfig config = SchedulerConfig.defaults().withAllowedFailures(b.allowedFailures);
        this.engine = new InProcessCluster(b.workers, b.threadsPerWorker,
                ResourceAmounts.of(b.resources.asMap()), config);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Number of workers running now. */
    public int workerCount() {
        return engine.workerIds().size();
    }

    @Override
    SchedulerEndpoint endpoint() {
        if (engine.isClosed()) {
            throw new IllegalStateException("cluster " + engine.name() + " is closed");
        }
        return engine.endpoint();
    }

    /** The engine, for tests in this package (killing workers, inspecting the scheduler). */
    InProcessCluster engine() {
        return engine;
    }

    @Override
    public ClusterUsage usage() {
        InProcessCluster.UsageFigures u = engine.usage();
        return new ClusterUsage(u.cores(), u.allocatedNanos() / 1e9, u.busyNanos() / 1e9, u.cpuNanos() / 1e9, u.tasks());
    }

    @Override
    public void close() {
        engine.close();
    }

    @Override
    public String toString() {
        return "LocalCluster{" + engine.name() + ", workers=" + workerCount() + "}";
    }

    /** Builds a {@link LocalCluster}; each setter rejects a bad value at once, naming it. */
    public static final class Builder {
        private int workers = Runtime.getRuntime().availableProcessors();
        private int threadsPerWorker = 1;
        private Resources resources = Resources.none();
        private int allowedFailures = 3;

        private Builder() {
        }

        /** How many workers; default one per available core. */
        public Builder workers(int workers) {
            if (workers < 1) {
                throw new IllegalArgumentException("workers must be >= 1, got " + workers);
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
