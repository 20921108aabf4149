package dev.burst.internal.node;

import dev.burst.internal.core.ResourceAmounts;
import dev.burst.internal.cluster.ClusterManager;
import dev.burst.internal.cluster.ManagedWorker;
import dev.burst.internal.cluster.WorkerShape;
import dev.burst.internal.core.WorkerId;
import dev.burst.internal.runtime.SchedulerEndpoint;
import dev.burst.internal.scheduler.SchedulerConfig;
import dev.burst.internal.usage.UsageLedger;
import dev.burst.internal.usage.UsageTotals;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

/**
 * A cluster of processes on this machine: a {@link SchedulerNode} in this JVM, bound to loopback
 * with TLS and a fresh token, and worker JVMs it starts as child processes. It is the local
 * processes backend of {@link ClusterManager}: workers are started and stopped on request (by an
 * adaptive controller), each under a name it joins the scheduler with.
 *
 * <p>Warm spares: a JVM needs about two seconds here to load gRPC, Netty and TLS and join, far
 * longer than the 0.3 s a user waiting for a first result should wait. So the cluster keeps a few
 * <em>spare</em> worker JVMs fully started but not joined (they hold no cores and take no tasks,
 * only memory); a start request promotes a spare, which joins in about 0.2 s, and a new spare is
 * warmed a few seconds later. Ray pre-starts workers likewise.
 *
 * <p>In fixed-size mode (no adaptive controller) it restarts a worker process that dies, like a
 * Dask nanny, backing off when workers keep dying young. In elastic mode a dead worker is reported
 * to the {@link ClusterManager.Listener} instead and the controller decides. Closing it stops the
 * workers (asking first, then killing what is left) and deletes its files.
 */
public final class ProcessCluster implements ClusterManager {
    private static final Logger log = LoggerFactory.getLogger(ProcessCluster.class);
    private static final AtomicInteger CLUSTERS = new AtomicInteger();

    /**
     * @param workerClasspath the class path of worker processes; null for this JVM's
     */
    public record Settings(int workers, int threadsPerWorker, ResourceAmounts resources, long memoryPerWorker,
                           SchedulerConfig config, List<Path> workerClasspath, boolean restartDeadWorkers, int spares,
                           String job) {
    }

    private final String name;
    private final Settings settings;
    private final Path workDir;
    private final SchedulerNode scheduler;
    private final Path tokenFile;
    private final List<WorkerProcess> processes = new CopyOnWriteArrayList<>();
    private final AtomicInteger workerNumbers = new AtomicInteger();
    private volatile boolean closed;
    /** All workers connected once; from then on dead ones are replaced. */
    private volatile boolean started;
    /** Replacements in a row of workers that died young, for the back-off. */
    private int quickDeaths;
    /** Warm worker JVMs waiting to be promoted; guarded by this. */
    private final List<WorkerProcess> spares = new ArrayList<>();
    private final int spareTarget;
    private static final long SPARE_DELAY_MS = 5_000;
    /** Told about workers that fail or end unasked, once a controller manages this cluster. */
    private volatile ClusterManager.Listener listener;
    private final WorkerShape shape;
    private final UsageLedger ledger;
    /** GPU indices held by live worker processes; guarded by this. */
    private final java.util.Set<Integer> devicesInUse = new java.util.HashSet<>();
    /** The machine's GPUs, detected once when a worker first needs some; guarded by this. */
    private List<Integer> machineGpus;

    /** A worker process, its log file, and when it ran. */
    public static final class WorkerProcess {
        private final int number;
        private final String name;
        private final Process process;
        private final Path log;
        private final long startedNanos;
        private volatile long endedNanos;
        /** Asked to stop (retired or cancelled): its exit is not a failure. */
        private volatile boolean stopRequested;

        WorkerProcess(int number, String name, Process process, Path log, long startedNanos) {
            this.number = number;
            this.name = name;
            this.process = process;
            this.log = log;
            this.startedNanos = startedNanos;
        }

        public String name() {
            return name;
        }

        public int number() {
            return number;
        }

        public Process process() {
            return process;
        }

        public Path log() {
            return log;
        }

