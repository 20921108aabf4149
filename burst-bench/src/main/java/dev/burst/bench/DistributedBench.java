package dev.burst.bench;

import dev.burst.Client;
import dev.burst.LocalCluster;
import dev.burst.TaskFuture;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The Burst side of {@code bench/distributed.sh}: a scheduler and 2 worker processes of 1 thread
 * each ({@code LocalCluster.builder().processes(true)}), against Dask's
 * {@code LocalCluster(n_workers=2, threads_per_worker=1)} in {@code bench/dask/distributed.py}.
 * <ul>
 *   <li>p1: 20,000 no-op tasks, {@code map} + {@code gather}; tasks/s;</li>
 *   <li>p2: a 10,000-leaf pairwise reduction (leaves by {@code map}, each internal node a
 *       {@code submit((a, b) -> a + b, fa, fb)}), 19,999 tasks; root must be 49,995,000;</li>
 *   <li>p4: 40 tasks each spinning until its thread has used 0.25 s of CPU;
 *       efficiency = work / (wall x 2 cores);</li>
 *   <li>p6: 40 tasks of 0.2 s sleep; 2 s after submit one worker process (a child of this JVM
 *       running {@code dev.burst.internal.workerprocess.WorkerMain}) is killed with SIGKILL; all 40 results
 *       are checked; ideal wall 4.0 s.</li>
 * </ul>
 * Every measurement runs on a fresh cluster; its start is not timed, and a warm-up (a map of
 * {@code --warmup} no-op tasks and a small tree) runs on it before the timed region. Prints one
 * line per measurement:
 * <pre>RESULT system=burst workload=p1 variant=processes repeat=1 seconds=... tasks=... tasks_per_s=... correct=true ...</pre>
 *
 * <p>Usage: {@code DistributedBench [--workload p1|p2|p4|p6|all] [--repeats N] [--warmup TASKS] [--embedded]}.
 * {@code --embedded} runs the same workloads on the in-process cluster (no worker processes;
 * p6 then has nothing to kill).
 */
public final class DistributedBench {
    static final String WORKER_MAIN = "dev.burst.internal.workerprocess.WorkerMain";
    static final int P1_TASKS = 20_000;
    static final int P2_LEAVES = 10_000;
    static final int P4_TASKS = 40;
    static final long P4_BURN_NANOS = 250_000_000L;
    static final int CORES = 2;
    static final int P6_TASKS = 40;
    static final long P6_SLEEP_MS = 200;
    static final long P6_KILL_AFTER_MS = 2_000;
    static final Duration TIMEOUT = Duration.ofMinutes(5);

    private DistributedBench() {
    }

    // ---------------------------------------------------------------- task bodies (static: they travel to workers)

    static long noop(long x) {
        return x;
    }

    static long add(long a, long b) {
        return a + b;
    }

    /** Spins until this thread has used 0.25 s of CPU time (wall time where CPU time is unsupported). */
    static long burn(long i) {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        if (mx.isCurrentThreadCpuTimeSupported()) {
            long end = mx.getCurrentThreadCpuTime() + P4_BURN_NANOS;
            while (mx.getCurrentThreadCpuTime() < end) {
                Thread.onSpinWait();
            }
        } else {
            long end = System.nanoTime() + P4_BURN_NANOS;
            while (System.nanoTime() < end) {
                Thread.onSpinWait();
            }
        }
        return i;
    }

    static long sleepy(long i) throws InterruptedException {
        Thread.sleep(P6_SLEEP_MS);
        return i * 2;
    }

    // ---------------------------------------------------------------- workloads

    /** One measurement's fields, in print order. */
    static final class Result {
        final Map<String, Object> fields = new LinkedHashMap<>();

        Result put(String k, Object v) {
            fields.put(k, v);
            return this;
        }
    }

    interface Workload {
        Result run(Client client) throws Exception;
    }

    static List<Long> range(int n) {
        List<Long> xs = new ArrayList<>(n);
        for (long i = 0; i < n; i++) {
            xs.add(i);
        }
        return xs;
    }

