package dev.burst.internal.slurm;

import dev.burst.internal.transport.BurstAddress;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How {@link SlurmWorkers} submits its workers: the batch job's directives, the worker's command
 * line, where job scripts and logs go, and which Slurm commands to run. Build one with
 * {@link #builder(String, BurstAddress, Path)}; every value is checked when it is built, and a bad
 * one is named in the message.
 *
 * @param clusterName     names the jobs ({@code <clusterName>-worker-<n>}) and the default work dir
 * @param partition       {@code --partition}; empty for the cluster's default partition
 * @param account         {@code --account}; empty to leave it out
 * @param walltime        {@code --time} as {@code [D-]HH:MM:SS}
 * @param lifetime        how long a worker may run before the adaptive controller should retire it
 *                        (see {@link SlurmWorkers#retireAfterNanos}); below the walltime, so that
 *                        retiring (moving its results away) ends before Slurm kills the job
 * @param lifetimeStagger each worker's lifetime is shortened by a different part of this, so that
 *                        workers started together do not all retire at once
 * @param extraDirectives more {@code #SBATCH} options, verbatim (e.g. {@code --qos=low})
 * @param scheduler       the address workers connect to (must be reachable from compute nodes)
 * @param tokenFile       the cluster's token file, on a file system the compute nodes share
 * @param keyStoreDir     where the cluster's TLS identity is (shared), or null to let workers ask
 *                        the scheduler for it
 * @param javaCommand     the {@code java} to run on compute nodes
 * @param javaOptions     JVM options added after the ones derived from the worker's shape
 * @param classpath       the workers' class path, as one {@code :}-separated string
 * @param workDir         where job scripts and worker logs are written (shared with compute nodes)
 * @param sbatch          the {@code sbatch} command (a name looked up on PATH, or a path)
 * @param squeue          the {@code squeue} command
 * @param scancel         the {@code scancel} command
 * @param pollInterval    how often {@code squeue} is asked about the jobs
 */
public record SlurmSettings(String clusterName, String partition, String account, String walltime,
                            Duration lifetime, Duration lifetimeStagger, List<String> extraDirectives,
                            BurstAddress scheduler, Path tokenFile, Path keyStoreDir,
                            String javaCommand, List<String> javaOptions, String classpath, Path workDir,
                            String sbatch, String squeue, String scancel, Duration pollInterval) {

    private static final Pattern WALLTIME = Pattern.compile("(?:(\\d+)-)?(\\d{1,4}):(\\d{2}):(\\d{2})");
    private static final Pattern CLUSTER_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}");

    public SlurmSettings {
        requireMatch(clusterName, CLUSTER_NAME, "cluster name", "letters, digits, '_', '.', '-' (at most 64)");
        Objects.requireNonNull(partition, "partition (empty for the default partition)");
        Objects.requireNonNull(account, "account (empty for none)");
        if (!partition.isEmpty() && !partition.matches("[A-Za-z0-9_.,-]+")) {
            throw new IllegalArgumentException("Slurm partition '" + partition + "' is not a partition name");
        }
        if (!account.isEmpty() && !account.matches("[A-Za-z0-9_.-]+")) {
            throw new IllegalArgumentException("Slurm account '" + account + "' is not an account name");
        }
        Duration wall = parseWalltime(walltime);
        Objects.requireNonNull(lifetime, "lifetime");
        Objects.requireNonNull(lifetimeStagger, "lifetimeStagger");
        if (lifetime.isNegative() || lifetime.isZero() || lifetime.compareTo(wall) >= 0) {
            throw new IllegalArgumentException("worker lifetime " + lifetime + " must be > 0 and below the walltime "
                    + walltime + " (the worker must retire before Slurm kills it)");
        }
        if (lifetimeStagger.isNegative() || lifetimeStagger.compareTo(lifetime) >= 0) {
            throw new IllegalArgumentException("lifetime stagger " + lifetimeStagger + " must be >= 0 and below the lifetime " + lifetime);
        }
        extraDirectives = List.copyOf(extraDirectives);
        for (String d : extraDirectives) {
            if (!d.startsWith("-") || d.contains("\n") || d.contains("\r")) {
                throw new IllegalArgumentException("extra #SBATCH directive '" + d + "' must be one option starting with '-' (e.g. --qos=low)");
            }
        }
        Objects.requireNonNull(scheduler, "scheduler address");
        Objects.requireNonNull(tokenFile, "token file");
        requireNonBlank(javaCommand, "java command");
        javaOptions = List.copyOf(javaOptions);
        requireNonBlank(classpath, "worker class path");
        Objects.requireNonNull(workDir, "work dir");
        // the work dir appears in #SBATCH --output, where whitespace ends the option and % is a pattern
        if (workDir.toString().matches(".*[\\s%].*")) {
            throw new IllegalArgumentException("Slurm work dir '" + workDir + "' must not contain whitespace or '%'");
        }
        requireNonBlank(sbatch, "sbatch command");
        requireNonBlank(squeue, "squeue command");
        requireNonBlank(scancel, "scancel command");
        Objects.requireNonNull(pollInterval, "poll interval");
        if (pollInterval.toMillis() < 10) {
            throw new IllegalArgumentException("poll interval must be >= 10 ms, got " + pollInterval);
        }
    }

    /** The walltime as a duration. */
    public Duration walltimeDuration() {
        return parseWalltime(walltime);
    }

    /**
     * {@code [D-]HH:MM:SS} (minutes and seconds below 60) as a duration.
     *
     * @throws IllegalArgumentException naming the bad value
     */
    public static Duration parseWalltime(String walltime) {
        Objects.requireNonNull(walltime, "walltime");
        Matcher m = WALLTIME.matcher(walltime);
        if (!m.matches()) {
            throw new IllegalArgumentException("Slurm walltime '" + walltime + "' is not HH:MM:SS (or D-HH:MM:SS)");
        }
        long days = m.group(1) == null ? 0 : Long.parseLong(m.group(1));
        long h = Long.parseLong(m.group(2));
        long min = Long.parseLong(m.group(3));
        long s = Long.parseLong(m.group(4));
        if (min >= 60 || s >= 60) {
            throw new IllegalArgumentException("Slurm walltime '" + walltime + "' has minutes or seconds above 59");
        }
        Duration d = Duration.ofDays(days).plusHours(h).plusMinutes(min).plusSeconds(s);
        if (d.isZero()) {
            throw new IllegalArgumentException("Slurm walltime '" + walltime + "' is zero");
        }
        return d;
    }

    /**
     * The default lifetime: the walltime less a margin for retiring, 10% of it but at most 5
     * minutes (a 1-hour job retires from 55 min, a 10-minute one from 9 min, a day-long one 5
     * minutes before its end). Moving a worker's results takes seconds; the margin also covers a
     * slow scheduler poll and the stagger.
     */
    public static Duration defaultLifetime(Duration walltime) {
        Duration margin = walltime.dividedBy(10);
        return walltime.minus(margin.compareTo(Duration.ofMinutes(5)) > 0 ? Duration.ofMinutes(5) : margin);
    }

    /** The default stagger: a tenth of the lifetime, at most 5 minutes. */
    public static Duration defaultStagger(Duration lifetime) {
        Duration tenth = lifetime.dividedBy(10);
        return tenth.compareTo(Duration.ofMinutes(5)) > 0 ? Duration.ofMinutes(5) : tenth;
    }

    /** Where clusters' directories go by default: {@code ~/.burst/slurm} (home is shared on most clusters). */
    public static Path defaultWorkDirParent() {
        return dev.burst.BurstDirectories.fromEnvironment().slurm();
    }

    /** The default work dir: {@code ~/.burst/slurm/<clusterName>} (home is shared on most clusters). */
    public static Path defaultWorkDir(String clusterName) {
        return defaultWorkDirParent().resolve(clusterName);
    }

    /**
     * Settings with defaults: default partition, no account, walltime 01:00:00 (lifetime and
     * stagger derived from it), no extra directives, this JVM's {@code java} and class path,
     * {@link #defaultWorkDir}, {@code sbatch}/{@code squeue}/{@code scancel} from PATH, polling
     * every 200 ms.
     */
    public static Builder builder(String clusterName, BurstAddress scheduler, Path tokenFile) {
        return new Builder(clusterName, scheduler, tokenFile);
    }

    /** Builds {@link SlurmSettings}; unset values get the defaults listed at {@link #builder}. */
    public static final class Builder {
        private final String clusterName;
        private final BurstAddress scheduler;
        private final Path tokenFile;
        private String partition = "";
        private String account = "";
        private String walltime = "01:00:00";
        private Duration lifetime;
        private Duration lifetimeStagger;
        private final List<String> extraDirectives = new ArrayList<>();
        private Path keyStoreDir;
        private String javaCommand = ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        private final List<String> javaOptions = new ArrayList<>();
        private String classpath = System.getProperty("java.class.path");
        private Path workDir;
        private String sbatch = "sbatch";
        private String squeue = "squeue";
        private String scancel = "scancel";
        private Duration pollInterval = Duration.ofMillis(200);

        private Builder(String clusterName, BurstAddress scheduler, Path tokenFile) {
            this.clusterName = clusterName;
            this.scheduler = scheduler;
            this.tokenFile = tokenFile;
        }

        public Builder partition(String partition) {
            this.partition = partition;
            return this;
        }

        public Builder account(String account) {
            this.account = account;
            return this;
        }

        public Builder walltime(String walltime) {
            this.walltime = walltime;
            return this;
        }

        public Builder lifetime(Duration lifetime) {
            this.lifetime = lifetime;
            return this;
        }

        public Builder lifetimeStagger(Duration stagger) {
            this.lifetimeStagger = stagger;
            return this;
        }

        public Builder extraDirective(String directive) {
            this.extraDirectives.add(directive);
            return this;
        }

        public Builder keyStoreDir(Path dir) {
            this.keyStoreDir = dir;
            return this;
        }

        public Builder javaCommand(String java) {
            this.javaCommand = java;
            return this;
        }

        public Builder javaOption(String option) {
            this.javaOptions.add(option);
            return this;
        }

        public Builder classpath(String classpath) {
            this.classpath = classpath;
            return this;
        }

        public Builder workDir(Path dir) {
            this.workDir = dir;
            return this;
        }

        /** The three Slurm commands at once, e.g. {@code /usr/bin/sbatch} (tests: fakes). */
        public Builder commands(String sbatch, String squeue, String scancel) {
            this.sbatch = sbatch;
            this.squeue = squeue;
            this.scancel = scancel;
            return this;
        }

        public Builder pollInterval(Duration interval) {
            this.pollInterval = interval;
            return this;
        }

        public SlurmSettings build() {
            Duration wall = parseWalltime(walltime);
            Duration life = lifetime != null ? lifetime : defaultLifetime(wall);
            Duration stagger = lifetimeStagger != null ? lifetimeStagger : defaultStagger(life);
            return new SlurmSettings(clusterName, partition, account, walltime, life, stagger, extraDirectives,
                    scheduler, tokenFile, keyStoreDir, javaCommand, javaOptions, classpath,
                    workDir != null ? workDir : defaultWorkDir(Objects.requireNonNull(clusterName, "cluster name")),
                    sbatch, squeue, scancel, pollInterval);
        }
    }

    private static void requireNonBlank(String value, String what) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(what + " must not be empty");
        }
    }

    private static void requireMatch(String value, Pattern pattern, String what, String expected) {
        if (value == null || !pattern.matcher(value).matches()) {
            throw new IllegalArgumentException(what + " '" + value + "' must be " + expected);
        }
    }
}
