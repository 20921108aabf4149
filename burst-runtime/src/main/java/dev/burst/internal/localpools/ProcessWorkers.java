package dev.burst.internal.localpools;

import dev.burst.internal.resources.GpuDetection;
import dev.burst.internal.workerprocess.WorkerMain;
import dev.burst.spi.PoolContext;
import dev.burst.spi.PoolWorker;
import dev.burst.spi.WorkerPool;
import dev.burst.spi.WorkerShape;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

/**
 * The local-processes pool: each worker a child JVM of this one ({@link dev.burst.spi.WorkerLaunch}),
 * started and stopped on request, each under a name it joins the scheduler with.
 *
 * <p>Warm spares: a JVM needs about two seconds here to load gRPC, Netty and TLS and join, far
 * longer than the 0.3 s a user waiting for a first result should wait. So the pool keeps a few
 * <em>spare</em> worker JVMs fully started but not joined (they hold no cores and take no tasks,
 * only memory); a start request promotes a spare, which joins in about 0.2 s, and a new spare is
 * warmed a few seconds later. Ray pre-starts workers likewise. Spares are not workers: they are not
 * reported as running, so the ledger does not count them.
 *
 * <p>Until the cluster adapts, it restarts a worker process that dies, like a Dask nanny, backing
 * off when workers keep dying young. Once it adapts, a dead worker is only reported and the
 * controller decides. Closing it stops the workers (asking first, then killing what is left).
 */
public final class ProcessWorkers implements WorkerPool {
    private static final Logger log = LoggerFactory.getLogger(ProcessWorkers.class);
    private static final long SPARE_DELAY_MS = 5_000;

    /**
     * @param spares             warm spare JVMs to keep (none for GPU workers: a spare would hold devices while it waits)
     * @param restartDeadWorkers whether a dead worker is replaced while the cluster does not adapt (once started)
     * @param freshFirst         how many workers to start as new JVMs before spares are promoted: a
     *                           cluster's first workers start beside its spares; promoting a spare
     *                           for them would only start another JVM later, in the middle of the work
     */
    public record Settings(int spares, boolean restartDeadWorkers, int freshFirst) {
    }