    static Result p1(Client client) {
        List<Long> inputs = range(P1_TASKS);
        long t0 = System.nanoTime();
        List<TaskFuture<Long>> fs = client.map(DistributedBench::noop, inputs);
        List<Long> out = client.gather(fs, TIMEOUT);
        double s = (System.nanoTime() - t0) / 1e9;
        return new Result().put("seconds", s).put("tasks", P1_TASKS).put("tasks_per_s", P1_TASKS / s)
                .put("correct", out.equals(inputs));
    }

    static Result p2(Client client) throws Exception {
        return tree(client, P2_LEAVES);
    }

    static Result tree(Client client, int leaves) throws Exception {
        List<Long> inputs = range(leaves);
        long t0 = System.nanoTime();
        List<TaskFuture<Long>> level = client.map(DistributedBench::noop, inputs);
        int tasks = level.size();
        while (level.size() > 1) {
            List<TaskFuture<Long>> next = new ArrayList<>(level.size() / 2 + 1);
            for (int i = 0; i + 1 < level.size(); i += 2) {
                next.add(client.submit(DistributedBench::add, level.get(i), level.get(i + 1)));
            }
            tasks += next.size();
            if (level.size() % 2 == 1) {
                next.add(level.get(level.size() - 1)); // odd one out carried up unchanged, as on the Dask side
            }
            level = next;
        }
        long root = client.gather(List.of(level.get(0)), TIMEOUT).get(0);
        double s = (System.nanoTime() - t0) / 1e9;
        long expected = (long) leaves * (leaves - 1) / 2;
        return new Result().put("seconds", s).put("tasks", tasks).put("tasks_per_s", tasks / s)
                .put("correct", root == expected && tasks == 2 * leaves - 1);
    }

    static Result p4(Client client) {
        List<Long> inputs = range(P4_TASKS);
        long t0 = System.nanoTime();
        List<TaskFuture<Long>> fs = client.map(DistributedBench::burn, inputs);
        List<Long> out = client.gather(fs, TIMEOUT);
        double s = (System.nanoTime() - t0) / 1e9;
        double work = P4_TASKS * (P4_BURN_NANOS / 1e9);
        return new Result().put("seconds", s).put("tasks", P4_TASKS).put("efficiency", work / (s * CORES))
                .put("correct", out.equals(inputs));
    }

    static Result p6(Client client) throws Exception {
        List<ProcessHandle> workers = workerProcesses();
        ProcessHandle victim = workers.isEmpty() ? null : workers.get(0);
        List<Long> inputs = range(P6_TASKS);
        long[] killedAt = {-1};
        boolean[] killed = {false};
        long t0 = System.nanoTime();
        List<TaskFuture<Long>> fs = client.map(DistributedBench::sleepy, inputs);
        Thread killer = Thread.ofPlatform().daemon().name("bench-killer").start(() -> {
            try {
                Thread.sleep(Math.max(0, P6_KILL_AFTER_MS - (System.nanoTime() - t0) / 1_000_000));
            } catch (InterruptedException e) {
                return;
            }
            if (victim != null) {
                killed[0] = victim.destroyForcibly(); // SIGKILL on Linux
                killedAt[0] = System.nanoTime() - t0;
            }
        });
        List<Long> out = client.gather(fs, TIMEOUT);
        double s = (System.nanoTime() - t0) / 1e9;
        killer.join();
        boolean ok = true;
        for (int i = 0; i < P6_TASKS; i++) {
            ok &= out.get(i) == 2L * i;
        }
        if (victim == null) {
            System.err.println("bench: p6: no worker process (" + WORKER_MAIN + ") among this JVM's descendants; nothing was killed");
        }
        return new Result().put("seconds", s).put("tasks", P6_TASKS)
                .put("killed_pid", victim == null ? "none" : Long.toString(victim.pid()))
                .put("killed", killed[0])
                .put("killed_at_s", killedAt[0] < 0 ? Double.NaN : killedAt[0] / 1e9)
                .put("correct", ok);
    }

    /** This JVM's descendants that run a Burst worker (not a spare waiting to join), in pid order. */
    /**
     * The whole command line of {@code p}, from /proc: {@link ProcessHandle.Info#commandLine()} cuts
     * long ones short, and a worker's class path alone is longer than it keeps, so the main class
     * after it went missing and no worker process was found.
     */
    static String commandLine(ProcessHandle p) {
        try {
            return new String(java.nio.file.Files.readAllBytes(java.nio.file.Path.of("/proc", String.valueOf(p.pid()), "cmdline")),
                    java.nio.charset.StandardCharsets.UTF_8).replace('\0', ' ');
        } catch (java.io.IOException | RuntimeException e) {
            return p.info().commandLine().orElse("");
        }
    }

