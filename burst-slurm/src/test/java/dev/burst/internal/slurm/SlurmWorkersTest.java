package dev.burst.internal.slurm;

import dev.burst.spi.PoolWorker;
import dev.burst.spi.WorkerPool;
import dev.burst.spi.WorkerShape;

import dev.burst.internal.core.ResourceAmounts;
import dev.burst.internal.transport.BurstAddress;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** {@link SlurmWorkers} against fake sbatch/squeue/scancel scripts (see {@link FakeSlurm}). */
class SlurmWorkersTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    @TempDir
    Path tmp;

    /** What the manager told its listener, in order. */
    record Report(String kind, String worker, String reason) {
    }

    final List<Report> reports = new CopyOnWriteArrayList<>();
    final WorkerPool.Events listener = new WorkerPool.Events() {
        @Override
        public void startFailed(String worker, String reason) {
            reports.add(new Report("startFailed", worker, reason));
        }

        @Override
        public void workerEnded(String worker, String reason) {
            reports.add(new Report("workerEnded", worker, reason));
        }
    };
    SlurmWorkers workers;

    @AfterEach
    void closeWorkers() {
        if (workers != null) {
            workers.close();
        }
    }

    SlurmWorkers open(FakeSlurm slurm, SlurmSettings.Builder settings) {
        workers = new SlurmWorkers(new WorkerShape(2, 256L << 20, dev.burst.Resources.none()),
                slurm.configure(settings).pollInterval(Duration.ofMillis(20)).build(), listener);
        return workers;
    }

    SlurmSettings.Builder settings() {
        return SlurmSettings.builder("t1", new BurstAddress("127.0.0.1", 4000), tmp.resolve("token"))
                .workDir(tmp.resolve("work")).classpath("/x.jar");
    }

    String awaitJobId(String worker) {
        return await().atMost(WAIT).until(() -> workers.jobId(worker).orElse(null), id -> id != null);
    }

    PoolWorker.State stateOf(String worker) {
        return workers.workers().stream().filter(w -> w.name().equals(worker)).map(PoolWorker::state).findFirst().orElse(null);
    }

    @Test
    void submitsOneScriptPerWorkerAndTracksTheirStates() {
        FakeSlurm slurm = FakeSlurm.accepting(tmp.resolve("slurm"));
        open(slurm, settings().partition("debug").extraDirective("--qos=low"));

        List<String> names = workers.start(2);

        assertThat(names).containsExactly("t1-worker-1", "t1-worker-2");
        String id1 = awaitJobId(names.get(0));
        String id2 = awaitJobId(names.get(1));
        assertThat(List.of(id1, id2)).containsExactlyInAnyOrder("101", "102"); // "101;fakecluster" parsed
        assertThat(slurm.calls("sbatch")).hasSize(2).allMatch(c -> c.startsWith("--parsable " + tmp.resolve("work")));
        String script = slurm.submittedScript(id1);
        assertThat(script).contains("#SBATCH --partition=debug\n", "#SBATCH --qos=low\n", "#SBATCH --cpus-per-task=2\n")
                .containsPattern("--name t1-worker-[12]");
        assertThat(workers.workers()).extracting(PoolWorker::state).containsOnly(PoolWorker.State.PENDING);
        assertThat(workers.runningSince(names.get(0))).isEmpty();

        slurm.setState(id1, "RUNNING");
        await().atMost(WAIT).until(() -> stateOf(names.get(0)) == PoolWorker.State.RUNNING);
        assertThat(workers.runningSince(names.get(0))).isPresent();
        assertThat(stateOf(names.get(1))).isEqualTo(PoolWorker.State.PENDING);
        assertThat(workers.workers()).extracting(PoolWorker::backendId).containsExactlyInAnyOrder("101", "102");
        assertThat(slurm.calls("squeue")).last().asString().contains("-t all").containsPattern("-j (101,102|102,101)");
        assertThat(reports).isEmpty();
    }

    @Test
    void aRefusedJobIsReportedWithSbatchsMessage() {
        FakeSlurm slurm = FakeSlurm.refusing(tmp.resolve("slurm"),
                "sbatch: error: Batch job submission failed: Invalid partition name specified");
        open(slurm, settings().partition("nope"));

        String name = workers.start(1).getFirst();

        await().atMost(WAIT).until(() -> !reports.isEmpty());
        assertThat(reports).containsExactly(new Report("startFailed", name,
                "sbatch refused the job (partition nope): sbatch: error: Batch job submission failed: Invalid partition name specified"));
        assertThat(workers.workers()).isEmpty();
        assertThat(tmp.resolve("work").resolve(name + ".sbatch")).doesNotExist();
    }

    @Test
    void anUnreachableControllerIsNamed() {
        FakeSlurm slurm = FakeSlurm.refusing(tmp.resolve("slurm"),
                "sbatch: error: Batch job submission failed: Unable to contact slurm controller (connect failure)");
        open(slurm, settings());

        workers.start(1);

        await().atMost(WAIT).until(() -> !reports.isEmpty());
        assertThat(reports.getFirst().reason()).startsWith("Slurm is not reachable: ").contains("Unable to contact slurm controller");
    }

    @Test
    void aMissingSbatchIsNamed() {
        workers = new SlurmWorkers(new WorkerShape(1, 256L << 20, dev.burst.Resources.none()),
                settings().commands(tmp.resolve("no-such-sbatch").toString(), "squeue", "scancel").build(), listener);

        workers.start(1);

        await().atMost(WAIT).until(() -> !reports.isEmpty());
        assertThat(reports.getFirst().reason()).startsWith("Slurm is not reachable: cannot run '" + tmp.resolve("no-such-sbatch") + "'")
                .contains("is Slurm installed");
    }

    @Test
    void aJobThatVanishesBeforeRunningFailsToStartWithItsLogTail() throws IOException {
        FakeSlurm slurm = FakeSlurm.accepting(tmp.resolve("slurm"));
        open(slurm, settings());
        String name = workers.start(1).getFirst();
        String id = awaitJobId(name);
        Files.writeString(tmp.resolve("work").resolve(name + ".log"), "starting\nError: Could not find or load main class WorkerMain\n");

        slurm.forget(id);

        await().atMost(WAIT).until(() -> !reports.isEmpty());
        Report r = reports.getFirst();
        assertThat(r.kind()).isEqualTo("startFailed");
        assertThat(r.worker()).isEqualTo(name);
        assertThat(r.reason()).contains("Slurm job " + id + " of worker " + name + " is no longer known to Slurm before it ran",
                "Could not find or load main class WorkerMain");
        assertThat(workers.workers()).isEmpty();
        assertThat(tmp.resolve("work").resolve(name + ".sbatch")).doesNotExist();
    }

    @Test
    void aJobThatFailsRightAfterStartingFailedToStart() {
        FakeSlurm slurm = FakeSlurm.accepting(tmp.resolve("slurm"));
        open(slurm, settings());
        String name = workers.start(1).getFirst();
        String id = awaitJobId(name);
        slurm.setState(id, "RUNNING");
        await().atMost(WAIT).until(() -> stateOf(name) == PoolWorker.State.RUNNING);

        slurm.setState(id, "FAILED");

        await().atMost(WAIT).until(() -> !reports.isEmpty());
        assertThat(reports.getFirst().kind()).isEqualTo("startFailed");
        assertThat(reports.getFirst().reason()).contains("ended FAILED", "(no log");
    }

    @Test
    void stoppedWorkersAreCancelledAndEndQuietly() {
        FakeSlurm slurm = FakeSlurm.accepting(tmp.resolve("slurm"));
        open(slurm, settings());
        List<String> names = workers.start(2);
        String id1 = awaitJobId(names.get(0));
        awaitJobId(names.get(1));
        slurm.setState(id1, "RUNNING");
        await().atMost(WAIT).until(() -> stateOf(names.get(0)) == PoolWorker.State.RUNNING);

        workers.stop(List.of(names.get(0), "not-a-worker"));

        assertThat(stateOf(names.get(0))).isIn(PoolWorker.State.STOPPING, null);
        await().atMost(WAIT).until(() -> stateOf(names.get(0)) == null); // fake scancel: CANCELLED, then gone
        assertThat(slurm.calls("scancel")).containsExactly(id1);
        assertThat(workers.workers()).extracting(PoolWorker::name).containsExactly(names.get(1));
        assertThat(reports).isEmpty();
    }

    @Test
    void closeCancelsEveryTrackedJobAtOnceAndLeavesNoFiles() {
        FakeSlurm slurm = FakeSlurm.accepting(tmp.resolve("slurm"));
        open(slurm, settings());
        List<String> names = workers.start(3);
        List<String> ids = names.stream().map(this::awaitJobId).toList();
        slurm.setState(ids.getFirst(), "RUNNING");

        workers.close();

        assertThat(slurm.calls("scancel")).hasSize(1);
        assertThat(slurm.calls("scancel").getFirst().split(" ")).containsExactlyInAnyOrderElementsOf(ids);
        assertThat(workers.workers()).isEmpty();
        assertThat(tmp.resolve("work")).doesNotExist();
        assertThat(reports).isEmpty();
        assertThatThrownBy(() -> workers.start(1)).hasMessageContaining("closed");
        workers.close(); // idempotent
        assertThat(slurm.calls("scancel")).hasSize(1);
    }

    @Test
    void workersPastTheirLifetimeAreDueForRetirement() {
        FakeSlurm slurm = FakeSlurm.accepting(tmp.resolve("slurm"));
        open(slurm, settings().walltime("00:01:00").lifetime(Duration.ofMillis(300)).lifetimeStagger(Duration.ZERO));
        String name = workers.start(1).getFirst();
        String id = awaitJobId(name);
        assertThat(workers.dueForRetirement(System.nanoTime())).isEmpty();

        slurm.setState(id, "RUNNING");

        await().atMost(WAIT).until(() -> workers.dueForRetirement(System.nanoTime()).contains(name));
        assertThat(workers.retireAfterNanos(name).orElseThrow())
                .isEqualTo(workers.runningSince(name).orElseThrow() + Duration.ofMillis(300).toNanos());
    }

    @Test
    void staggeredLifetimesDiffer() {
        FakeSlurm slurm = FakeSlurm.accepting(tmp.resolve("slurm"));
        open(slurm, settings().walltime("01:00:00"));
        List<String> names = workers.start(3);
        names.forEach(n -> slurm.setState(awaitJobId(n), "RUNNING"));
        await().atMost(WAIT).until(() -> names.stream().allMatch(n -> workers.retireAfterNanos(n).isPresent()));

        List<Long> lifetimes = names.stream()
                .map(n -> workers.retireAfterNanos(n).orElseThrow() - workers.runningSince(n).orElseThrow()).toList();
        assertThat(lifetimes).doesNotHaveDuplicates()
                .allMatch(l -> l <= Duration.ofMinutes(55).toNanos() && l > Duration.ofMinutes(55).minusMinutes(5).toNanos());
    }

    @Test
    void aSignalToTheClientJvmCancelsItsJobs() throws Exception {
        FakeSlurm slurm = FakeSlurm.accepting(tmp.resolve("slurm"));
        Process client = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), ShutdownHookClient.class.getName(),
                slurm.dir.toString(), tmp.resolve("hook-work").toString())
                .redirectErrorStream(true).start();
        try {
            var out = new java.io.BufferedReader(new java.io.InputStreamReader(client.getInputStream()));
            String line;
            while ((line = out.readLine()) != null && !line.equals("ready")) {
                // logging before the jobs are submitted
            }
            assertThat(line).as("the client printed 'ready'").isEqualTo("ready");

            client.destroy(); // SIGTERM, as Ctrl-C's SIGINT: shutdown hooks run

            assertThat(client.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            assertThat(slurm.calls("scancel")).hasSize(1);
            assertThat(slurm.calls("scancel").getFirst().split(" ")).containsExactlyInAnyOrder("101", "102");
        } finally {
            client.destroyForcibly();
        }
    }
}