        long startedNanos() {
            return startedNanos;
        }

        long endedNanos() {
            return endedNanos == 0 ? System.nanoTime() : endedNanos;
        }
    }

    /** Starts the scheduler and the workers; returns once every worker has connected. */
    public ProcessCluster(Settings settings) throws IOException {
        this.name = "burst-processes-" + CLUSTERS.incrementAndGet();
        this.settings = settings;
        // No spares for GPU workers: a spare would hold devices while it waits (or get ones that do not exist).
        this.spareTarget = settings.resources().get("gpu") >= 1 ? 0
                : settings.restartDeadWorkers() || settings.spares() > 0 ? Math.max(1, settings.spares()) : 0;
        Map<String, Double> extra = new java.util.HashMap<>(settings.resources().amounts());
        extra.remove(ResourceAmounts.CPU);
        this.shape = new WorkerShape(settings.threadsPerWorker(), settings.memoryPerWorker(), ResourceAmounts.of(extra));
        this.ledger = UsageLedger.forRun(System.getProperty("user.name", "unknown"), name, settings.job(),
                System.currentTimeMillis(), System.nanoTime());
        this.workDir = Files.createTempDirectory("burst-cluster-");
        try {
            ClusterCredentials credentials = LocalIdentity.credentials(workDir);
            this.tokenFile = credentials.tokenFile();
            this.scheduler = new SchedulerNode("127.0.0.1", 0, credentials, settings.config(), workDir.resolve("scheduler"));
            for (int i = 0; i < settings.workers(); i++) {
                startWorker();
            }
            List<WorkerProcess> firstSpares = new ArrayList<>();
            for (int i = 0; i < spareTarget; i++) { // they warm up as the workers connect
                WorkerProcess s = startSpare();
                if (s != null) {
                    firstSpares.add(s);
                }
            }
            awaitWorkers(settings.workers(), 60);
            for (WorkerProcess s : firstSpares) {
                awaitWarm(s, 30); // so that their start does not compete with the first tasks
            }
            started = true;
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
    }

    public String name() {
        return name;
    }

    public BurstAddress address() {
        return scheduler.address();
    }

    public Path tokenFile() {
        return tokenFile;
    }

    public SchedulerNode scheduler() {
        return scheduler;
    }

    /** A new connection for one client. */
    public SchedulerEndpoint endpoint() {
        if (closed) {
            throw new IllegalStateException("cluster " + name + " is closed");
        }
        return RemoteEndpoint.open(scheduler.address(), ClusterCredentials.fromTokenFile(tokenFile), workDir.resolve("client"));
    }

    /** Worker processes that have not exited (spares excluded). */
    public List<WorkerProcess> workerProcesses() {
        return List.copyOf(processes);
    }

    public List<WorkerId> workerIds() {
        return scheduler.workerIds();
    }

    public boolean isClosed() {
        return closed;
    }

    /** Waits until at least {@code n} workers are connected. */
    public void awaitWorkers(int n, int timeoutSeconds) throws IOException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        while (scheduler.workerIds().size() < n) {
            if (!started) { // a worker that cannot start now will not start on a retry either
                for (WorkerProcess p : processes) {
                    if (!p.process().isAlive()) {
                        throw new IOException("worker process " + p.number() + " exited with code " + p.process().exitValue()
                                + " before connecting; its log ends with:\n" + tail(p.log()));
                    }
                }
            }
            if (System.nanoTime() > deadline) {
                StringBuilder logs = new StringBuilder();
                for (WorkerProcess p : processes) {
                    logs.append("\n--- worker ").append(p.number()).append(" (").append(p.log()).append("):\n").append(tail(p.log()));
                }
                throw new IOException(scheduler.workerIds().size() + " of " + n + " workers connected within "
                        + timeoutSeconds + " s" + logs);
            }
            try {
                Thread.sleep(20); // polling a count set by network threads; nothing to wait on
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while waiting for workers", e);
            }
        }
    }

    private WorkerProcess startWorker() throws IOException {
        WorkerProcess wp = launch(false);
        processes.add(wp);
        ledger.workerStarted(wp.name(), settings.threadsPerWorker(), shape.gpus(), wp.startedNanos());
        wp.process().onExit().thenRun(() -> exited(wp));
        return wp;
    }

