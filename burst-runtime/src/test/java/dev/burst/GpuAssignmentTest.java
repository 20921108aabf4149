package dev.burst;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * GPU devices handed to tasks that hold {@code gpu}, without a GPU: workers whose {@code gpu}
 * resource counts devices 0..n-1, and commands that print the {@code CUDA_VISIBLE_DEVICES} they got.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class GpuAssignmentTest {
    private static final TaskOptions ONE_GPU = TaskOptions.builder().resources(Resources.of("gpu", 1)).build();

    /** One run of {@link #TIMED}: its devices, and when it started and ended (epoch nanoseconds). */
    record Run(String devices, long start, long end) {
        static Run of(CommandResult r) {
            assertThat(r.exitCode()).as("%s", r).isZero();
            String[] lines = r.stdout().split("\n");
            return new Run(lines[0], Long.parseLong(lines[1]), Long.parseLong(lines[2]));
        }

        boolean overlaps(Run o) {
            return start < o.end && o.start < end;
        }
    }

    private static final Command TIMED = Command.of("/bin/sh", "-c",
            "echo \"$CUDA_VISIBLE_DEVICES\"; date +%s%N; sleep 0.3; date +%s%N");

    private static List<Run> runSix(Client client) throws Exception {
        List<TaskFuture<CommandResult>> futures = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            futures.add(client.submit(TIMED, ONE_GPU));
        }
        List<Run> runs = new ArrayList<>();
        for (TaskFuture<CommandResult> f : futures) {
            CommandResult r = f.get(60, TimeUnit.SECONDS);
            assertThat(r.gpus()).hasSize(1);
            Run run = Run.of(r);
            assertThat(run.devices()).isEqualTo(String.valueOf(r.gpus().get(0)));
            runs.add(run);
        }
        return runs;
    }

    private static void assertNoSharing(List<Run> runs) {
        assertThat(runs).allSatisfy(r -> assertThat(r.devices()).isIn("0", "1"));
        for (Run a : runs) {
            for (Run b : runs) {
                if (a != b && a.overlaps(b)) {
                    assertThat(b.devices()).as("tasks running at once share a device: %s and %s", a, b).isNotEqualTo(a.devices());
                }
            }
            // the most running at once is reached at some run's start
            long runningAtStart = runs.stream().filter(r -> r.start <= a.start && a.start < r.end).count();
            assertThat(runningAtStart).as("tasks running when %s started (2 GPUs)", a).isLessThanOrEqualTo(2);
        }
    }

    @Test
    void inProcessWorkerGivesEachGpuTaskItsOwnDevice() throws Exception {
        try (LocalCluster cluster = LocalCluster.builder().workers(1).threadsPerWorker(4).resources(Resources.of("gpu", 2)).build();
             Client client = Client.connect(cluster)) {
            List<Run> runs = runSix(client);
            assertNoSharing(runs);
            assertThat(runs).extracting(Run::devices).contains("0", "1"); // both used
            // the ledger: six commands held one device for >= 0.3 s each; the worker's 2 devices were allocated throughout
            ClusterUsage usage = cluster.usage();
            assertThat(usage.busyGpuSeconds()).isGreaterThanOrEqualTo(6 * 0.3);
            assertThat(usage.allocatedGpuSeconds()).isGreaterThanOrEqualTo(usage.busyGpuSeconds());

            // a command without gpu on a GPU worker sees no device
            CommandResult none = client.submit(Command.of("/bin/sh", "-c", "echo \"[${CUDA_VISIBLE_DEVICES-unset}]\"")).get();
            assertThat(none.stdout()).isEqualTo("[]\n");
            assertThat(none.gpus()).isEmpty();

            // Java tasks ask TaskContext
            assertThat(client.submit(() -> TaskContext.gpus(), TaskOptions.builder().resources(Resources.of("gpu", 2)).build())
                    .get()).containsExactly(0, 1);
            assertThat(client.submit(() -> TaskContext.gpus(), ONE_GPU).get()).hasSize(1);
            assertThat(client.submit(() -> TaskContext.gpus()).get()).isEmpty();
            assertThat(client.submit(() -> TaskContext.workerName().orElseThrow()).get()).isNotEmpty();
            assertThat(TaskContext.gpus()).isEmpty(); // not in a task
            assertThat(TaskContext.inTask()).isFalse();

            // a fraction of a device cannot be given to one task alone: a clear task failure
            assertThat(client.submit(() -> 1, TaskOptions.builder().resources(Resources.of("gpu", 0.5)).build()))
                    .failsWithin(Duration.ofSeconds(30)).withThrowableThat().withMessageContaining("whole number of GPUs");
            // and devices are all back afterwards
            assertThat(client.submit(() -> TaskContext.gpus(), TaskOptions.builder().resources(Resources.of("gpu", 2)).build())
                    .get()).containsExactly(0, 1);
        }
    }

    @Test
    void cancellingACommandStopsItsProcessAndFreesTheDevice(@TempDir Path temp) throws Exception {
        try (LocalCluster cluster = LocalCluster.builder().workers(1).threadsPerWorker(2).resources(Resources.of("gpu", 1)).build();
             Client client = Client.connect(cluster)) {
            Path pidFile = temp.resolve("pid");
            TaskFuture<CommandResult> f = client.submit(Command.of("/bin/sh", "-c", "sleep 60 & echo $! > " + pidFile + "; wait"), ONE_GPU);
            await().atMost(Duration.ofSeconds(20)).until(() -> Files.exists(pidFile) && !Files.readString(pidFile).isBlank());
            long pid = Long.parseLong(Files.readString(pidFile).strip());
            assertThat(f.cancel(true)).isTrue();
            await().atMost(Duration.ofSeconds(10)).until(() -> ProcessHandle.of(pid).map(h -> !h.isAlive()).orElse(true));
            assertThat(client.submit(() -> TaskContext.gpus(), ONE_GPU).get(30, TimeUnit.SECONDS)).containsExactly(0);
        }
    }

    @Test
    void workerProcessesGetDevicesFromTheirGpuResource() throws Exception {
        try (LocalCluster cluster = LocalCluster.builder().processes(true).workers(1).threadsPerWorker(2)
                .resources(Resources.of("gpu", 2)).build();
             Client client = Client.connect(cluster)) {
            List<TaskFuture<CommandResult>> futures = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                futures.add(client.submit(TIMED, ONE_GPU));
            }
            List<Run> runs = new ArrayList<>();
            for (TaskFuture<CommandResult> f : futures) {
                CommandResult r = f.get(60, TimeUnit.SECONDS);
                assertThat(r.gpus()).hasSize(1);
                assertThat(r.worker()).isNotEmpty();
                runs.add(Run.of(r));
            }
            assertNoSharing(runs);
            assertThat(runs).extracting(Run::devices).contains("0", "1");
            assertThat(client.submit(() -> TaskContext.gpus(), TaskOptions.builder().resources(Resources.of("gpu", 2)).build())
                    .get(60, TimeUnit.SECONDS)).containsExactly(0, 1);
            // GPU-seconds travel in the heartbeats (one a second)
            await().atMost(Duration.ofSeconds(10)).until(() -> cluster.usage().busyGpuSeconds() >= 4 * 0.3);
            assertThat(cluster.usage().allocatedGpuSeconds()).isGreaterThanOrEqualTo(cluster.usage().busyGpuSeconds());
        }
    }
}
