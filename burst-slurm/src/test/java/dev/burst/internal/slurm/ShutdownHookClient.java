package dev.burst.internal.slurm;

import dev.burst.spi.PoolWorker;
import dev.burst.spi.WorkerPool;
import dev.burst.spi.WorkerShape;

import dev.burst.internal.core.ResourceAmounts;
import dev.burst.internal.transport.BurstAddress;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A client JVM for {@link SlurmWorkersTest}: submits two workers to a {@link FakeSlurm} (args: its
 * dir, a work dir), prints {@code ready} once both have job ids, and waits to be killed, so that
 * the test can check that a signal to the client (Ctrl-C) cancels the jobs.
 */
public final class ShutdownHookClient {
    private ShutdownHookClient() {
    }

    public static void main(String[] args) throws Exception {
        Path fake = Path.of(args[0]);
        SlurmSettings settings = SlurmSettings.builder("hook", new BurstAddress("127.0.0.1", 4000), Path.of(args[1], "token"))
                .workDir(Path.of(args[1])).classpath("/x.jar").pollInterval(Duration.ofMillis(20))
                .commands(fake.resolve("sbatch").toString(), fake.resolve("squeue").toString(), fake.resolve("scancel").toString())
                .build();
        SlurmWorkers workers = new SlurmWorkers(new WorkerShape(1, 256L << 20, dev.burst.Resources.none()), settings,
                new WorkerPool.Events() {
                    @Override
                    public void startFailed(String worker, String reason) {
                        System.out.println("failed " + worker + ": " + reason);
                    }

                    @Override
                    public void workerEnded(String worker, String reason) {
                        System.out.println("ended " + worker + ": " + reason);
                    }
                });
        List<String> names = workers.start(2);
        while (!names.stream().allMatch(n -> workers.jobId(n).isPresent())) {
            Thread.sleep(10); // a test helper: polling its own state until submitted
        }
        System.out.println("ready");
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