    // ---------------------------------------------------------------- ClusterManager

    /** Reports failed and unasked-for ends to {@code listener} from now on, and stops restarting dead workers. */
    public void manageBy(ClusterManager.Listener listener) {
        this.listener = listener;
    }

    @Override
    public WorkerShape shape() {
        return shape;
    }

    /** Starts {@code n} workers, promoting warm spares first; returns their names. */
    @Override
    public synchronized List<String> start(int n) {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < n && !closed; i++) {
            WorkerProcess wp = promoteSpare();
            if (wp == null) {
                try {
                    wp = startWorker();
                } catch (IOException e) {
                    String worker = name + "-worker-" + workerNumbers.get();
                    ClusterManager.Listener l = listener;
                    if (l != null) {
                        l.startFailed(worker, "cannot start a worker process: " + e.getMessage());
                    }
                    log.error("cannot start a worker process for {}: {}", name, e.toString());
                    break;
                }
            }
            names.add(wp.name());
        }
        if (!names.isEmpty() && listener == null) {
            // Fixed size: a dead worker was replaced; warm the next spare once the recovery is over.
            startSpareLater(SPARE_DELAY_MS);
        }
        // Elastic: the spares are warmed again when workers retire (refillSpares), not now: warming a
        // JVM costs ~5 CPU-seconds, which would slow the very burst the spares were promoted for.
        return names;
    }

    /** Asks the named workers to stop (SIGTERM; a retired worker has usually exited already). */
    @Override
    public void stop(java.util.Collection<String> workers) {
        for (WorkerProcess p : processes) {
            if (workers.contains(p.name()) && p.process().isAlive()) {
                p.stopRequested = true;
                p.process().destroy();
            }
        }
    }

    @Override
    public List<ManagedWorker> workers() {
        List<ManagedWorker> out = new ArrayList<>();
        for (WorkerProcess p : processes) {
            if (p.process().isAlive()) {
                out.add(new ManagedWorker(p.name(), p.stopRequested ? ManagedWorker.State.STOPPING : ManagedWorker.State.RUNNING,
                        p.startedNanos(), String.valueOf(p.process().pid())));
            }
        }
        return out;
    }

    /** A warm spare turned into a worker (it joins now), or null when there is none. Holds this. */
    private WorkerProcess promoteSpare() {
        while (!spares.isEmpty()) {
            WorkerProcess s = spares.remove(0);
            if (!s.process().isAlive()) {
                continue;
            }
            try {
                s.process().getOutputStream().write('\n'); // join now
                s.process().getOutputStream().close();
                WorkerProcess promoted = new WorkerProcess(s.number(), s.name(), s.process(), s.log(), System.nanoTime());
                processes.add(promoted);
                ledger.workerStarted(promoted.name(), settings.threadsPerWorker(), shape.gpus(), promoted.startedNanos());
                s.process().onExit().thenRun(() -> exited(promoted));
                return promoted;
            } catch (IOException e) {
                log.warn("a spare worker of {} could not be woken ({}); trying another", name, e.toString());
                s.process().destroyForcibly();
            }
        }
        return null;
    }

    /**
     * Starts a warm spare {@code delayMs} from now, so that its start does not compete with the
     * work that the promoted spare was wanted for.
     */
    private void startSpareLater(long delayMs) {
        CompletableFuture.delayedExecutor(delayMs, TimeUnit.MILLISECONDS).execute(this::startSpare);
    }

    /**
     * Elastic mode: warms spares up to the target once a worker retired (cores are free again), so
     * the next burst finds them ready.
     */
    private void refillSpares() {
        for (int i = 0; i < spareTarget; i++) {
            startSpareLater(SPARE_DELAY_MS / 10 + i * 1000L); // one after the other: each start takes the CPU for a while
        }
    }

    private synchronized WorkerProcess startSpare() {
        if (closed || spares.size() >= spareTarget) {
            return null;
        }
        try {
            WorkerProcess s = launch(true);
            spares.add(s);
            s.process().onExit().thenRun(() -> spareExited(s));
            return s;
        } catch (IOException e) {
            log.warn("cannot start a spare worker for {}: {}", name, e.toString());
            return null;
        }
    }

    /** Waits (at most {@code seconds}) until the spare says it has warmed up; a slow one is not an error. */
    private void awaitWarm(WorkerProcess s, int seconds) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        try {
            while (System.nanoTime() < deadline && s.process().isAlive()) {
                if (Files.exists(s.log()) && Files.readString(s.log()).contains(WorkerMain.STANDBY_READY)) {
                    return;
                }
                Thread.sleep(20); // the spare's log is a file; nothing to wait on
            }
        } catch (IOException e) {
            return;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        log.info("a spare worker of {} is not warm yet; going on without waiting", name);
    }

    private synchronized void spareExited(WorkerProcess s) {
        if (spares.remove(s) && !closed) {
            log.warn("a spare worker of {} exited with code {}; see {}", name, s.process().exitValue(), s.log());
        }
    }

    private WorkerProcess launch(boolean asSpare) throws IOException {
        int number = workerNumbers.incrementAndGet();
        String workerName = name + "-worker-" + number;
        Path logFile = workDir.resolve("worker-" + number + ".log");
        String classpath = settings.workerClasspath() == null ? System.getProperty("java.class.path")
                : settings.workerClasspath().stream().map(Path::toString).collect(Collectors.joining(File.pathSeparator));
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        cmd.addAll(WorkerJvm.options(cmd.get(0), classpath, settings.memoryPerWorker(), String.valueOf(number)));
        cmd.add("-cp");
        cmd.add(classpath);
        cmd.add(WorkerMain.class.getName());
        cmd.addAll(List.of("--scheduler", scheduler.address().toString(), "--token-file", tokenFile.toString(),
                "--threads", String.valueOf(settings.threadsPerWorker()), "--memory", String.valueOf(settings.memoryPerWorker()),
                "--name", workerName, "--work-dir", workDir.resolve("worker-" + number).toString(),
                "--key-store-dir", tokenFile.getParent().toString()));
        String resources = settings.resources().amounts().entrySet().stream()
                .filter(e -> !e.getKey().equals(ResourceAmounts.CPU))
                .map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(","));
        if (!resources.isEmpty()) {
            cmd.addAll(List.of("--resources", resources));
        }
        List<Integer> devices = takeDevices(shape.gpus());
        cmd.addAll(List.of("--gpus", devices.isEmpty() ? "none"
                : devices.stream().map(String::valueOf).collect(Collectors.joining(","))));
        if (asSpare) {
            cmd.addAll(List.of("--standby", "true"));
        }
        Process p;
        try {
            p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(logFile.toFile()).start();
        } catch (IOException e) {
            returnDevices(devices);
            throw e;
        }
        p.onExit().thenRun(() -> returnDevices(devices));
        if (!asSpare) {
            p.getOutputStream().close(); // a worker reads nothing from us
        }
        return new WorkerProcess(number, workerName, p, logFile, System.nanoTime());
    }

    private synchronized void exited(WorkerProcess wp) {
        wp.endedNanos = System.nanoTime();
        ledger.workerStopped(wp.name(), wp.endedNanos);
        processes.remove(wp); // the ledger keeps its account; an elastic cluster would otherwise collect every worker it ever ran
        if (closed || !started) {
            return;
        }
        int code = wp.process().exitValue();
        if (code == 0 || wp.stopRequested) {
            log.info("worker process {} of {} stopped ({})", wp.number(), name, code == 0 ? "retired" : "asked to stop");
            if (listener != null && spares.size() < spareTarget) {
                refillSpares();
            }
            return; // asked to stop: not replaced
        }
        boolean young = wp.endedNanos - wp.startedNanos() < TimeUnit.SECONDS.toNanos(10);
        ClusterManager.Listener l = listener;
        if (l != null) { // elastic: the controller decides whether to replace it
            String why = "worker process " + wp.name() + " exited with code " + code + "; its log ends with:\n" + tail(wp.log(), 10);
            if (young) {
                l.startFailed(wp.name(), why);
            } else {
                l.workerEnded(wp.name(), why);
            }
            return;
        }
        log.warn("worker process {} of {} exited with code {}{}", wp.number(), name, code,
                settings.restartDeadWorkers() ? "; starting a new one" : "");
        if (settings.restartDeadWorkers()) {
            // A worker that dies within seconds of starting would die again: back off, 1 s doubling to 60 s.
            quickDeaths = young ? quickDeaths + 1 : 0;
            long delayMs = quickDeaths <= 1 ? 0 : Math.min(60_000, 1000L << Math.min(quickDeaths - 2, 6));
            if (delayMs > 0) {
                log.warn("worker processes of {} keep dying young ({} in a row; see {}); next start in {} s",
                        name, quickDeaths, wp.log(), delayMs / 1000);
            }
            CompletableFuture.delayedExecutor(delayMs, TimeUnit.MILLISECONDS).execute(this::replace);
        }
    }

    private synchronized void replace() {
        if (closed || listener != null) {
            return;
        }
        start(1);
    }

    /**
     * Hands a worker process {@code n} GPU indices no other live worker process of this cluster
     * holds: the machine's GPUs (nvidia-smi or CUDA_VISIBLE_DEVICES) when it has enough, otherwise
     * the lowest free numbers (a machine without GPUs, where {@code gpu} is only a label). Without
     * this every worker would hand out the same devices and two tasks could share one GPU.
     */
    private synchronized List<Integer> takeDevices(int n) {
        if (n <= 0) {
            return List.of();
        }
        if (machineGpus == null) {
            machineGpus = GpuDetection.detect();
        }
        List<Integer> out = new ArrayList<>();
        for (int d : machineGpus) {
            if (out.size() < n && !devicesInUse.contains(d)) {
                out.add(d);
            }
        }
        for (int d = 0; out.size() < n; d++) {
            if (!devicesInUse.contains(d) && !out.contains(d) && (machineGpus.isEmpty() || !machineGpus.contains(d))) {
                out.add(d);
            }
        }
        if (!machineGpus.isEmpty() && !machineGpus.containsAll(out)) {
            log.warn("{}: this machine has GPUs {} but worker processes ask for more; some get device numbers {} that do not exist",
                    name, machineGpus, out);
        }
        devicesInUse.addAll(out);
        return out;
    }

    private synchronized void returnDevices(List<Integer> devices) {
        devicesInUse.removeAll(devices);
    }

    /**
     * The usage ledger so far: allocated = each worker process's life (from its start, or its
     * promotion from spare) × its threads; busy, tasks and spilled bytes from the workers'
     * heartbeats and finished-task reports (up to a second behind). Spares are not workers: they
     * hold memory but no cores and are not counted.
     */
    public UsageTotals usage() {
        scheduler.reportFigures(ledger);
        return ledger.totals(System.nanoTime());
    }

    /** Cores of the worker processes alive now. */
    public int cores() {
        int cores = 0;
        for (WorkerProcess p : processes) {
            if (p.process().isAlive() && !p.stopRequested) {
                cores += settings.threadsPerWorker();
            }
        }
        return cores;
    }

    private static String tail(Path file) {
        return tail(file, 30);
    }

    static String tail(Path file, int n) {
        try {
            List<String> lines = Files.readAllLines(file);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - n), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    /** Stops the scheduler and every worker process, then deletes the cluster's files. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (scheduler != null) {
            scheduler.close(); // asks connected workers to stop
        }
        for (WorkerProcess s : spares) {
            try {
                s.process().getOutputStream().close(); // end of input: a spare exits
            } catch (IOException e) {
                s.process().destroyForcibly();
            }
            processes.add(s); // waited for below like the others
        }
        spares.clear();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        for (WorkerProcess p : processes) {
            try {
                if (!p.process().waitFor(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                    log.warn("worker process {} did not stop within 5 s; killing it", p.number());
                    p.process().destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                p.process().destroyForcibly();
            }
        }
        if (scheduler != null) {
            usage(); // the final figures
        }
        ledger.allWorkersStopped(System.nanoTime());
        WorkerMain.deleteTree(workDir);
    }
}
