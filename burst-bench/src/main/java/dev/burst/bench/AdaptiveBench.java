package dev.burst.bench;

import dev.burst.Client;
import dev.burst.ClusterUsage;
import dev.burst.LocalCluster;
import dev.burst.TaskFuture;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The Burst side of {@code bench/adaptive.sh} (P5, adaptive burst), against Dask's
 * {@code LocalCluster(n_workers=0).adapt(minimum=0, maximum=2)} in {@code bench/dask/dask_adaptive.py}.
 *
 * <p>Per repeat, on a fresh cluster: {@code LocalCluster.builder().processes(true).workers(0)
 * .threadsPerWorker(1).build()} (it keeps two warm spare JVMs when it starts empty, and the build
 * waits until they are warm), {@code Client.connect}, {@code cluster.adapt(0, 2)}: all setup, not
 * timed. Then t0 = the submit of {@code client.map(burn 0.5 s CPU, 20 inputs)}; each task returns
 * its start and end (epoch nanoseconds; same machine, same wall clock) and the pid it ran in.
 * A poller reads {@link LocalCluster#workerCount()} every 5 ms from t0 until the cluster is back
 * to 0 workers after the last result, and integrates it (allocated worker-seconds, measured the
 * same way as on the Dask side). Reported per repeat, as one JSON line after {@code RESULT }:
 * first worker connected and first task start after t0, wall (last task end − t0), gather
 * returned, last result → 0 workers, allocated worker-seconds (polled), busy (sum of the tasks'
 * own durations), efficiency = busy ÷ allocated, peak workers, {@link LocalCluster#usage()}, and
 * the warm spare JVMs: their RSS and the CPU they burned warming up, and the CPU the spares
 * started during the measured window burned in it and after.
 *
 * <p>Usage: {@code AdaptiveBench [--repeats N] [--timeline]} (default 3 repeats; {@code --timeline} prints
 * each task's pid, start and end and the worker-count changes, relative to t0, to stderr).
 */
public final class AdaptiveBench {
    static final String WORKER_MAIN = "dev.burst.internal.workerprocess.WorkerMain";
    static final int TASKS = 20;
    static final long BURN_NANOS = 500_000_000L;
    static final int MAX_WORKERS = 2;
    static final long POLL_MS = 5;
    static final Duration TIMEOUT = Duration.ofMinutes(2);
    static final long CLK_TCK = 100; // Linux USER_HZ; /proc/<pid>/stat utime and stime are in these ticks

    private AdaptiveBench() {
    }

    static long epochNanos() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }

    /** Spins until this thread has used 0.5 s of CPU; returns {start epoch ns, end epoch ns, pid}. */
    static long[] burn(long i) {
        long start = epochNanos();
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        if (mx.isCurrentThreadCpuTimeSupported()) {
            long end = mx.getCurrentThreadCpuTime() + BURN_NANOS;
            while (mx.getCurrentThreadCpuTime() < end) {
                Thread.onSpinWait();
            }
        } else {
            long end = System.nanoTime() + BURN_NANOS;
            while (System.nanoTime() < end) {
                Thread.onSpinWait();
            }
        }
        return new long[] {start, epochNanos(), ProcessHandle.current().pid(), i};
    }

    // ---------------------------------------------------------------- /proc

    record ProcFigures(long pid, double cpuSeconds, double rssMiB) {
    }

    /** utime + stime and VmRSS of a live process, or null if it is gone. */
    static ProcFigures proc(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            // after "pid (comm) ": f[0] = state (field 3), utime = field 14, stime = field 15
            double cpu = (Long.parseLong(f[11]) + Long.parseLong(f[12])) / (double) CLK_TCK;
            double rss = 0;
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    rss = Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
                }
            }
            return new ProcFigures(pid, cpu, rss);
        } catch (Exception e) {
            return null;
        }
    }

    static String cmd(ProcessHandle p) {
        return DistributedBench.commandLine(p);
    }

    /** This JVM's descendants running a Burst worker JVM that is still a spare (started with --standby). */
    static List<Long> sparePids() {
        return ProcessHandle.current().descendants()
                .filter(p -> {
                    String c = cmd(p);
                    return c.contains(WORKER_MAIN) && c.contains("--standby");
                })
                .map(ProcessHandle::pid).sorted().toList();
    }

    // ---------------------------------------------------------------- one repeat

    static final class Poller implements Runnable {
        final LocalCluster cluster;
        final long t0;
        volatile long gatheredAt; // epoch ns; 0 while gathering
        volatile boolean stop;
        double workerSeconds;
        int peak;
        long firstWorkerAt = -1;
        long zeroAt = -1;
        int samples;
        final StringBuilder changes = new StringBuilder();
        /** Latest cumulative CPU seconds seen for each descendant JVM (sampled every ~100 ms; kept after it exits). */
        final Map<Long, Double> lastCpu = new HashMap<>();

        void sampleCpu() {
            ProcessHandle.current().descendants().forEach(h -> {
                ProcFigures f = proc(h.pid());
                if (f != null) {
                    lastCpu.put(h.pid(), f.cpuSeconds());
                }
            });
        }

        Poller(LocalCluster cluster, long t0) {
            this.cluster = cluster;
            this.t0 = t0;
        }

        @Override
        public void run() {
            long prevT = t0;
            int prevN = cluster.workerCount();
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            while (!stop && System.nanoTime() < deadline) {
                try {
                    Thread.sleep(POLL_MS);
                } catch (InterruptedException e) {
                    return;
                }
                long now = epochNanos();
                int n = cluster.workerCount();
                samples++;
                if (samples % 20 == 1) {
                    sampleCpu();
                }
                workerSeconds += prevN * (now - prevT) / 1e9; // left Riemann sum: a count holds until the next sample
                peak = Math.max(peak, n);
                if (n != prevN) {
                    changes.append(String.format(Locale.ROOT, " %.3fs:%d", (now - t0) / 1e9, n));
                }
                if (n > 0 && firstWorkerAt < 0) {
                    firstWorkerAt = now;
                }
                prevT = now;
                prevN = n;
                long g = gatheredAt;
                if (g != 0 && n == 0) {
                    zeroAt = now;
                    sampleCpu();
                    return;
                }
            }
        }
    }

    static Map<String, Object> once(int repeat, boolean timeline) throws Exception {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("system", "burst");
        r.put("variant", "default");
        r.put("repeat", repeat);
        long buildStart = System.nanoTime();
        try (LocalCluster cluster = LocalCluster.builder().processes(true).workers(0).threadsPerWorker(1).build();
             Client client = Client.connect(cluster)) {
            r.put("setup_s", (System.nanoTime() - buildStart) / 1e9);
            cluster.adapt(0, MAX_WORKERS);
            // The warm spares as they are before the measurement: their CPU so far is what warming cost.
            List<Long> spares0 = sparePids();
            double spareRss = 0;
            double spareWarmCpu = 0;
            Map<Long, Double> cpuAtT0 = new HashMap<>();
            for (long pid : spares0) {
                ProcFigures f = proc(pid);
                if (f != null) {
                    spareRss += f.rssMiB();
                    spareWarmCpu += f.cpuSeconds();
                    cpuAtT0.put(pid, f.cpuSeconds());
                }
            }
            ProcFigures self = proc(ProcessHandle.current().pid());
            r.put("spares_at_t0", spares0.size());
            r.put("spare_rss_mib_total", spareRss);
            r.put("spare_warmup_cpu_s_total", spareWarmCpu);
            r.put("load1", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
            List<Long> inputs = new ArrayList<>();
            for (long i = 0; i < TASKS; i++) {
                inputs.add(i);
            }
            double selfCpu0 = self == null ? Double.NaN : self.cpuSeconds();

            long t0 = epochNanos();
            Poller poller = new Poller(cluster, t0);
            Thread pt = Thread.ofPlatform().name("bench-poller").start(poller);
            List<TaskFuture<long[]>> fs = client.map(AdaptiveBench::burn, inputs);
            List<long[]> out = client.gather(fs, TIMEOUT);
            long gathered = epochNanos();
            poller.gatheredAt = gathered;
            // Drop the results from the cluster, as the Dask side does (del fs): a Dask worker holding
            // the only copy of a result is never retired. Burst would retire it anyway.
            client.release(fs);
            pt.join(TIMEOUT.toMillis());
            poller.stop = true;
            pt.join();

            long firstStart = Long.MAX_VALUE;
            long lastEnd = Long.MIN_VALUE;
            double busy = 0;
            Set<Long> pids = new HashSet<>();
            boolean ok = out.size() == TASKS;
            for (int i = 0; i < out.size(); i++) {
                long[] t = out.get(i);
                ok &= t[3] == i;
                firstStart = Math.min(firstStart, t[0]);
                lastEnd = Math.max(lastEnd, t[1]);
                busy += (t[1] - t[0]) / 1e9;
                pids.add(t[2]);
            }
            r.put("first_worker_s", poller.firstWorkerAt < 0 ? Double.NaN : (poller.firstWorkerAt - t0) / 1e9);
            r.put("first_task_start_s", (firstStart - t0) / 1e9);
            r.put("wall_s", (lastEnd - t0) / 1e9);
            r.put("gather_s", (gathered - t0) / 1e9);
            r.put("retire_after_last_result_s", poller.zeroAt < 0 ? Double.NaN : (poller.zeroAt - gathered) / 1e9);
            r.put("zero_workers_s", poller.zeroAt < 0 ? Double.NaN : (poller.zeroAt - t0) / 1e9);
            r.put("allocated_worker_s", poller.workerSeconds);
            r.put("busy_s", busy);
            r.put("mean_task_s", busy / TASKS);
            r.put("efficiency", busy / poller.workerSeconds);
            r.put("peak_workers", poller.peak);
            r.put("worker_pids", pids.size());
            r.put("poll_samples", poller.samples);
            if (timeline) {
                StringBuilder tl = new StringBuilder("# burst repeat " + repeat + " workers:" + poller.changes + "\n");
                out.stream().sorted((a, b) -> Long.compare(a[0], b[0])).forEach(t -> tl.append(String.format(Locale.ROOT,
                        "#   task %2d pid %d start %.3f end %.3f (%.3f s)%n", t[3], t[2], (t[0] - t0) / 1e9, (t[1] - t0) / 1e9, (t[1] - t[0]) / 1e9)));
                System.err.print(tl);
            }
            ProcFigures self1 = proc(ProcessHandle.current().pid());
            r.put("client_scheduler_cpu_s", self1 == null ? Double.NaN : self1.cpuSeconds() - selfCpu0);

            // The spares now: those started during the window (to replace the promoted ones).
            List<Long> spares1 = sparePids();
            double newSpareCpuInWindow = 0;
            int newSpares = 0;
            double firstSpareStart = Double.NaN;
            for (long pid : spares1) {
                if (!cpuAtT0.containsKey(pid)) {
                    ProcFigures f = proc(pid);
                    if (f != null) {
                        newSpares++;
                        newSpareCpuInWindow += f.cpuSeconds();
                    }
                    Instant started = ProcessHandle.of(pid).flatMap(h -> h.info().startInstant()).orElse(null);
                    if (started != null) {
                        double at = (started.getEpochSecond() * 1_000_000_000L + started.getNano() - t0) / 1e9;
                        firstSpareStart = Double.isNaN(firstSpareStart) ? at : Math.min(firstSpareStart, at);
                    }
                }
            }
            r.put("replacement_spare_started_s", firstSpareStart);
            // The promoted workers' whole-JVM CPU from t0 until last seen (before they exited), beyond
            // the tasks' 0.5 s each: JIT, GC, gRPC/Netty, heartbeats.
            double workerJvmCpu = 0;
            for (Map.Entry<Long, Double> e : poller.lastCpu.entrySet()) {
                if (pids.contains(e.getKey()) && cpuAtT0.containsKey(e.getKey())) {
                    workerJvmCpu += e.getValue() - cpuAtT0.get(e.getKey());
                }
            }
            r.put("worker_jvm_cpu_s_in_window", workerJvmCpu);
            r.put("new_spares_in_window", newSpares);
            r.put("new_spare_cpu_s_in_window", newSpareCpuInWindow);

            // Burst's own meter; busy comes with the workers' heartbeats, so read it again a bit later.
            ClusterUsage u0 = cluster.usage();
            Thread.sleep(1_500);
            ClusterUsage u = cluster.usage();
            r.put("usage_allocated_core_s", u.allocatedCoreSeconds());
            r.put("usage_busy_core_s", u.busyCoreSeconds());
            r.put("usage_cpu_s", u.cpuSeconds());
            r.put("usage_tasks", u.tasks());
            r.put("usage_efficiency", u.efficiency());
            r.put("usage_efficiency_at_zero", u0.efficiency());

            // Let the replacement spares finish warming (CPU stops growing), to report their full cost.
            double last = -1;
            double now = 0;
            List<Long> spares2 = List.of();
            for (int i = 0; i < 40; i++) {
                spares2 = sparePids();
                now = 0;
                for (long pid : spares2) {
                    ProcFigures f = proc(pid);
                    if (f != null && !cpuAtT0.containsKey(pid)) {
                        now += f.cpuSeconds();
                    }
                }
                if (now > 0 && Math.abs(now - last) < 0.011) {
                    break;
                }
                last = now;
                Thread.sleep(500);
            }
            double rss2 = 0;
            for (long pid : spares2) {
                ProcFigures f = proc(pid);
                if (f != null) {
                    rss2 += f.rssMiB();
                }
            }
            r.put("spares_after", spares2.size());
            r.put("replacement_spare_cpu_s_total", now);
            r.put("spare_rss_mib_total_after", rss2);
            r.put("workers_after", cluster.workerCount());
            r.put("correct", ok);
        }
        return r;
    }

    // ---------------------------------------------------------------- driver

    public static void main(String[] args) {
        int repeats = 3;
        boolean timeline = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--repeats" -> repeats = Integer.parseInt(args[++i]);
                case "--timeline" -> timeline = true;
                default -> throw new IllegalArgumentException("unknown option " + args[i] + "; usage: AdaptiveBench [--repeats N] [--timeline]");
            }
        }
        System.err.printf(Locale.ROOT, "# burst P5, LocalCluster processes=true workers=0 threadsPerWorker=1, adapt(0, %d), %d tasks x %.1f s CPU, %d repeats, Java %s%n",
                MAX_WORKERS, TASKS, BURN_NANOS / 1e9, repeats, System.getProperty("java.version"));
        boolean failed = false;
        List<Map<String, Object>> all = new ArrayList<>();
        for (int r = 1; r <= repeats; r++) {
            Map<String, Object> res;
            try {
                res = once(r, timeline);
            } catch (Exception e) {
                System.err.println("bench: p5 repeat " + r + " failed: " + e);
                e.printStackTrace();
                res = new LinkedHashMap<>();
                res.put("system", "burst");
                res.put("variant", "default");
                res.put("repeat", r);
                res.put("correct", false);
                res.put("error", e.toString());
            }
            failed |= !Boolean.TRUE.equals(res.get("correct"));
            all.add(res);
            System.out.println("RESULT " + json(res));
            System.out.flush();
        }
        for (String k : List.of("first_task_start_s", "wall_s", "retire_after_last_result_s", "allocated_worker_s", "efficiency", "usage_efficiency")) {
            List<Double> v = new ArrayList<>();
            for (Map<String, Object> m : all) {
                if (m.get(k) instanceof Number n && !Double.isNaN(n.doubleValue())) {
                    v.add(n.doubleValue());
                }
            }
            if (!v.isEmpty()) {
                v.sort(null);
                double med = v.size() % 2 == 1 ? v.get(v.size() / 2) : (v.get(v.size() / 2 - 1) + v.get(v.size() / 2)) / 2;
                System.err.printf(Locale.ROOT, "# burst %-28s median %.3f [%.3f-%.3f]%n", k, med, v.get(0), v.get(v.size() - 1));
            }
        }
        System.exit(failed ? 1 : 0);
    }

    static String json(Map<String, Object> m) {
        StringBuilder sb = new StringBuilder("{");
        for (Map.Entry<String, Object> e : m.entrySet()) {
            if (sb.length() > 1) {
                sb.append(", ");
            }
            sb.append('"').append(e.getKey()).append("\": ");
            Object v = e.getValue();
            if (v instanceof Double d) {
                sb.append(Double.isNaN(d) || Double.isInfinite(d) ? "null" : String.format(Locale.ROOT, "%.4f", d));
            } else if (v instanceof Number || v instanceof Boolean) {
                sb.append(v);
            } else {
                sb.append('"').append(String.valueOf(v).replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
            }
        }
        return sb.append('}').toString();
    }
}
