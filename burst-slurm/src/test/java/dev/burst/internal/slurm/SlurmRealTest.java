package dev.burst.internal.slurm;

import dev.burst.spi.PoolWorker;
import dev.burst.spi.WorkerPool;
import dev.burst.spi.WorkerShape;

import dev.burst.internal.core.ResourceAmounts;
import dev.burst.internal.scheduler.SchedulerConfig;
import dev.burst.internal.schedulernode.SchedulerNode;
import dev.burst.internal.transport.ClusterCredentials;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@link SlurmWorkers} against a real Slurm on this machine: worker JVMs submitted with sbatch
 * join a scheduler in this JVM, and stopping and closing leaves no job behind. It does not start
 * Slurm itself: run {@code bin/slurm-local start} first (CI does). Without a Slurm whose node is
 * idle it is skipped, loudly.
 */
class SlurmRealTest {
    private static final Duration JOIN_WAIT = Duration.ofSeconds(90);

    @TempDir
    Path tmp;

    final List<String> failures = new CopyOnWriteArrayList<>();
    final WorkerPool.Events listener = new WorkerPool.Events() {
        @Override
        public void startFailed(String worker, String reason) {
            failures.add(worker + " did not start: " + reason);
        }

        @Override
        public void workerEnded(String worker, String reason) {
            failures.add(worker + " ended: " + reason);
        }
    };

    @BeforeAll
    static void requireAnIdleSlurm() throws Exception {
        String why = null;
        try {
            Result r = run("sinfo", "-h", "-o", "%T");
            if (r.exitCode() != 0) {
                why = "sinfo exited with code " + r.exitCode() + ": " + r.output().strip();
            } else if (r.output().lines().map(String::strip).noneMatch(s -> s.equals("idle") || s.equals("mixed"))) {
                why = "no Slurm node is idle or mixed (sinfo says: " + r.output().strip().replace('\n', ' ') + ")";
            }
        } catch (IOException e) {
            why = "sinfo is not on PATH (" + e.getMessage() + ")";
        }
        if (why != null) {
            System.err.println("""

                    ************************************************************************
                    * SKIPPED: SlurmRealTest needs a running Slurm: %s
                    * Start one with `bin/slurm-local start` (as root), then run the tests.
                    ************************************************************************
                    """.formatted(why));
        }
        assumeTrue(why == null, "no usable Slurm: " + why);
    }

    @Test
    void workersJoinTheSchedulerAndLeaveNoJobsBehind() throws Exception {
        Path clusterDir = tmp.resolve("cluster");
        ClusterCredentials credentials = ClusterCredentials.forScheduler(clusterDir);
        Path workDir = tmp.resolve("slurm");
        try (SchedulerNode scheduler = new SchedulerNode("127.0.0.1", 0, credentials, SchedulerConfig.defaults(), tmp.resolve("scheduler"))) {
            SlurmSettings settings = SlurmSettings.builder("burst-it-" + ProcessHandle.current().pid(),
                            scheduler.address(), credentials.tokenFile())
                    .keyStoreDir(clusterDir).workDir(workDir).walltime("00:10:00").pollInterval(Duration.ofMillis(100)).build();
            SlurmWorkers workers = new SlurmWorkers(new WorkerShape(1, 256L << 20, dev.burst.Resources.none()), settings, listener);
            List<String> ids = new ArrayList<>();
            try {
                long asked = System.nanoTime();
                List<String> names = workers.start(2);

                await().atMost(JOIN_WAIT).pollInterval(Duration.ofMillis(20)).until(() -> {
                    assertThat(failures).isEmpty();
                    return workers.workers().stream().allMatch(w -> w.state() == PoolWorker.State.RUNNING);
                });
                long running = System.nanoTime();
                await().atMost(JOIN_WAIT).pollInterval(Duration.ofMillis(20)).until(() -> {
                    assertThat(failures).isEmpty();
                    return scheduler.workerIds().size() == 2;
                });
                long joined = System.nanoTime();
                names.forEach(n -> ids.add(workers.jobId(n).orElseThrow()));
                assertThat(squeueStates(ids)).containsExactly("RUNNING", "RUNNING");
                assertThat(workers.runningSince(names.getFirst())).isPresent();

                workers.stop(List.of(names.getFirst()));
                long stopAsked = System.nanoTime();
                await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(10))
                        .until(() -> squeueStates(List.of(ids.getFirst())).isEmpty());
                long gone = System.nanoTime();
                await().atMost(Duration.ofSeconds(30)).until(() -> scheduler.workerIds().size() == 1);

                long closing = System.nanoTime();
                workers.close();
                long closed = System.nanoTime();
                System.out.printf("SlurmRealTest timings: sbatch->RUNNING %d ms, RUNNING->joined %d ms, stop->gone from squeue %d ms, close %d ms%n",
                        ms(running - asked), ms(joined - running), ms(gone - stopAsked), ms(closed - closing));

                assertThat(squeueStates(ids)).isEmpty();
                assertThat(failures).isEmpty();
                assertThat(workDir).doesNotExist(); // scripts and logs of stopped workers deleted
            } finally {
                workers.close();
                if (!ids.isEmpty()) {
                    run(Stream.concat(Stream.of("scancel"), ids.stream()).toArray(String[]::new)); // never leave jobs queued
                }
            }
        }
    }

    @Test
    void aBadPartitionIsRefusedByName() throws Exception {
        ClusterCredentials credentials = ClusterCredentials.forScheduler(tmp.resolve("cluster"));
        SlurmSettings settings = SlurmSettings.builder("burst-it-bad", new dev.burst.internal.transport.BurstAddress("127.0.0.1", 1),
                credentials.tokenFile()).partition("nosuchpartition").workDir(tmp.resolve("slurm")).build();
        try (SlurmWorkers workers = new SlurmWorkers(new WorkerShape(1, 256L << 20, dev.burst.Resources.none()), settings, listener)) {
            String name = workers.start(1).getFirst();

            await().atMost(Duration.ofSeconds(30)).until(() -> !failures.isEmpty());
            assertThat(failures).singleElement().asString()
                    .startsWith(name + " did not start: sbatch refused the job (partition nosuchpartition): ")
                    .contains("Invalid partition name");
            assertThat(workers.workers()).isEmpty();
        }
    }

    private static List<String> squeueStates(List<String> ids) throws IOException, InterruptedException {
        Result r = run("squeue", "-h", "-o", "%T", "-j", String.join(",", ids));
        if (r.exitCode() != 0 && r.output().contains("Invalid job id")) {
            return List.of(); // squeue's answer for one id it has forgotten
        }
        assertThat(r.exitCode()).as("squeue: " + r.output()).isZero();
        return r.output().lines().map(String::strip).filter(s -> !s.isEmpty()).toList();
    }

    private record Result(int exitCode, String output) {
    }

    private static Result run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException(String.join(" ", cmd) + " did not finish within 30 s");
        }
        return new Result(p.exitValue(), out);
    }

    private static long ms(long nanos) {
        return TimeUnit.NANOSECONDS.toMillis(nanos);
    }
}
