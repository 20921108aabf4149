package dev.burst.slurm;

import dev.burst.BurstException;
import dev.burst.LocalCluster;
import dev.burst.Resources;

import dev.burst.internal.resources.MemorySize;
import dev.burst.internal.scheduler.SchedulerConfig;
import dev.burst.internal.slurm.SlurmSettings;
import dev.burst.internal.slurm.SlurmWorkers;
import dev.burst.internal.transport.BurstAddress;
import dev.burst.spi.AdaptiveDefaults;
import dev.burst.spi.BackendCluster;
import dev.burst.spi.ClusterSpec;
import dev.burst.spi.PoolContext;
import dev.burst.spi.PoolWorker;
import dev.burst.spi.WorkerShape;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

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
public final class SlurmCluster extends BackendCluster {
    private SlurmCluster(Builder b) {
        super(spec(b));
    }

    private static ClusterSpec spec(Builder b) {
        WorkerShape shape = new WorkerShape(b.coresPerWorker, b.memoryPerWorker,
                b.gpusPerWorker > 0 ? Resources.of("gpu", b.gpusPerWorker) : Resources.none());
        String host;
        try {
            host = b.schedulerHost != null ? b.schedulerHost : InetAddress.getLocalHost().getCanonicalHostName();
        } catch (UnknownHostException e) {
            throw new BurstException("cannot start a Slurm cluster: this machine's host name does not resolve ("
                    + e.getMessage() + "); give schedulerHost(...)", e);
        }
        return ClusterSpec.builder("slurm", shape, context -> pool(b, context))
                .description("a Slurm cluster").adaptiveDefaults(AdaptiveDefaults.BATCH)
                .schedulerHost(host)
                .workDirParent(b.workDir != null ? b.workDir : SlurmSettings.defaultWorkDirParent())
                .user(b.user).jobName(b.jobName).recordUsage(b.recordUsage).workerSaturation(b.workerSaturation)
                .workerEntrance(b.workerEntrance)
                .build();
    }

    /** The Slurm pool: job scripts in the cluster's directory, which compute nodes must see. */
    private static SlurmWorkers pool(Builder b, PoolContext context) {
        SlurmSettings.Builder s = SlurmSettings.builder(context.clusterName(), BurstAddress.parse(context.launch().schedulerAddress()),
                        context.launch().tokenFile())
                .partition(b.partition).account(b.account).walltime(b.walltime).workDir(context.workDir())
                .keyStoreDir(context.launch().keyStoreDir())
                .classpath(context.launch().classpath()); // absolute: the job may start in another directory
        if (b.lifetime != null) {
            s.lifetime(b.lifetime);
        }
        b.extraDirectives.forEach(s::extraDirective);
        if (b.slurmBin != null) {
            s.commands(b.slurmBin.resolve("sbatch").toString(), b.slurmBin.resolve("squeue").toString(),
                    b.slurmBin.resolve("scancel").toString());
        }
        return new SlurmWorkers(context.shape(), s.build(), context.events());
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Slurm job ids of the workers submitted and not ended. */
    public List<String> jobIds() {
        List<String> ids = new ArrayList<>();
        for (PoolWorker w : workerPool().workers()) {
            if (!w.backendId().isEmpty()) {
                ids.add(w.backendId());
            }
        }
        return ids;
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
        private dev.burst.spi.WorkerEntrance workerEntrance;
        private Path workDir;
        private Path slurmBin;
        private String jobName = "session";
        private String user = System.getProperty("user.name", "unknown");
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

        /**
         * Workers connect through a gateway's one port ({@link dev.burst.spi.WorkerEntrance}), not to
         * the scheduler's; what a gateway's Slurm clusters do, so compute nodes need only that port.
         */
        public Builder workerEntrance(dev.burst.spi.WorkerEntrance entrance) {
            this.workerEntrance = java.util.Objects.requireNonNull(entrance, "workerEntrance must not be null");
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
            this.jobName = ClusterSpec.checkedLabel(job, "jobName");
            return this;
        }

        /** Root-task queuing, as {@link LocalCluster.Builder#workerSaturation(double)}; default 1.1. */
        public Builder workerSaturation(double saturation) {
            this.workerSaturation = ClusterSpec.checkedSaturation(saturation);
            return this;
        }

        /** Who the cluster belongs to: its usage is accounted to them; default the OS user. */
        public Builder user(String user) {
            this.user = ClusterSpec.checkedLabel(user, "user");
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