    private final PoolContext context;
    private final Settings settings;
    private final WorkerShape shape;
    private final List<WorkerProcess> processes = new CopyOnWriteArrayList<>();
    private final AtomicInteger workerNumbers = new AtomicInteger();
    private final int spareTarget;
    /** Warm worker JVMs waiting to be promoted; guarded by this. */
    private final List<WorkerProcess> spares = new ArrayList<>();
    /** The first spares, awaited by {@link #initialWorkersJoined}. */
    private final List<WorkerProcess> firstSpares = new ArrayList<>();
    /** GPU indices held by live worker processes; guarded by this. */
    private final Set<Integer> devicesInUse = new HashSet<>();
    /** The machine's GPUs, detected once when a worker first needs some; guarded by this. */
    private List<Integer> machineGpus;
    /** Replacements in a row of workers that died young, for the back-off; guarded by this. */
    private int quickDeaths;
    private volatile boolean elastic;
    private volatile boolean closed;
    /** The cluster's start is over ({@link #initialWorkersJoined}): dead workers may be replaced from now on. */
    private volatile boolean started;
    /** Workers started as new JVMs so far, against {@link Settings#freshFirst}; guarded by this. */
    private int freshStarted;

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
    }

    /** Makes the pool and starts warming its first spares (they warm while the first workers start). */
    public ProcessWorkers(PoolContext context, Settings settings) {
        this.context = context;
        this.settings = settings;
        this.shape = context.shape();
        this.spareTarget = shape.gpus() >= 1 ? 0 : settings.spares();
        for (int i = 0; i < spareTarget; i++) {
            WorkerProcess s = startSpare();
            if (s != null) {
                firstSpares.add(s);
            }
        }
    }

    /**
     * The cluster's first workers have joined: waits (a bounded time) until the first spares have
     * warmed up, so that their start does not compete with the first tasks, and from now on replaces
     * workers that die (a worker that dies while the cluster starts fails the start instead).
     */
    @Override
    public void initialWorkersJoined() {
        for (WorkerProcess s : firstSpares) {
            awaitWarm(s, 30);
        }
        firstSpares.clear();
        started = true;
    }

    /** Worker processes that have not exited (spares excluded). */
    public List<WorkerProcess> workerProcesses() {
        return List.copyOf(processes);
    }

    @Override
    public WorkerShape shape() {
        return shape;
    }

    @Override
    public void adaptiveStarted() {
        elastic = true;
    }

    /** Starts {@code n} workers, promoting warm spares first; returns their names. */
    @Override
    public synchronized List<String> start(int n) {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < n && !closed; i++) {
            WorkerProcess wp = freshStarted < settings.freshFirst() ? null : promoteSpare();
            if (wp == null) {
                freshStarted++;
                try {
                    wp = launch(false);
                    running(wp);
                } catch (IOException e) {
                    String worker = context.clusterName() + "-worker-" + workerNumbers.get();
                    log.error("cannot start a worker process for {}: {}", context.clusterName(), e.toString());
                    context.events().startFailed(worker, "cannot start a worker process: " + e.getMessage());
                    break;
                }
            }
            names.add(wp.name());
        }
        if (!names.isEmpty() && !elastic) {
            // Fixed size: a dead worker was replaced; warm the next spare once the recovery is over.
            startSpareLater(SPARE_DELAY_MS);
        }
        // Elastic: the spares are warmed again when workers retire (refillSpares), not now: warming a
        // JVM costs ~5 CPU-seconds, which would slow the very burst the spares were promoted for.
        return names;
    }

    private void running(WorkerProcess wp) {
        processes.add(wp);
        context.events().workerRunning(wp.name(), wp.startedNanos);
        wp.process().onExit().thenRun(() -> exited(wp));
    }

    /** Asks the named workers to stop (SIGTERM; a retired worker has usually exited already). */
    @Override
    public void stop(Collection<String> workers) {
        for (WorkerProcess p : processes) {
            if (workers.contains(p.name()) && p.process().isAlive()) {
                p.stopRequested = true;
                p.process().destroy();
            }
        }
    }

    @Override
    public List<PoolWorker> workers() {
        List<PoolWorker> out = new ArrayList<>();
        for (WorkerProcess p : processes) {
            if (p.process().isAlive()) {
                out.add(new PoolWorker(p.name(), p.stopRequested ? PoolWorker.State.STOPPING : PoolWorker.State.RUNNING,
                        p.startedNanos, String.valueOf(p.process().pid())));
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
                WorkerProcess promoted = new WorkerProcess(s.number(), s.name(), s.process(), s.log(), context.ticker().nanos());
                running(promoted);
                return promoted;
            } catch (IOException e) {
                log.warn("a spare worker of {} could not be woken ({}); trying another", context.clusterName(), e.toString());
                s.process().destroyForcibly();
            }
        }
        return null;
    }

    /** Starts a warm spare {@code delayMs} from now, so its start does not compete with the work the promoted spare was wanted for. */
    private void startSpareLater(long delayMs) {
        CompletableFuture.delayedExecutor(delayMs, TimeUnit.MILLISECONDS).execute(this::startSpare);
    }

    /** Elastic: warms spares up to the target once a worker retired (cores are free again), so the next burst finds them ready. */
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
            log.warn("cannot start a spare worker for {}: {}", context.clusterName(), e.toString());
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
        log.info("a spare worker of {} is not warm yet; going on without waiting", context.clusterName());
    }

    private synchronized void spareExited(WorkerProcess s) {
        if (spares.remove(s) && !closed) {
            // Its log is in the cluster's directory, deleted when the cluster closes: quote it, do not point at it.
            log.warn("a spare worker of {} exited with code {}; its log ends with:\n{}", context.clusterName(),
                    s.process().exitValue(), tail(s.log(), 10));
        }
    }

    private WorkerProcess launch(boolean asSpare) throws IOException {
        int number = workerNumbers.incrementAndGet();
        String workerName = context.clusterName() + "-worker-" + number;
        Path logFile = context.workDir().resolve("worker-" + number + ".log");
        List<String> cmd = new ArrayList<>(context.launch().command(workerName, context.workDir().resolve("worker-" + number)));
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
        return new WorkerProcess(number, workerName, p, logFile, context.ticker().nanos());
    }

    private synchronized void exited(WorkerProcess wp) {
        wp.endedNanos = context.ticker().nanos();
        context.events().workerStopped(wp.name(), wp.endedNanos);
        processes.remove(wp); // the ledger keeps its account; an elastic cluster would otherwise collect every worker it ever ran
        if (closed) {
            return;
        }
        int code = wp.process().exitValue();
        if (code == 0 || wp.stopRequested) {
            log.info("worker process {} of {} stopped ({})", wp.number(), context.clusterName(), code == 0 ? "retired" : "asked to stop");
            if (elastic && spares.size() < spareTarget) {
                refillSpares();
            }
            return; // asked to stop: not replaced
        }
        boolean young = wp.endedNanos - wp.startedNanos < TimeUnit.SECONDS.toNanos(10);
        String why = "worker process " + wp.name() + " exited with code " + code + "; its log ends with:\n"
                + tail(wp.log(), started ? 10 : 30);
        if (young) {
            context.events().startFailed(wp.name(), why);
        } else {
            context.events().workerEnded(wp.name(), why);
        }
        if (elastic || !settings.restartDeadWorkers() || !started) {
            return; // the controller decides whether to replace it; during the start, the start fails
        }
        // A worker that dies within seconds of starting would die again: back off, 1 s doubling to 60 s.
        quickDeaths = young ? quickDeaths + 1 : 0;
        long delayMs = quickDeaths <= 1 ? 0 : Math.min(60_000, 1000L << Math.min(quickDeaths - 2, 6));
        log.warn("worker process {} of {} exited with code {}; starting a new one{}", wp.number(), context.clusterName(), code,
                delayMs == 0 ? "" : " in " + delayMs / 1000 + " s (" + quickDeaths + " died young in a row; see " + wp.log() + ")");
        CompletableFuture.delayedExecutor(delayMs, TimeUnit.MILLISECONDS).execute(this::replace);
    }

    private synchronized void replace() {
        if (closed || elastic) {
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
                    context.clusterName(), machineGpus, out);
        }
        devicesInUse.addAll(out);
        return out;
    }

    private synchronized void returnDevices(List<Integer> devices) {
        devicesInUse.removeAll(devices);
    }

    static String tail(Path file, int n) {
        try {
            List<String> lines = Files.readAllLines(file);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - n), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    /**
     * Stops every worker process: spares get end of input, workers (asked to stop by the scheduler's
     * close) get 5 s, then are killed. Idempotent.
     */
    @Override
    public void close() {
        List<WorkerProcess> waitFor;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            for (WorkerProcess s : spares) {
                try {
                    s.process().getOutputStream().close(); // end of input: a spare exits
                } catch (IOException e) {
                    s.process().destroyForcibly();
                }
            }
            waitFor = new ArrayList<>(processes);
            waitFor.addAll(spares);
            spares.clear();
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        for (WorkerProcess p : waitFor) {
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
    }
}