    static List<ProcessHandle> workerProcesses() {
        return ProcessHandle.current().descendants()
                .filter(p -> {
                    String cmd = commandLine(p);
                    return cmd.contains(WORKER_MAIN) && !cmd.contains("--standby"); // not the cluster's warm spare
                })
                .sorted((a, b) -> Long.compare(a.pid(), b.pid()))
                .toList();
    }

    // ---------------------------------------------------------------- driver

    public static void main(String[] args) {
        String workload = "all";
        int repeats = 3;
        int warmup = 2_000;
        boolean processes = true;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--workload" -> workload = args[++i];
                case "--repeats" -> repeats = Integer.parseInt(args[++i]);
                case "--warmup" -> warmup = Integer.parseInt(args[++i]);
                case "--embedded" -> processes = false;
                default -> throw new IllegalArgumentException("unknown option " + args[i]
                        + "; usage: DistributedBench [--workload p1|p2|p4|p6|all] [--repeats N] [--warmup TASKS] [--embedded]");
            }
        }
        Map<String, Workload> all = new LinkedHashMap<>();
        all.put("p1", DistributedBench::p1);
        all.put("p2", DistributedBench::p2);
        all.put("p4", DistributedBench::p4);
        all.put("p6", DistributedBench::p6);
        if (!workload.equals("all") && !all.containsKey(workload)) {
            throw new IllegalArgumentException("--workload must be p1, p2, p4, p6 or all, got " + workload);
        }
        List<String> names = workload.equals("all") ? List.copyOf(all.keySet()) : List.of(workload);
        String variant = processes ? "processes" : "embedded";
        System.err.printf(Locale.ROOT, "# burst, LocalCluster processes=%s workers=2 threadsPerWorker=1, %d repeats, warm-up %d tasks, Java %s%n",
                processes, repeats, warmup, System.getProperty("java.version"));
        boolean failed = false;
        for (String name : names) {
            for (int r = 1; r <= repeats; r++) {
                Result res;
                try {
                    res = once(all.get(name), processes, warmup);
                } catch (Exception e) {
                    System.err.println("bench: " + name + " repeat " + r + " failed: " + e);
                    e.printStackTrace();
                    res = new Result().put("correct", false).put("error", e.getClass().getSimpleName());
                }
                failed |= !Boolean.TRUE.equals(res.fields.get("correct"));
                StringBuilder line = new StringBuilder("RESULT system=burst workload=").append(name)
                        .append(" variant=").append(variant).append(" repeat=").append(r);
                res.fields.forEach((k, v) -> line.append(' ').append(k).append('=').append(format(v)));
                System.out.println(line);
                System.out.flush();
            }
        }
        System.exit(failed ? 1 : 0);
    }

    static Result once(Workload w, boolean processes, int warmup) throws Exception {
        try (LocalCluster cluster = LocalCluster.builder().processes(processes).workers(2).threadsPerWorker(1).build();
             Client client = Client.connect(cluster)) {
            if (warmup > 0) {
                List<Long> in = range(warmup);
                if (!client.gather(client.map(DistributedBench::noop, in), TIMEOUT).equals(in)) {
                    throw new AssertionError("warm-up map gave a wrong result");
                }
                if (!Boolean.TRUE.equals(tree(client, Math.max(2, warmup / 2)).fields.get("correct"))) {
                    throw new AssertionError("warm-up tree gave a wrong result");
                }
            }
            int workerProcs = workerProcesses().size();
            double load1 = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
            Result res = w.run(client);
            res.put("worker_procs", workerProcs);
            res.put("load1", load1);
            return res;
        }
    }

    static String format(Object v) {
        if (v instanceof Double d) {
            return Double.isNaN(d) ? "nan" : Math.abs(d) < 100 ? String.format(Locale.ROOT, "%.4f", d) : String.format(Locale.ROOT, "%.1f", d);
        }
        return String.valueOf(v);
    }
}
