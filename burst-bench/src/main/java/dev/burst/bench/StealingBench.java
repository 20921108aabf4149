package dev.burst.bench;

import dev.burst.Client;
import dev.burst.LocalCluster;
import dev.burst.TaskFuture;
import dev.burst.TaskOptions;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Work stealing, as a new user meets it: two worker processes of one thread each; a long task
 * (2 s) runs, then a map of three short tasks (50 ms) is submitted. A worker takes more tasks than
 * threads, so one short task can land behind the long one; it should run on the other worker, not
 * wait 2 s. Measured: submit of the map to its last result, and whether the long task was still
 * running then. Fresh cluster per repeat; prints
 * {@code RESULT system=burst workload=stealing repeat=N shorts_s=... long_still_running=true}.
 */
public final class StealingBench {
    static final long LONG_MS = 2_000;
    static final long SHORT_MS = 50;

    private StealingBench() {
    }

    static String slow(int x) throws InterruptedException {
        Thread.sleep(LONG_MS);
        return "long";
    }

    static int quick(int i) throws InterruptedException {
        Thread.sleep(SHORT_MS);
        return i * 10;
    }

    public static void main(String[] args) throws Exception {
        int repeats = args.length > 1 && args[0].equals("--repeats") ? Integer.parseInt(args[1]) : 5;
        for (int r = 1; r <= repeats; r++) {
            try (LocalCluster cluster = LocalCluster.builder().processes(true).workers(2).threadsPerWorker(1)
                    .recordUsage(false).build();
                 Client client = Client.connect(cluster)) {
                client.gather(client.map(StealingBench::quick, List.of(1, 2, 3, 4)), Duration.ofMinutes(1)); // warm-up
                TaskFuture<String> longOne = client.submit(() -> slow(0), TaskOptions.builder().name("long").build());
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (cluster.status().tasks().processing() < 1 && System.nanoTime() < deadline) {
                    Thread.sleep(5);
                }
                Thread.sleep(100); // the long task is running
                long t0 = System.nanoTime();
                List<TaskFuture<Integer>> shorts = client.map(StealingBench::quick, List.of(1, 2, 3),
                        TaskOptions.builder().name("short").build());
                List<Integer> got = client.gather(shorts, Duration.ofMinutes(1));
                double seconds = (System.nanoTime() - t0) / 1e9;
                boolean longRunning = !longOne.isDone();
                boolean correct = got.equals(List.of(10, 20, 30)) && longOne.get(30, TimeUnit.SECONDS).equals("long");
                System.out.printf(Locale.ROOT, "RESULT system=burst workload=stealing repeat=%d shorts_s=%.3f long_still_running=%s correct=%s%n",
                        r, seconds, longRunning, correct);
                System.out.flush();
            }
        }
        System.exit(0);
    }
}
