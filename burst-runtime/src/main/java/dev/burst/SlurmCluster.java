package dev.burst;

import dev.burst.internal.adaptive.AdaptiveSettings;
import dev.burst.internal.cluster.AdaptiveController;
import dev.burst.internal.cluster.ClusterManager;
import dev.burst.internal.cluster.ManagedWorker;
import dev.burst.internal.cluster.SlurmSettings;
import dev.burst.internal.cluster.SlurmWorkers;
import dev.burst.internal.cluster.WorkerShape;
import dev.burst.internal.core.ResourceAmounts;
import dev.burst.internal.node.ClusterCredentials;
import dev.burst.internal.node.LocalIdentity;
import dev.burst.internal.node.MemorySize;
import dev.burst.internal.node.RemoteEndpoint;
import dev.burst.internal.node.SchedulerNode;
import dev.burst.internal.node.WorkerMain;
import dev.burst.internal.runtime.SchedulerEndpoint;
import dev.burst.internal.runtime.SchedulerLoop;
import dev.burst.internal.scheduler.SchedulerConfig;
import dev.burst.internal.usage.UsageLedger;
import dev.burst.internal.usage.UsageTotals;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A cluster whose workers are Slurm batch jobs: a scheduler in this JVM and one {@code sbatch} job
 * per worker, started and cancelled by {@link #adapt(int, int)} as work comes and goes. Each job
 * runs a worker JVM that connects back to the scheduler over TLS with the cluster's token; the
 * token file, job scripts and logs live in {@code ~/.burst/slurm/<cluster>/}, which compute nodes
 * must see (a shared home, as on most clusters).
 *
 * <p>Workers live at most a little less than the walltime: before Slurm would kill one, it is
 * retired gracefully (its results are copied to other workers) and replaced, one at a time.
 * {@link #close()} cancels every job this cluster submitted and waits until the queue no longer
 * shows them; so does Ctrl-C of the JVM.
 *
 * <pre>{@code
 * try (SlurmCluster cluster = SlurmCluster.builder().partition("debug").coresPerWorker(1)
 *          .memoryPerWorker("2g").walltime("00:30:00").build();
 *      Client client = Client.connect(cluster)) {
 *     cluster.adapt(0, 100);
 *     client.gather(client.map(Work::simulate, inputs));
 *     System.out.println(cluster.usage());
 * }
 * }</pre>
 */
public final class SlurmCluster extends Cluster {
    /** A batch job takes seconds to start: keep idle workers longer than a local cluster does. */
    private static final AdaptiveSettings ADAPTIVE_DEFAULTS = new AdaptiveSettings(0, 1,
            5_000_000_000L, 10_000_000_000L, 5_000_000_000L, 2_000_000_000L, 120_000_000_000L, 600_000_000_000L);
    private static final AtomicInteger CLUSTERS = new AtomicInteger();

    private final String name;
    private final SchedulerNode scheduler;
    private final Path tokenFile;
    private final Path workDir;
    private final SlurmWorkers workers;
    private final UsageLedger ledger;
    private final boolean recordUsage;
    private final ScheduledExecutorService ledgerSync;
    /** Workers the ledger counts as alive; ledger-sync thread only. */
    private final Set<String> counted = new HashSet<>();
    private volatile ClusterManager.Listener controller;
    private volatile boolean closed;

    private SlurmCluster(Builder b) {
        this.name = "burst-slurm-" + ProcessHandle.current().pid() + "-" + CLUSTERS.incrementAndGet();
        this.workDir = b.workDir != null ? b.workDir.resolve(name) : SlurmSettings.defaultWorkDir(name);
        this.ledger = UsageLedger.forRun(System.getProperty("user.name", "unknown"), name, b.jobName,
                System.currentTimeMillis(), System.nanoTime());
        this.recordUsage = b.recordUsage;
        SchedulerNode node = null;
        SlurmWorkers manager = null;
        try {
            ClusterCredentials credentials = LocalIdentity.credentials(workDir);
            this.tokenFile = credentials.tokenFile();
            String host = b.schedulerHost != null ? b.schedulerHost : InetAddress.getLocalHost().getCanonicalHostName();
            node = new SchedulerNode(host, 0, credentials, SchedulerConfig.defaults().withSaturation(b.workerSaturation),
                    workDir.resolve("scheduler"));
            SlurmSettings.Builder s = SlurmSettings.builder(name, node.address(), tokenFile)
                    .partition(b.partition).account(b.account).walltime(b.walltime).workDir(workDir.resolve("jobs"))
                    .keyStoreDir(tokenFile.getParent())
                    .classpath(absoluteClasspath()); // the job may start in another directory
            if (b.lifetime != null) {
                s.lifetime(b.lifetime);
            }
            b.extraDirectives.forEach(s::extraDirective);
            if (b.slurmBin != null) {
                s.commands(b.slurmBin.resolve("sbatch").toString(), b.slurmBin.resolve("squeue").toString(),
                        b.slurmBin.resolve("scancel").toString());
            }
            WorkerShape shape = new WorkerShape(b.coresPerWorker, b.memoryPerWorker,
                    b.gpusPerWorker > 0 ? ResourceAmounts.of(java.util.Map.of("gpu", (double) b.gpusPerWorker)) : ResourceAmounts.NONE);
            manager = new SlurmWorkers(shape, s.build(), new ClusterManager.Listener() {
                @Override
                public void startFailed(String worker, String reason) {
                    ClusterManager.Listener c = controller;
                    if (c != null) {
                        c.startFailed(worker, reason);
                    }
                }

                @Override
                public void workerEnded(String worker, String reason) {
                    ClusterManager.Listener c = controller;
                    if (c != null) {
                        c.workerEnded(worker, reason);
                    }
                }
            });
        } catch (IOException | RuntimeException e) {
            if (node != null) {
                node.close();
            }
            WorkerMain.deleteTree(workDir);
            if (e instanceof IllegalArgumentException iae) {
                throw iae;
            }
            throw new BurstException("cannot start a Slurm cluster: " + e.getMessage(), e);
        }
        this.scheduler = node;
        this.workers = manager;
        this.ledgerSync = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, name + "-ledger");
            t.setDaemon(true);
            return t;
        });
        ledgerSync.scheduleWithFixedDelay(this::syncLedger, 250, 250, TimeUnit.MILLISECONDS);
    }

    private static String absoluteClasspath() {
        String sep = java.io.File.pathSeparator;
        return java.util.Arrays.stream(System.getProperty("java.class.path").split(java.util.regex.Pattern.quote(sep)))
                .filter(e -> !e.isBlank())
                .map(e -> Path.of(e).toAbsolutePath().toString())
                .collect(java.util.stream.Collectors.joining(sep));
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The scheduler's address ({@code burst://host:port}), for clients in other processes. */
    public String address() {
        return scheduler.address().toString();
    }

    /** The token file clients in other processes need ({@code BURST_TOKEN_FILE}). */
    public Path tokenFile() {
        return tokenFile;
    }

    /** Workers connected now. */
    public int workerCount() {
        return scheduler.workerIds().size();
    }

    /** Slurm job ids of the workers submitted and not ended. */
    public List<String> jobIds() {
        List<String> ids = new ArrayList<>();
        for (ManagedWorker w : workers.workers()) {
            if (!w.backendId().isEmpty()) {
                ids.add(w.backendId());
            }
        }
        return ids;
    }

    @Override
    SchedulerEndpoint endpoint() {
        if (closed) {
            throw new IllegalStateException("cluster " + name + " is closed");
        }
        return RemoteEndpoint.open(scheduler.address(), ClusterCredentials.fromTokenFile(tokenFile), workDir.resolve("client"));
    }

    @Override
    SchedulerLoop schedulerLoop() {
        return scheduler.loop();
    }

    @Override
    ClusterManager manager() {
        return workers;
    }

    @Override
    AdaptiveSettings adaptiveDefaults() {
        return ADAPTIVE_DEFAULTS;
    }

    @Override
    Duration adaptiveInterval() {
        return Duration.ofMillis(200);
    }

    @Override
    void becomingElastic(AdaptiveController c) {
        this.controller = c;
    }

    @Override
    String name() {
        return name;
    }

    @Override
    boolean isClosed() {
        return closed;
    }

    /**
     * Brings the ledger up to date: a worker is allocated from the moment its job runs (the JVM's
     * start is paid for) until its job is gone; busy time from its heartbeats.
     */
    private synchronized void syncLedger() {
        try {
            long now = System.nanoTime();
            Set<String> running = new HashSet<>();
            for (ManagedWorker w : workers.workers()) {
                var since = workers.runningSince(w.name());
                if (since.isPresent()) {
                    running.add(w.name());
                    if (counted.add(w.name())) {
                        ledger.workerStarted(w.name(), workers.shape().threads(), workers.shape().gpus(), since.getAsLong());
                    }
                }
            }
            for (var it = counted.iterator(); it.hasNext(); ) {
                String w = it.next();
                if (!running.contains(w)) {
                    ledger.workerStopped(w, now);
                    it.remove();
                }
            }
            scheduler.reportFigures(ledger);
        } catch (RuntimeException e) {
            org.slf4j.LoggerFactory.getLogger(SlurmCluster.class).warn("{}: usage ledger update failed: {}", name, e.toString());
        }
    }

    private synchronized UsageTotals usageTotals() {
        syncLedger();
        return ledger.totals(System.nanoTime());
    }

    @Override
    public ClusterUsage usage() {
        return ClusterUsage.of(usageTotals(), workerCount() * workers.shape().threads());
    }

    /** Cancels every job of this cluster, waits until Slurm no longer lists them, stops the scheduler. Idempotent. */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        stopAdapting();
        syncLedger();
        scheduler.close(); // workers are told to stop; their jobs end
        workers.close();   // scancel what is left and wait for the queue to forget it
        ledgerSync.shutdownNow();
        synchronized (this) {
            ledger.allWorkersStopped(System.nanoTime());
        }
        if (recordUsage) {
            UsageRecorder.record(ledger.totals(System.nanoTime()));
        }
        WorkerMain.deleteTree(workDir);
    }

    @Override
    public String toString() {
        return "SlurmCluster{" + name + ", scheduler=" + scheduler.address() + ", workers=" + workerCount() + "}";
    }

    /** Builds a {@link SlurmCluster}; each setter rejects a bad value at once, naming it. */
    public static final class Builder {
        private String partition = "";
        private String account = "";
        private int coresPerWorker = 1;
        private int gpusPerWorker;
        private long memoryPerWorker = 2L << 30;
        private String walltime = "01:00:00";
        private Duration lifetime;
        private final List<String> extraDirectives = new ArrayList<>();
        private String schedulerHost;
        private Path workDir;
        private Path slurmBin;
        private String jobName = "session";
        private boolean recordUsage = true;
        private double workerSaturation = SchedulerConfig.defaults().saturation();

        private Builder() {
        }

        /** {@code --partition}; default: Slurm's default partition. */
        public Builder partition(String partition) {
            this.partition = Objects.requireNonNull(partition, "partition must not be null");
            return this;
        }

        /** {@code --account}; default none. */
        public Builder account(String account) {
            this.account = Objects.requireNonNull(account, "account must not be null");
            return this;
        }

        /** Cores (executor threads) of each worker, {@code --cpus-per-task}; default 1. */
        public Builder coresPerWorker(int cores) {
            if (cores < 1) {
                throw new IllegalArgumentException("coresPerWorker must be >= 1, got " + cores);
            }
            this.coresPerWorker = cores;
            return this;
        }

        /** GPUs of each worker ({@code --gres=gpu:N} is up to {@link #extraDirectives}); default 0. */
        public Builder gpusPerWorker(int gpus) {
            if (gpus < 0) {
                throw new IllegalArgumentException("gpusPerWorker must be >= 0, got " + gpus);
            }
            this.gpusPerWorker = gpus;
            return this;
        }

        /** Memory for each worker's results, like {@code "2g"}; the job asks Slurm for more (the JVM). */
        public Builder memoryPerWorker(String size) {
            this.memoryPerWorker = MemorySize.parse(size, "memoryPerWorker");
            return this;
        }

        /** {@code --time} of each worker job, {@code HH:MM:SS} or {@code D-HH:MM:SS}; default 01:00:00. */
        public Builder walltime(String walltime) {
            SlurmSettings.parseWalltime(walltime);
            this.walltime = walltime;
            return this;
        }

        /** How long a worker lives before it is retired and replaced; default: the walltime less 10% (at most 5 min). */
        public Builder lifetime(Duration lifetime) {
            this.lifetime = Objects.requireNonNull(lifetime, "lifetime must not be null");
            return this;
        }

        /** More {@code #SBATCH} options, verbatim, e.g. {@code "--qos=low"}. */
        public Builder extraDirectives(String... directives) {
            for (String d : directives) {
                if (d == null || !d.startsWith("-")) {
                    throw new IllegalArgumentException("an extra #SBATCH directive must be an option like --qos=low, got " + d);
                }
                extraDirectives.add(d);
            }
            return this;
        }

        /** The address workers connect to; default this machine's host name. Tests use 127.0.0.1. */
        public Builder schedulerHost(String host) {
            if (host == null || host.isBlank()) {
                throw new IllegalArgumentException("schedulerHost must not be blank");
            }
            this.schedulerHost = host;
            return this;
        }

        /** Where the cluster's files go (shared with compute nodes); default {@code ~/.burst/slurm}. */
        public Builder workDir(Path dir) {
            this.workDir = Objects.requireNonNull(dir, "workDir must not be null");
            return this;
        }

        /** A folder holding {@code sbatch}, {@code squeue} and {@code scancel}; default: from PATH. */
        public Builder slurmCommands(Path bin) {
            this.slurmBin = Objects.requireNonNull(bin, "slurmCommands must not be null");
            return this;
        }

        /** The job this cluster's usage is accounted to in the ledger; default {@code "session"}. */
        public Builder jobName(String job) {
            this.jobName = UsageRecorder.checkedLabel(job, "jobName");
            return this;
        }

        /** Root-task queuing, as {@link LocalCluster.Builder#workerSaturation(double)}; default 1.1. */
        public Builder workerSaturation(double saturation) {
            if (!(saturation >= 1.0) || Double.isInfinite(saturation)) {
                throw new IllegalArgumentException("workerSaturation must be a finite number >= 1.0, got " + saturation);
            }
            this.workerSaturation = saturation;
            return this;
        }

        /** Whether to append this cluster's usage to the local ledger when it closes; default true. */
        public Builder recordUsage(boolean record) {
            this.recordUsage = record;
            return this;
        }

        /** Starts the scheduler (no workers until {@link SlurmCluster#adapt}); checks every setting first. */
        public SlurmCluster build() {
            return new SlurmCluster(this);
        }
    }
}
