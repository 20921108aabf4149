package dev.burst.bench;

import dev.burst.Client;
import dev.burst.ClusterStatus;
import dev.burst.LocalCluster;
import dev.burst.TaskFuture;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What reading {@link ClusterStatus} costs the scheduler: a map of {@code --tasks} no-op tasks (default
 * 1,000,000, all held by the cluster until gathered) on the embedded cluster, timed with no reader
 * and with a thread reading {@code cluster.status()} at each rate of {@code --hz} (default 10 and
 * 100), the runs interleaved so that drift hits every variant alike. Prints the median wall time of
 * each and the reads' mean and longest latency.
 *
 * <p>Usage: {@code StatusReadBench [--tasks N] [--repeats R] [--hz 10,100]}
 */
public final class StatusReadBench {
    private StatusReadBench() {
    }

    static long noop(long x) {
        return x;
    }

    public static void main(String[] args) throws Exception {
        int tasks = 1_000_000;
        int repeats = 3;
        int[] rates = {10, 100};
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--tasks" -> tasks = Integer.parseInt(args[++i]);
                case "--repeats" -> repeats = Integer.parseInt(args[++i]);
                case "--hz" -> rates = Arrays.stream(args[++i].split(",")).mapToInt(Integer::parseInt).toArray();
                default -> throw new IllegalArgumentException("unknown option " + args[i]
                        + "; usage: StatusReadBench [--tasks N] [--repeats R] [--hz 10,100]");
            }
        }
        List<Long> inputs = new ArrayList<>(tasks);
        for (long i = 0; i < tasks; i++) {
            inputs.add(i);
        }
        int[] variants = new int[rates.length + 1]; // 0: no reader
        System.arraycopy(rates, 0, variants, 1, rates.length);
        double[][] seconds = new double[variants.length][repeats];
        long[][] readStats = new long[variants.length][3]; // reads, total nanos, max nanos
        try (LocalCluster cluster = LocalCluster.builder().workers(2).threadsPerWorker(1).recordUsage(false).build();
             Client client = Client.connect(cluster)) {
            once(client, inputs.subList(0, Math.min(tasks, 100_000)), cluster, 0, new long[3]); // warm-up
            for (int r = 0; r < repeats; r++) {
                for (int v = 0; v < variants.length; v++) {
                    seconds[v][r] = once(client, inputs, cluster, variants[v], readStats[v]);
                }
            }
        }
        System.out.printf(Locale.ROOT, "status reads during a %,d-task map (embedded, 2 workers x 1 thread), median of %d:%n", tasks, repeats);
        for (int v = 0; v < variants.length; v++) {
            double[] s = seconds[v].clone();
            Arrays.sort(s);
            double median = s[s.length / 2];
            String reader = variants[v] == 0 ? "no reader" : variants[v] + " Hz reader";
            String reads = variants[v] == 0 ? "" : String.format(Locale.ROOT, "  %d reads, mean %.2f ms, longest %.1f ms",
                    readStats[v][0], readStats[v][1] / 1e6 / Math.max(1, readStats[v][0]), readStats[v][2] / 1e6);
            System.out.printf(Locale.ROOT, "  %-14s %.3f s  %.3f us/task  (runs %s)%s%n", reader, median, median / tasks * 1e6,
                    Arrays.toString(Arrays.stream(seconds[v]).map(x -> Math.round(x * 1000) / 1000.0).toArray()), reads);
        }
    }

    private static double once(Client client, List<Long> inputs, LocalCluster cluster, int hz, long[] stats) throws Exception {
        AtomicBoolean done = new AtomicBoolean();
        AtomicLong lastDone = new AtomicLong();
        Thread reader = hz == 0 ? null : Thread.ofPlatform().daemon().start(() -> {
            long period = 1_000_000_000L / hz;
            while (!done.get()) {
                long t0 = System.nanoTime();
                ClusterStatus s = cluster.status();
                long took = System.nanoTime() - t0;
                lastDone.set(s.total().done());
                stats[0]++;
                stats[1] += took;
                stats[2] = Math.max(stats[2], took);
                long sleep = period - took;
                if (sleep > 0) {
                    try {
                        Thread.sleep(sleep / 1_000_000, (int) (sleep % 1_000_000));
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }
        });
        long t0 = System.nanoTime();
        List<TaskFuture<Long>> fs = client.map(StatusReadBench::noop, inputs);
        List<Long> out = client.gather(fs);
        double seconds = (System.nanoTime() - t0) / 1e9;
        done.set(true);
        if (reader != null) {
            reader.join();
        }
        if (out.size() != inputs.size() || out.get(out.size() - 1) != inputs.size() - 1) {
            throw new AssertionError("wrong results");
        }
        client.release(fs);
        return seconds;
    }
}
