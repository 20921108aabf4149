package dev.burst.internal.cli;

import dev.burst.Client;
import dev.burst.ClusterStatus;
import dev.burst.ClusterUsage;
import dev.burst.LocalCluster;
import dev.burst.TaskFuture;
import dev.burst.TaskOptions;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

import dev.burst.BurstDirectories;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;

/**
 * {@code burst demo}: a CPU-bound job (Monte-Carlo π) split into many tasks on the embedded
 * cluster, with a progress bar, then the figures that matter: wall time, CPU-seconds, speedup over
 * one core (measured by running some of the same tasks on one core first) and efficiency.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Run a CPU-bound Monte-Carlo job on a local cluster (in-process, or worker processes with "
                + "--processes) and report speedup and efficiency.")
final class DemoCommand implements Callable<Integer> {
    /** Target length of one task; long enough that scheduling cost is invisible, short enough to balance. */
    private static final double TASK_SECONDS = 0.25;
    /** A speedup this much above the worker count is measurement noise; beyond it, a disturbed baseline. */
    private static final double SPEEDUP_NOISE = 1.05;
    /** The tasks' name on the dashboard and in the ledger (a lambda's own would read {@code call.lambda1}). */
    static final TaskOptions TASKS = TaskOptions.builder().name("monte-carlo-pi").build();

    @Spec
    CommandSpec spec;

    @Option(names = "--cpu-seconds", description = "Total work, in one-core seconds (default: ${DEFAULT-VALUE}).")
    double cpuSeconds = 60;

    @Option(names = "--workers", description = "Workers in the pool, one thread each (default: all cores, ${DEFAULT-VALUE}).")
    int workers = Runtime.getRuntime().availableProcessors();

    @Option(names = "--tasks", description = "Number of tasks (default: about one per 0.25 one-core seconds).")
    Integer tasks;

    @Option(names = "--no-progress", description = "Do not draw the progress bar.")
    boolean noProgress;

    @Option(names = "--processes", description = "Run each worker in a JVM of its own, connected over TLS on loopback.")
    boolean processes;

    @Option(names = "--scheduler", description = "Run on the running cluster of this scheduler (burst://host:port) "
            + "instead of starting one; --workers is then only used to size the job.")
    String scheduler;

    @Override
    public Integer call() throws Exception {
        if (!(cpuSeconds > 0) || Double.isInfinite(cpuSeconds)) {
            throw new ParameterException(spec.commandLine(), "--cpu-seconds must be a number > 0, got " + cpuSeconds);
        }
        if (workers < 1) {
            throw new ParameterException(spec.commandLine(), "--workers must be >= 1, got " + workers);
        }
        if (tasks != null && tasks < 1) {
            throw new ParameterException(spec.commandLine(), "--tasks must be >= 1, got " + tasks);
        }
        PrintStream out = System.out;
        int taskCount = tasks != null ? tasks : (int) Math.max(workers * 4L, Math.round(cpuSeconds / TASK_SECONDS));

        // 1. How fast is one core? Calibrate samples per second, then time real tasks serially.
        double samplesPerSecond = calibrate();
        long samplesPerTask = Math.max(1000, (long) (samplesPerSecond * cpuSeconds / taskCount));
        int baselineTasks = (int) Math.min(taskCount, Math.max(2, Math.ceil(Math.min(3.0, cpuSeconds * 0.05) / (cpuSeconds / taskCount))));
        out.printf("burst demo: Monte-Carlo estimate of pi, %d tasks x %,d samples (about %.0f one-core seconds of work)%n",
                taskCount, samplesPerTask, cpuSeconds);
        Baseline baseline = Baseline.measure(baselineTasks, samplesPerTask);
        double oneCorePerTask = baseline.secondsPerTask();
        double oneCoreEstimate = oneCorePerTask * taskCount;
        out.printf("one-core baseline: %d tasks run one after another on one core: %.3f s per task -> %.1f s for the whole job%s%n",
                baselineTasks, oneCorePerTask, oneCoreEstimate, baseline.disturbed()
                        ? String.format(" (disturbed: the thread had the CPU %.0f%% of the time)", 100 * baseline.cpuShare()) : "");

        // 2. The same job on the cluster.
        List<Long> seeds = new ArrayList<>(taskCount);
        for (long i = 0; i < taskCount; i++) {
            seeds.add(i);
        }
        long hits = 0;
        double wall;
        ClusterUsage usage;
        long n = samplesPerTask;
        LocalCluster cluster = null;
        Client client;
        RunReport report = new RunReport();
        if (scheduler != null) {
            client = Client.connect(scheduler);
            out.printf("cluster: the workers of the scheduler at %s%n", scheduler);
        } else {
            out.printf("starting %d %s x 1 thread...%n", workers, processes ? "worker processes" : "in-process workers");
            cluster = LocalCluster.builder().workers(workers).threadsPerWorker(1).processes(processes).jobName("demo").build();
            try {
                client = Client.connect(cluster);
            } catch (RuntimeException e) {
                cluster.close();
                throw e;
            }
            out.printf("cluster: %s%n", cluster.address().map(a -> workers + " worker processes, scheduler at " + a)
                    .orElse(workers + " in-process workers"));
            cluster.dashboardUrl().ifPresent(u -> out.printf("dashboard: %s (live while the demo runs; a report stays after it)%n", u));
            cluster.addListener(report);
        }
        try (LocalCluster owned = cluster; Client c = client) {
            long t0 = System.nanoTime();
            List<TaskFuture<Long>> futures = c.map(seed -> MonteCarloPi.hits(seed, n), seeds, TASKS);
            try (ProgressBar bar = progressBar(taskCount);
                 StatusPoller progress = bar == null || owned == null ? null : new StatusPoller(owned, st -> {
                     ClusterStatus.Progress p = st.total();
                     bar.stepTo(p.done() + p.erred());
                     bar.setExtraMessage(" " + StatusPoller.describe(st));
                 })) {
                for (TaskFuture<Long> f : c.asCompleted(futures)) {
                    try {
                        hits += f.get();
                    } catch (ExecutionException e) {
                        throw new IllegalStateException("task " + f.key() + " failed", e.getCause());
                    }
                    if (bar != null && progress == null) {
                        bar.step(); // a scheduler given by address: no cluster status here
                    }
                }
            }
            wall = (System.nanoTime() - t0) / 1e9;
            usage = owned == null ? null : owned.usage();
        }
        double pi = 4.0 * hits / ((double) n * taskCount);
        Map<String, String> summary = new LinkedHashMap<>();
        out.println();
        line(out, summary, "result", String.format("pi ~ %.6f (error %.2e, %,d samples)", pi, Math.abs(pi - Math.PI), n * taskCount));
        line(out, summary, "wall time", String.format("%.2f s", wall));
        if (usage != null) {
            line(out, summary, "cpu time", String.format("%.1f CPU-seconds used by the worker threads (%d tasks)", usage.cpuSeconds(),
                    usage.tasks()));
        }
        int cores = scheduler == null ? workers : Integer.MAX_VALUE;
        double speedup = oneCoreEstimate / wall;
        if (speedup > cores * SPEEDUP_NOISE) {
            // More than the cores can give: the baseline ran slow (something else had the CPU, or the
            // JIT had not settled). Measure it again now, with the cluster gone and the code warm.
            Baseline again = Baseline.measure(baselineTasks, samplesPerTask);
            if (again.secondsPerTask() < oneCorePerTask) {
                out.printf("one-core baseline, measured again after the run: %.3f s per task (first %.3f s)%n",
                        again.secondsPerTask(), oneCorePerTask);
                oneCorePerTask = again.secondsPerTask();
                oneCoreEstimate = oneCorePerTask * taskCount;
                speedup = oneCoreEstimate / wall;
            }
        }
        if (speedup > cores * SPEEDUP_NOISE) {
            line(out, summary, "speedup", String.format("not shown: %.2fx on %d workers cannot be; the one-core baseline was disturbed."
                            + " Raw figures: %.3f s per task alone, one-core estimate %.1f s, wall %.2f s%s",
                    speedup, workers, oneCorePerTask, oneCoreEstimate, wall, usage == null ? ""
                            : String.format(", %.3f CPU-s per task on the workers", usage.cpuSeconds() / Math.max(1, usage.tasks()))));
        } else {
            line(out, summary, "speedup", String.format("%.2fx over one core (one-core estimate %.1f s / wall %.2f s)%s",
                    speedup, oneCoreEstimate, wall, scheduler == null ? ", on " + workers + " workers" : ""));
        }
        if (usage != null) {
            line(out, summary, "efficiency", String.format("%.3f = %.1f busy core-seconds / %.1f allocated core-seconds",
                    usage.efficiency(), usage.busyCoreSeconds(), usage.allocatedCoreSeconds()));
            out.printf("usage:       %s%n             recorded in the local ledger: see `burst usage`%n", usage);
            try {
                Path file = report.write(BurstDirectories.fromEnvironment().reports(), "demo", "burst demo: Monte-Carlo pi, "
                        + taskCount + " tasks on " + workers + (processes ? " worker processes" : " in-process workers"), summary,
                        Instant.now());
                out.printf("report:      %s (figures and task stream)%n", file.toUri());
            } catch (IOException | RuntimeException e) { // the run's figures are printed above: a report is extra
                out.printf("report:      not written: %s%n", e.getMessage());
            }
        }
        return 0;
    }

    /** Prints {@code label: value} aligned, and keeps it for the report. */
    private static void line(PrintStream out, Map<String, String> summary, String label, String value) {
        out.printf("%-12s %s%n", label + ":", value);
        summary.put(label, value);
    }

    private ProgressBar progressBar(int total) {
        if (noProgress) {
            return null;
        }
        return new ProgressBarBuilder().setTaskName("tasks").setInitialMax(total)
                .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(200).continuousUpdate()
                .showSpeed().build();
    }

    /**
     * The one-core baseline: {@code tasks} of the job's tasks run one after another on this thread,
     * each timed by the wall clock and by the thread's CPU time. When the thread had the CPU less
     * than 95% of the time something else was running (a build, a JIT, another program), and the
     * figure would flatter the cluster: it is taken again, up to three times, and the fastest kept.
     */
    record Baseline(double secondsPerTask, double cpuShare) {
        private static final double UNDISTURBED = 0.95;

        boolean disturbed() {
            return cpuShare < UNDISTURBED;
        }

        static Baseline measure(int tasks, long samplesPerTask) {
            java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
            boolean cpuTimed = threads.isCurrentThreadCpuTimeSupported();
            Baseline best = null;
            for (int attempt = 0; attempt < 3 && (best == null || best.disturbed()); attempt++) {
                long cpu0 = cpuTimed ? threads.getCurrentThreadCpuTime() : 0;
                long w0 = System.nanoTime();
                for (int i = 0; i < tasks; i++) {
                    MonteCarloPi.hits(1_000_000L + i, samplesPerTask);
                }
                long wallNanos = System.nanoTime() - w0;
                double share = cpuTimed ? (threads.getCurrentThreadCpuTime() - cpu0) / (double) wallNanos : 1.0;
                Baseline b = new Baseline(wallNanos / 1e9 / tasks, share);
                if (best == null || b.secondsPerTask() < best.secondsPerTask()) {
                    best = b;
                }
            }
            return best;
        }
    }

    /** One-core speed of the kernel, in samples per second, after a short warm-up. */
    private static double calibrate() {
        MonteCarloPi.hits(7, 2_000_000); // warm up the JIT
        long samples = 0;
        long t0 = System.nanoTime();
        long elapsed;
        do {
            samples += 1_000_000;
            MonteCarloPi.hits(samples, 1_000_000);
            elapsed = System.nanoTime() - t0;
        } while (elapsed < 200_000_000L);
        return samples / (elapsed / 1e9);
    }
}
