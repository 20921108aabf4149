package dev.burst.bench;

import dev.burst.Client;
import dev.burst.Delayed;
import dev.burst.LocalCluster;
import dev.burst.TaskFuture;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Scheduling overhead on the embedded cluster, the Burst side of {@code bench/overhead.sh}:
 * <ul>
 *   <li>map: 20,000 no-op tasks via {@code map} + {@code gather};</li>
 *   <li>tree: a 10,000-leaf pairwise reduction (19,999 tasks) via {@link Delayed}.</li>
 * </ul>
 * The timed region is graph building + submit + gather, as on the Dask side. Each workload runs
 * warm-up rounds first (JIT), then {@code --repeats} timed rounds; the median is reported.
 *
 * <p>Usage: {@code OverheadBench [--workers N] [--threads N] [--repeats R] [--warmup W] [--workload map|tree|all] [--json]}
 */
public final class OverheadBench {
    private OverheadBench() {
    }

    static long noop(long x) {
        return x;
    }

    static long add(long a, long b) {
        return a + b;
    }

    public static void main(String[] args) {
        int workers = 2;
        int threads = 1;
        int repeats = 10;
        int warmup = 10;
        boolean json = false;
        String workload = "all";
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--workers" -> workers = Integer.parseInt(args[++i]);
                case "--threads" -> threads = Integer.parseInt(args[++i]);
                case "--repeats" -> repeats = Integer.parseInt(args[++i]);
                case "--warmup" -> warmup = Integer.parseInt(args[++i]);
                case "--json" -> json = true;
                case "--workload" -> workload = args[++i];
                default -> throw new IllegalArgumentException("unknown option " + args[i]
                        + "; usage: OverheadBench [--workers N] [--threads N] [--repeats R] [--warmup W] [--workload map|tree|all] [--json]");
            }
        }
        try (LocalCluster cluster = LocalCluster.builder().workers(workers).threadsPerWorker(threads).build();
             Client client = Client.connect(cluster)) {
            if (!workload.equals("all") && !workload.equals("map") && !workload.equals("tree")) {
                throw new IllegalArgumentException("--workload must be map, tree or all, got " + workload);
            }
            if (!workload.equals("tree")) {
                report("map", 20_000, workers, threads, run(() -> map(client), warmup, repeats), json);
            }
            if (!workload.equals("map")) {
                report("tree", 19_999, workers, threads, run(() -> tree(client), warmup, repeats), json);
            }
        }
    }

    /** 20,000 no-op tasks, submitted with map and gathered. */
    static void map(Client client) {
        List<Long> inputs = new ArrayList<>(20_000);
        for (long i = 0; i < 20_000; i++) {
            inputs.add(i);
        }
        List<TaskFuture<Long>> fs = client.map(OverheadBench::noop, inputs);
        List<Long> out = client.gather(fs);
        if (out.size() != 20_000 || out.get(19_999) != 19_999L) {
            throw new AssertionError("wrong map result");
        }
        client.release(fs);
    }

    /** A 10,000-leaf pairwise reduction tree: 10,000 leaves + 9,999 adds. */
    static void tree(Client client) throws Exception {
        List<Delayed<Long>> level = new ArrayList<>(10_000);
        for (long i = 0; i < 10_000; i++) {
            level.add(Delayed.call(OverheadBench::noop, Delayed.value(i)));
        }
        while (level.size() > 1) {
            List<Delayed<Long>> next = new ArrayList<>(level.size() / 2 + 1);
            for (int i = 0; i + 1 < level.size(); i += 2) {
                next.add(Delayed.call(OverheadBench::add, level.get(i), level.get(i + 1)));
            }
            if (level.size() % 2 == 1) {
                next.add(level.get(level.size() - 1)); // carried up unchanged, as on the Dask side
            }
            level = next;
        }
        TaskFuture<Long> root = client.compute(level.get(0));
        long total = root.get();
        if (total != 49_995_000L) {
            throw new AssertionError("wrong tree result " + total);
        }
        root.release();
    }

    interface Workload {
        void run() throws Exception;
    }

    private static double[] run(Workload w, int warmup, int repeats) {
        try {
            for (int i = 0; i < warmup; i++) {
                w.run();
            }
            double[] seconds = new double[repeats];
            for (int i = 0; i < repeats; i++) {
                long t0 = System.nanoTime();
                w.run();
                seconds[i] = (System.nanoTime() - t0) / 1e9;
            }
            Arrays.sort(seconds);
            return seconds;
        } catch (Exception e) {
            throw new IllegalStateException("benchmark failed", e);
        }
    }

    private static void report(String workload, int tasks, int workers, int threads, double[] sorted, boolean json) {
        double median = sorted[sorted.length / 2];
        double best = sorted[0];
        double usPerTask = median / tasks * 1e6;
        double tasksPerSecond = tasks / median;
        if (json) {
            System.out.printf(Locale.ROOT, "{\"system\":\"burst-embedded\",\"workload\":\"%s\",\"tasks\":%d,\"workers\":%d,"
                            + "\"threads_per_worker\":%d,\"best_s\":%.6f,\"median_s\":%.6f,\"tasks_per_s\":%.1f,\"us_per_task\":%.3f,"
                            + "\"version\":\"0.1.0-SNAPSHOT\",\"java\":\"%s\"}%n",
                    workload, tasks, workers, threads, best, median, tasksPerSecond, usPerTask, System.getProperty("java.version"));
        } else {
            System.out.printf(Locale.ROOT, "burst %-5s %6d tasks  median %.4f s  best %.4f s  %10.0f tasks/s  %7.3f us/task%n",
                    workload, tasks, median, best, tasksPerSecond, usPerTask);
        }
    }
}
