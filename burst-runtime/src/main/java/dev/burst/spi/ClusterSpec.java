package dev.burst.spi;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Everything a backend says about a cluster it creates: the worker shape, the pool that starts
 * workers, its adaptive defaults, and the ambient inputs (who the cluster belongs to, the job its
 * usage is accounted to, where its files go, its clock). The rest is Burst's: a scheduler in this
 * JVM serving TLS on {@link Builder#schedulerHost}, the adaptive controller, the usage ledger, the
 * close path. A backend hands the spec to {@link BackendCluster}.
 *
 * <pre>{@code
 * ClusterSpec spec = ClusterSpec.builder("toy", new WorkerShape(1, 1L << 30, Resources.none()), ToyPool::new)
 *         .adaptiveDefaults(AdaptiveDefaults.LOCAL).jobName("nightly").build();
 * try (Cluster cluster = new BackendCluster(spec)) { ... }
 * }</pre>
 */
public final class ClusterSpec {
    private final String backend;
    private final WorkerShape shape;
    private final WorkerPool.Factory pool;
    private final AdaptiveDefaults adaptiveDefaults;
    private final String schedulerHost;
    private final Path workDirParent;
    private final List<Path> workerClasspath;
    private final String user;
    private final String jobName;
    private final boolean recordUsage;
    private final double workerSaturation;
    private final int allowedFailures;
    private final int initialWorkers;
    private final Duration startTimeout;
    private final Ticker ticker;
    private final String description;
    private final WorkerEntrance workerEntrance;

    private ClusterSpec(Builder b) {
        this.backend = b.backend;
        this.shape = b.shape;
        this.pool = b.pool;
        this.adaptiveDefaults = b.adaptiveDefaults;
        this.schedulerHost = b.schedulerHost;
        this.workerEntrance = b.workerEntrance;
        this.workDirParent = b.workDirParent;
        this.workerClasspath = b.workerClasspath;
        this.user = b.user;
        this.jobName = b.jobName;
        this.recordUsage = b.recordUsage;
        this.workerSaturation = b.workerSaturation;
        this.allowedFailures = b.allowedFailures;
        this.initialWorkers = b.initialWorkers;
        this.startTimeout = b.startTimeout;
        this.ticker = b.ticker;
        this.description = b.description != null ? b.description : "a cluster (backend " + b.backend + ")";
    }

    /**
     * @param backend the backend's name (it names the cluster: {@code burst-<backend>-<pid>-<n>})
     * @param shape   what each worker looks like
     * @param pool    makes the pool that starts the workers, once the scheduler listens
     */
    public static Builder builder(String backend, WorkerShape shape, WorkerPool.Factory pool) {
        return new Builder(backend, shape, pool);
    }

    public String backend() { return backend; }
    public WorkerShape shape() { return shape; }
    public WorkerPool.Factory pool() { return pool; }
    public AdaptiveDefaults adaptiveDefaults() { return adaptiveDefaults; }
    public String schedulerHost() { return schedulerHost; }
    /** Where workers connect when the scheduler is behind a gateway; empty: to {@link #schedulerHost} directly. */
    public java.util.Optional<WorkerEntrance> workerEntrance() { return java.util.Optional.ofNullable(workerEntrance); }
    /** Where the cluster's directory is made; null for a temporary directory. */
    public Path workDirParent() { return workDirParent; }
    /** The class path of worker processes; null for this JVM's. */
    public List<Path> workerClasspath() { return workerClasspath; }
    public String user() { return user; }
    public String jobName() { return jobName; }
    public boolean recordUsage() { return recordUsage; }
    public double workerSaturation() { return workerSaturation; }
    public int allowedFailures() { return allowedFailures; }
    public int initialWorkers() { return initialWorkers; }
    public Duration startTimeout() { return startTimeout; }
    public Ticker ticker() { return ticker; }
    /** What the cluster is, for messages: {@code "a Slurm cluster"}. */
    public String description() { return description; }

    /** Builds a {@link ClusterSpec}; each setter rejects a bad value at once, naming it. */
    public static final class Builder {
        private final String backend;
        private final WorkerShape shape;
        private final WorkerPool.Factory pool;
        private AdaptiveDefaults adaptiveDefaults = AdaptiveDefaults.LOCAL;
        private String schedulerHost = "127.0.0.1";
        private Path workDirParent;
        private List<Path> workerClasspath;
        private String user = System.getProperty("user.name", "unknown");
        private String jobName = "session";
        private boolean recordUsage = true;
        private double workerSaturation = 1.1;
        private int allowedFailures = 3;
        private int initialWorkers;
        private Duration startTimeout = Duration.ofSeconds(60);
        private Ticker ticker = Ticker.SYSTEM;
        private String description;
        private WorkerEntrance workerEntrance;

        private Builder(String backend, WorkerShape shape, WorkerPool.Factory pool) {
            this.backend = checkedLabel(backend, "backend");
            if (!backend.matches("[a-z0-9][a-z0-9-]*")) {
                throw new IllegalArgumentException("a backend name is lower-case letters, digits and '-', got '" + backend + "'");
            }
            this.shape = Objects.requireNonNull(shape, "shape must not be null");
            this.pool = Objects.requireNonNull(pool, "pool must not be null");
        }

        public Builder adaptiveDefaults(AdaptiveDefaults defaults) {
            this.adaptiveDefaults = Objects.requireNonNull(defaults, "adaptiveDefaults must not be null");
            return this;
        }

        /** Workers connect through this gateway entrance instead of to the scheduler's own port; null: directly. */
        public Builder workerEntrance(WorkerEntrance entrance) {
            this.workerEntrance = entrance;
            return this;
        }

        /** The address the scheduler binds and workers connect to; default {@code 127.0.0.1} (loopback). */
        public Builder schedulerHost(String host) {
            if (host == null || host.isBlank()) {
                throw new IllegalArgumentException("schedulerHost must not be blank");
            }
            this.schedulerHost = host;
            return this;
        }

        /**
         * The cluster's files (token, TLS identity, the pool's scripts and logs) go to
         * {@code parent/<cluster name>/}, which the machines running workers must see; default a
         * temporary directory. Deleted at close either way.
         */
        public Builder workDirParent(Path parent) {
            this.workDirParent = Objects.requireNonNull(parent, "workDirParent must not be null");
            return this;
        }

        /** The class path of worker processes; default this JVM's (code shipping brings the rest). */
        public Builder workerClasspath(List<Path> classpath) {
            this.workerClasspath = List.copyOf(classpath);
            return this;
        }

        /** Who the cluster belongs to, for its usage ledger; default the OS user. */
        public Builder user(String user) {
            this.user = checkedLabel(user, "user");
            return this;
        }

        /** The job its usage is accounted to; default {@code "session"}. */
        public Builder jobName(String job) {
            this.jobName = checkedLabel(job, "jobName");
            return this;
        }

        /** Whether to append its usage to the local ledger file when it closes; default true. */
        public Builder recordUsage(boolean record) {
            this.recordUsage = record;
            return this;
        }

        /** Root-task queuing (Dask's {@code worker-saturation}); default 1.1. */
        public Builder workerSaturation(double saturation) {
            this.workerSaturation = ClusterSpec.checkedSaturation(saturation);
            return this;
        }

        /** A task running on more than this many workers that died fails; default 3. */
        public Builder allowedFailures(int n) {
            if (n < 0) {
                throw new IllegalArgumentException("allowedFailures must be >= 0, got " + n);
            }
            this.allowedFailures = n;
            return this;
        }

        /** Workers started with the cluster, which waits until they have joined; default 0. */
        public Builder initialWorkers(int n) {
            if (n < 0) {
                throw new IllegalArgumentException("initialWorkers must be >= 0, got " + n);
            }
            this.initialWorkers = n;
            return this;
        }

        /** How long the cluster waits for its initial workers to join; default 60 s. */
        public Builder startTimeout(Duration timeout) {
            if (timeout == null || timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("startTimeout must be > 0, got " + timeout);
            }
            this.startTimeout = timeout;
            return this;
        }

        /** The cluster's clock (adaptive decisions, arrival timeouts, lifetimes); default {@link Ticker#SYSTEM}. */
        public Builder ticker(Ticker ticker) {
            this.ticker = Objects.requireNonNull(ticker, "ticker must not be null");
            return this;
        }

        /** What the cluster is, for messages ({@code "cannot start a Slurm cluster: ..."}); default "a cluster (backend NAME)". */
        public Builder description(String description) {
            this.description = checkedLabel(description, "description");
            return this;
        }

        public ClusterSpec build() {
            return new ClusterSpec(this);
        }
    }

    /** Root-task queuing's saturation: a finite number >= 1.0 (Dask's {@code worker-saturation}). */
    public static double checkedSaturation(double saturation) {
        if (!(saturation >= 1.0) || Double.isInfinite(saturation)) {
            throw new IllegalArgumentException("workerSaturation must be a finite number >= 1.0, got " + saturation);
        }
        return saturation;
    }

    /** A label for the ledger: not blank, no control characters. */
    public static String checkedLabel(String label, String what) {
        if (label == null || label.isBlank()) {
            throw new IllegalArgumentException(what + " must not be blank");
        }
        if (label.chars().anyMatch(Character::isISOControl)) {
            throw new IllegalArgumentException(what + " must not contain control characters: " + label.strip());
        }
        return label;
    }
}
