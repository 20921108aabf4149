package dev.burst.bench;

import dev.burst.Client;
import dev.burst.slurm.SlurmCluster;
import dev.burst.TaskFuture;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * P8: a {@link SlurmCluster} adapting from 0 workers; the time from submitting one task to that
 * task running, split into: sbatch job visible (submitted), worker joined the scheduler, task
 * started. Beside it, Slurm's own floor on the same machine: an {@code sbatch --wrap} job that
 * only writes the time it started. Each repeat uses a fresh cluster; one JSON line per repeat.
 *
 * <pre>java -cp burst-bench.jar dev.burst.bench.SlurmBench [repeats]</pre>
 */
public final class SlurmBench {
    private SlurmBench() {
    }

    public static void main(String[] args) throws Exception {
        int repeats = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        List<double[]> burst = new ArrayList<>();
        List<Double> slurm = new ArrayList<>();
        for (int r = 0; r < repeats; r++) {
            slurm.add(bareSbatchSeconds());
            burst.add(burstOnce());
            double[] b = burst.get(burst.size() - 1);
            System.out.printf("{\"repeat\": %d, \"bare_sbatch_start_s\": %.3f, \"burst_submitted_s\": %.3f, "
                            + "\"burst_worker_joined_s\": %.3f, \"burst_first_task_s\": %.3f}%n",
                    r + 1, slurm.get(slurm.size() - 1), b[0], b[1], b[2]);
        }
        System.out.printf("%nP8 (%d repeats, medians [min-max]):%n", repeats);
        System.out.printf("  Slurm alone, sbatch --wrap submit -> script runs:  %s s%n", summary(slurm));
        String[] names = {"Burst: task submitted -> worker job queued", "Burst: task submitted -> worker joined",
                "Burst: task submitted -> first task running (target <= 1.5 s)"};
        for (int i = 0; i < 3; i++) {
            List<Double> xs = new ArrayList<>();
            for (double[] b : burst) {
                xs.add(b[i]);
            }
            System.out.printf("  %-62s %s s%n", names[i] + ":", summary(xs));
        }
    }

    /** Seconds from submitting one task to: its worker job queued, the worker joined, the task started. */
    private static double[] burstOnce() throws Exception {
        try (SlurmCluster cluster = SlurmCluster.builder().partition("debug").coresPerWorker(1).memoryPerWorker("512m")
                .walltime("00:10:00").schedulerHost("127.0.0.1").recordUsage(false).build();
             Client client = Client.connect(cluster)) {
            cluster.adapt(0, 1);
            long t0ms = System.currentTimeMillis();
            long t0 = System.nanoTime();
            TaskFuture<Long> f = client.submit(System::currentTimeMillis);
            double submitted = -1;
            double joined = -1;
            while (joined < 0) {
                if (submitted < 0 && !cluster.jobIds().isEmpty()) {
                    submitted = (System.nanoTime() - t0) / 1e9;
                }
                if (cluster.workerCount() > 0) {
                    joined = (System.nanoTime() - t0) / 1e9;
                }
                if (System.nanoTime() - t0 > TimeUnit.SECONDS.toNanos(120)) {
                    throw new IllegalStateException("no worker joined within 120 s");
                }
                Thread.sleep(2);
            }
            long startedMs = f.get(60, TimeUnit.SECONDS);
            return new double[] {submitted, joined, (startedMs - t0ms) / 1e3};
        }
    }

    /** Seconds from {@code sbatch} to the job's script running, as the script itself writes it. */
    private static double bareSbatchSeconds() throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("burst-p8-");
        Path stamp = dir.resolve("started");
        try {
            long t0ms = System.currentTimeMillis();
            Process p = new ProcessBuilder("sbatch", "--parsable", "--partition=debug", "--output=/dev/null",
                    "--wrap", "date +%s%3N > " + stamp).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (p.waitFor() != 0) {
                throw new IOException("sbatch failed: " + out);
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!Files.exists(stamp) || Files.readString(stamp).isBlank()) {
                if (System.nanoTime() > deadline) {
                    throw new IOException("the sbatch job did not start within 60 s");
                }
                Thread.sleep(2);
            }
            return (Long.parseLong(Files.readString(stamp).strip()) - t0ms) / 1e3;
        } finally {
            Files.deleteIfExists(stamp);
            Files.deleteIfExists(dir);
        }
    }

    private static String summary(List<Double> xs) {
        List<Double> s = new ArrayList<>(xs);
        s.sort(null);
        double median = s.size() % 2 == 1 ? s.get(s.size() / 2) : (s.get(s.size() / 2 - 1) + s.get(s.size() / 2)) / 2;
        return String.format("%.2f [%.2f-%.2f]", median, s.get(0), s.get(s.size() - 1));
    }

}
