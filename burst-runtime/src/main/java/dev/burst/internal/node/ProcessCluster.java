package dev.burst.internal.node;

import dev.burst.internal.core.ResourceAmounts;
import dev.burst.internal.core.WorkerId;
import dev.burst.internal.runtime.SchedulerEndpoint;
import dev.burst.internal.scheduler.SchedulerConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

/**
 * A cluster of processes on this machine: a {@link SchedulerNode} in this JVM, bound to loopback
 * with TLS and a fresh token, and worker JVMs it starts as child processes. Like a Dask nanny, it
 * restarts a worker process that dies while the cluster is open, so a cluster keeps its size.
 * Closing it stops the workers (asking first, then killing what is left) and deletes its files.
 */
public final class ProcessCluster implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ProcessCluster.class);
    private static final AtomicInteger CLUSTERS = new AtomicInteger();

    /**
     * @param workerClasspath the class path of worker processes; null for this JVM's
     */
    public record Settings(int workers, int threadsPerWorker, ResourceAmounts resources, long memoryPerWorker,
                           SchedulerConfig config, List<Path> workerClasspath, boolean restartDeadWorkers) {
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
    /** A warm worker JVM waiting to replace one that dies (Ray pre-starts workers likewise); guarded by this. */
    private WorkerProcess spare;
    private static final long SPARE_DELAY_MS = 5_000;

    /** A worker process, its log file, and when it ran. */
    public static final class WorkerProcess {
        private final int number;
        private final Process process;
        private final Path log;
        private final long startedNanos;
        private volatile long endedNanos;

        WorkerProcess(int number, Process process, Path log, long startedNanos) {
            this.number = number;
            this.process = process;
            this.log = log;
            this.startedNanos = startedNanos;
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
        this.workDir = Files.createTempDirectory("burst-cluster-");
        try {
            ClusterCredentials credentials = LocalIdentity.credentials(workDir);
            this.tokenFile = credentials.tokenFile();
            this.scheduler = new SchedulerNode("127.0.0.1", 0, credentials, settings.config(), workDir.resolve("scheduler"));
            for (int i = 0; i < settings.workers(); i++) {
                startWorker();
            }
            WorkerProcess firstSpare = settings.restartDeadWorkers() ? startSpare() : null; // warms up as workers connect
            awaitWorkers(settings.workers(), 60);
            if (firstSpare != null) {
                awaitWarm(firstSpare, 30); // so that its start does not compete with the first tasks
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

    private void startWorker() throws IOException {
        WorkerProcess wp = launch(false);
        processes.add(wp);
        wp.process().onExit().thenRun(() -> exited(wp));
    }

    /**
     * Starts a warm spare (when dead workers are replaced): a worker JVM that has paid for its
     * start but not joined, so that a dead worker is replaced in a fraction of a second instead
     * of the two a cold JVM takes here. The first starts with the cluster, which waits until it is
     * warm; a later one {@code delayMs} after the spare before it joined, so that its start does
     * not compete with the recovery it is meant to speed up.
     */
    private void startSpareLater(long delayMs) {
        CompletableFuture.delayedExecutor(delayMs, TimeUnit.MILLISECONDS).execute(this::startSpare);
    }

    private synchronized WorkerProcess startSpare() {
        if (closed || spare != null) {
            return null;
        }
        try {
            WorkerProcess s = launch(true);
            spare = s;
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
        log.info("the spare worker of {} is not warm yet; going on without waiting", name);
    }

    private synchronized void spareExited(WorkerProcess s) {
        if (spare == s) {
            spare = null;
            if (!closed) {
                log.warn("the spare worker of {} exited with code {}; see {}", name, s.process().exitValue(), s.log());
            }
        }
    }

    private WorkerProcess launch(boolean asSpare) throws IOException {
        int number = workerNumbers.incrementAndGet();
        Path logFile = workDir.resolve("worker-" + number + ".log");
        String classpath = settings.workerClasspath() == null ? System.getProperty("java.class.path")
                : settings.workerClasspath().stream().map(Path::toString).collect(Collectors.joining(File.pathSeparator));
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        long heap = Math.max(2 * settings.memoryPerWorker(), settings.memoryPerWorker() + (512L << 20));
        cmd.add("-Xmx" + (heap >> 20) + "m");
        cmd.add("-XX:+UseParallelGC");
        cmd.add("--add-opens=java.base/java.lang.invoke=ALL-UNNAMED");
        cmd.add("--enable-native-access=ALL-UNNAMED");
        String extra = System.getenv("BURST_WORKER_JAVA_OPTS"); // e.g. a profiler or GC flags
        if (extra != null && !extra.isBlank()) {
            cmd.addAll(List.of(extra.trim().replace("{n}", String.valueOf(number)).split("\\s+")));
        }
        cmd.add("-cp");
        cmd.add(classpath);
        cmd.add(WorkerMain.class.getName());
        cmd.addAll(List.of("--scheduler", scheduler.address().toString(), "--token-file", tokenFile.toString(),
                "--threads", String.valueOf(settings.threadsPerWorker()), "--memory", String.valueOf(settings.memoryPerWorker()),
                "--name", name + "-worker-" + number, "--work-dir", workDir.resolve("worker-" + number).toString(),
                "--key-store-dir", tokenFile.getParent().toString()));
        String resources = settings.resources().amounts().entrySet().stream()
                .filter(e -> !e.getKey().equals(ResourceAmounts.CPU))
                .map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(","));
        if (!resources.isEmpty()) {
            cmd.addAll(List.of("--resources", resources));
        }
        if (asSpare) {
            cmd.addAll(List.of("--standby", "true"));
        }
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(logFile.toFile()).start();
        if (!asSpare) {
            p.getOutputStream().close(); // a worker reads nothing from us
        }
        return new WorkerProcess(number, p, logFile, System.nanoTime());
    }

    private synchronized void exited(WorkerProcess wp) {
        wp.endedNanos = System.nanoTime();
        if (closed || !started) {
            return;
        }
        int code = wp.process().exitValue();
        if (code == 0) {
            log.info("worker process {} of {} stopped (retired)", wp.number(), name);
            return; // asked to stop: not replaced
        }
        log.warn("worker process {} of {} exited with code {}{}", wp.number(), name, code,
                settings.restartDeadWorkers() ? "; starting a new one" : "");
        if (settings.restartDeadWorkers()) {
            // A worker that dies within seconds of starting would die again: back off, 1 s doubling to 60 s.
            boolean young = wp.endedNanos - wp.startedNanos() < TimeUnit.SECONDS.toNanos(10);
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
        if (closed) {
            return;
        }
        WorkerProcess s = spare;
        spare = null;
        if (s != null && s.process().isAlive()) {
            try {
                s.process().getOutputStream().write('\n'); // join now
                s.process().getOutputStream().close();
                WorkerProcess promoted = new WorkerProcess(s.number(), s.process(), s.log(), System.nanoTime());
                processes.add(promoted);
                s.process().onExit().thenRun(() -> exited(promoted));
                startSpareLater(SPARE_DELAY_MS);
                return;
            } catch (IOException e) {
                log.warn("the spare worker of {} could not be woken ({}); starting a new worker", name, e.toString());
                s.process().destroyForcibly();
            }
        }
        try {
            startWorker();
        } catch (IOException e) {
            log.error("cannot restart a worker of {}: {}", name, e.toString());
        }
    }

    /**
     * Usage so far: allocated = each worker process's lifetime × its threads; busy and tasks from
     * the workers' heartbeats (up to a second behind).
     */
    public dev.burst.internal.local.InProcessCluster.UsageFigures usage() {
        long now = System.nanoTime();
        long allocated = 0;
        int cores = 0;
        for (WorkerProcess p : processes) {
            long end = p.process().isAlive() ? now : p.endedNanos();
            allocated += (Math.max(end, p.startedNanos()) - p.startedNanos()) * settings.threadsPerWorker();
            if (p.process().isAlive()) {
                cores += settings.threadsPerWorker();
            }
        }
        long busy = 0;
        long cpu = 0;
        long tasks = 0;
        for (SchedulerNode.WorkerFigures f : scheduler.workerFigures()) {
            busy += f.busyNanos();
            cpu += f.cpuNanos();
            tasks += f.tasksRun();
        }
        return new dev.burst.internal.local.InProcessCluster.UsageFigures(cores, allocated, busy, cpu, tasks);
    }

    private static String tail(Path file) {
        try {
            List<String> lines = Files.readAllLines(file);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
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
        if (spare != null) {
            try {
                spare.process().getOutputStream().close(); // end of input: a spare exits
            } catch (IOException e) {
                spare.process().destroyForcibly();
            }
            processes.add(spare); // waited for below like the others
            spare = null;
        }
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
        WorkerMain.deleteTree(workDir);
    }
}
