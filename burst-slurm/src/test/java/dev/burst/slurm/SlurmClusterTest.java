package dev.burst.slurm;

import dev.burst.Client;
import dev.burst.TaskFuture;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@link SlurmCluster} against a real Slurm on this machine ({@code bin/slurm-local start}; CI
 * starts it): {@code adapt(0, 2)} submits worker jobs when work is queued, the results are right,
 * and after {@code close()} none of the cluster's jobs is left in the queue. Skipped, loudly, where
 * no Slurm runs.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class SlurmClusterTest {

    @BeforeAll
    static void requireSlurm() {
        String why = null;
        try {
            Process p = new ProcessBuilder("sinfo", "-h", "-o", "%T").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
                why = "sinfo failed: " + out.strip();
            } else if (out.lines().map(String::strip).noneMatch(s -> s.equals("idle") || s.equals("mixed"))) {
                why = "no Slurm node is idle (sinfo: " + out.strip().replace('\n', ' ') + ")";
            }
        } catch (IOException | InterruptedException e) {
            why = "sinfo is not on PATH (" + e.getMessage() + ")";
        }
        if (why != null) {
            System.err.printf("%n************************************************************************%n"
                    + "* SKIPPED: SlurmClusterTest needs a running Slurm: %s%n"
                    + "* Start one with `bin/slurm-local start` (as root), then run the tests.%n"
                    + "************************************************************************%n", why);
        }
        assumeTrue(why == null, "no usable Slurm: " + why);
    }

    private static Set<String> queued() throws Exception {
        Process p = new ProcessBuilder("squeue", "-h", "-o", "%i").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(30, TimeUnit.SECONDS);
        Set<String> ids = new HashSet<>();
        out.lines().map(String::strip).filter(s -> !s.isEmpty()).forEach(ids::add);
        return ids;
    }

    @Test
    void adaptStartsWorkerJobsAndCloseLeavesNoneQueued() throws Exception {
        Set<String> seenJobs = new HashSet<>();
        try (SlurmCluster cluster = SlurmCluster.builder().partition("debug").coresPerWorker(1).memoryPerWorker("256m")
                .walltime("00:10:00").schedulerHost("127.0.0.1").recordUsage(false).build();
             Client client = Client.connect(cluster)) {
            assertThat(cluster.workerCount()).isZero();
            assertThat(cluster.jobIds()).isEmpty(); // nothing submitted before work is queued
            cluster.adapt(0, 2);
            List<TaskFuture<Integer>> fs = client.map(i -> {
                Thread.sleep(300);
                return i * i;
            }, IntStream.range(0, 12).boxed().toList());
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(50)).until(() -> {
                seenJobs.addAll(cluster.jobIds());
                return cluster.workerCount() >= 1;
            });
            assertThat(client.gather(fs, Duration.ofSeconds(120)))
                    .containsExactlyElementsOf(IntStream.range(0, 12).map(i -> i * i).boxed().toList());
            seenJobs.addAll(cluster.jobIds());
            assertThat(seenJobs).as("worker jobs submitted").isNotEmpty().hasSizeLessThanOrEqualTo(2);
            assertThat(queued()).as("the worker jobs are Slurm jobs").containsAnyElementsOf(seenJobs);
            assertThat(cluster.usage().tasks()).isEqualTo(12);
        }
        assertThat(queued()).as("no job of the cluster left after close").doesNotContainAnyElementsOf(seenJobs);
    }

    @Test
    void aRefusedJobIsReportedNamingThePartitionAndNothingIsLeftQueued() throws Exception {
        Set<String> before = queued();
        try (SlurmCluster cluster = SlurmCluster.builder().partition("nosuchpartition").schedulerHost("127.0.0.1")
                .memoryPerWorker("256m").walltime("00:05:00").recordUsage(false).build();
             Client client = Client.connect(cluster)) {
            cluster.adapt(0, 1);
            TaskFuture<Integer> f = client.submit(() -> 1);
            await().atMost(Duration.ofSeconds(60)).until(() -> cluster.startProblem(1).isPresent());
            assertThat(cluster.startProblem(1).orElseThrow()).contains("sbatch refused").contains("nosuchpartition");
            assertThatThrownBy(() -> f.get(200, TimeUnit.MILLISECONDS)).isInstanceOf(java.util.concurrent.TimeoutException.class);
            // it backs off between attempts (2 s, 4 s), and says why it cannot get workers
            await().atMost(Duration.ofSeconds(40)).until(() -> cluster.startProblem(3).isPresent());
            assertThat(cluster.startProblem(3).orElseThrow()).contains("nosuchpartition");
            assertThat(cluster.startProblem(100)).isEmpty();
        }
        assertThat(queued()).isEqualTo(before);
    }

    @Test
    void badSettingsAreRefusedNamingThem() {
        assertThatThrownBy(() -> SlurmCluster.builder().walltime("90 minutes"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'90 minutes'");
        assertThatThrownBy(() -> SlurmCluster.builder().coresPerWorker(0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("coresPerWorker");
        assertThatThrownBy(() -> SlurmCluster.builder().extraDirectives("qos=low"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("qos=low");
    }
}
