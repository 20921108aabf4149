package dev.burst;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.burst.internal.localpools.ProcessWorkers;
import dev.burst.internal.schedulernode.SchedulerNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.LoggerFactory;

import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** Worker processes that die, run out of memory, and connections that must be refused. */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ProcessClusterFailureTest {

    @Test
    void aClusterWhoseWorkersCannotStartSaysWhyAndLeavesNoProcessOrFile() throws Exception {
        Path nowhere = Files.createTempDirectory("burst-no-classes");
        List<Path> before = clusterDirs();
        assertThatThrownBy(() -> LocalCluster.builder().processes(true).workers(1).recordUsage(false)
                .workerClasspath(List.of(nowhere.resolve("missing.jar"))).build())
                .isInstanceOf(BurstException.class)
                .hasMessageContaining("cannot start a cluster of worker processes")
                .hasMessageContaining("exited with code")
                .hasMessageContaining("WorkerMain"); // the JVM's own words, from the worker's log
        await().atMost(Duration.ofSeconds(20)).until(() -> ProcessHandle.current().descendants()
                .noneMatch(p -> p.info().commandLine().orElse("").contains("WorkerMain")));
        assertThat(clusterDirs()).as("the cluster's directory is deleted").isEqualTo(before);
        Files.delete(nowhere);
    }

    private static List<Path> clusterDirs() throws java.io.IOException {
        try (var s = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            return s.filter(p -> p.getFileName().toString().startsWith("burst-cluster-")).sorted().toList();
        }
    }

    @Test
    void killingAWorkerWithSigkillMidRunLosesNoResult() throws Exception {
        try (LocalCluster cluster = LocalCluster.builder().processes(true).workers(2).threadsPerWorker(1).build();
             Client client = Client.connect(cluster)) {
            List<Integer> inputs = new ArrayList<>();
            for (int i = 0; i < 30; i++) {
                inputs.add(i);
            }
            List<TaskFuture<Integer>> futures = client.map(x -> {
                Thread.sleep(150);
                return x * x;
            }, inputs);
            // once work is under way on both, kill one worker process outright
            await().atMost(Duration.ofSeconds(60)).until(() -> futures.stream().filter(TaskFuture::isDone).count() >= 4);
            ProcessWorkers.WorkerProcess victim = cluster.processes().workerProcesses().get(0);
            victim.process().destroyForcibly(); // SIGKILL on Linux
            List<Integer> out = client.gather(futures, Duration.ofSeconds(120));
            for (int i = 0; i < inputs.size(); i++) {
                assertThat(out.get(i)).isEqualTo(i * i);
            }
            assertThat(victim.process().isAlive()).isFalse();
            // the cluster replaced the dead worker
            await().atMost(Duration.ofSeconds(60)).until(() -> cluster.workerCount() == 2);
        }
    }

    @Test
    void aWorkerWithLittleMemorySpillsResultsBiggerThanItsLimit() {
        try (LocalCluster cluster = LocalCluster.builder().processes(true).workers(1).threadsPerWorker(1)
                .memoryPerWorker("32m").build();
             Client client = Client.connect(cluster)) {
            List<Integer> sizes = List.of(8 << 20, 8 << 20, 8 << 20, 8 << 20, 8 << 20, 48 << 20);
            List<TaskFuture<byte[]>> results = client.map(n -> {
                byte[] b = new byte[n];
                Arrays.fill(b, (byte) (n % 127));
                return b;
            }, sizes);
            // a dependent task reads spilled inputs back transparently
            TaskFuture<Long> sum = client.submit((byte[] a, byte[] b) -> (long) a.length + b.length, results.get(0), results.get(5));
            assertThat(client.gather(List.of(sum), Duration.ofSeconds(120))).containsExactly((long) (8 << 20) + (48 << 20));
            SchedulerNode scheduler = cluster.schedulerNode();
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                    assertThat(scheduler.workerFigures().get(0).spillCount()).as("results spilled").isGreaterThan(0));
            List<byte[]> out = client.gather(results, Duration.ofSeconds(120));
            for (int i = 0; i < sizes.size(); i++) {
                assertThat(out.get(i)).hasSize(sizes.get(i));
                assertThat(out.get(i)[sizes.get(i) - 1]).isEqualTo((byte) (sizes.get(i) % 127));
            }
        }
    }

    @Test
    void badConnectionsAreRefusedWithOneLogLineAndTheSchedulerKeepsServing() throws Exception {
        ListAppender<ILoggingEvent> logs = new ListAppender<>();
        logs.start();
        Logger transportLog = (Logger) LoggerFactory.getLogger("dev.burst.internal.transport.Transport");
        Logger schedulerLog = (Logger) LoggerFactory.getLogger(SchedulerNode.class);
        transportLog.addAppender(logs);
        schedulerLog.addAppender(logs);
        try (LocalCluster cluster = LocalCluster.builder().processes(true).workers(1).build()) {
            SchedulerNode pcScheduler = cluster.schedulerNode();
            java.nio.file.Path pcTokenFile = cluster.tokenFile().orElseThrow();
            String address = pcScheduler.address().toString();
            int port = pcScheduler.address().port();

            // 1. the right address with another cluster's token
            Path wrong = Files.createTempFile("burst-wrong-token", "");
            try {
                String file = Files.readString(pcTokenFile).replaceAll("token=.*", "token=not-the-token");
                Files.writeString(wrong, file);
                int before = logs.list.size();
                assertThatThrownBy(() -> RemoteClients.connect(address, wrong))
                        .isInstanceOf(BurstException.class).hasMessageContaining("UNAUTHENTICATED");
                await().atMost(Duration.ofSeconds(10)).until(() -> logs.list.size() > before);
                assertThat(logs.list.subList(before, logs.list.size()))
                        .singleElement().satisfies(e -> assertThat(e.getFormattedMessage()).contains("token"));
            } finally {
                Files.deleteIfExists(wrong);
            }

            // 2. garbage bytes on the port
            int before = logs.list.size();
            try (Socket s = new Socket("127.0.0.1", port)) {
                OutputStream out = s.getOutputStream();
                out.write("GET / HTTP/1.0\r\n\r\nnot a burst client".getBytes(StandardCharsets.US_ASCII));
                out.flush();
                assertThat(s.getInputStream().read(new byte[1024])).isLessThan(1024); // closed by the server
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> logs.list.size() > before);
            assertThat(logs.list.subList(before, logs.list.size())).singleElement()
                    .satisfies(e -> assertThat(e.getFormattedMessage()).contains("127.0.0.1"));

            // 3. another protocol version
            int before3 = logs.list.size();
            assertThatThrownBy(() -> RemoteClients.helloWithVersion(address, pcTokenFile, 99))
                    .hasMessageContaining("protocol version 99");
            await().atMost(Duration.ofSeconds(10)).until(() -> logs.list.size() > before3);
            assertThat(logs.list.subList(before3, logs.list.size())).singleElement()
                    .satisfies(e -> assertThat(e.getFormattedMessage()).contains("protocol version 99"));

            // the scheduler still serves a good client
            try (Client client = Client.connect(cluster)) {
                assertThat(client.gather(client.map(x -> x + 1, List.of(1, 2, 3)), Duration.ofSeconds(60))).containsExactly(2, 3, 4);
            }
        } finally {
            transportLog.detachAppender(logs);
            schedulerLog.detachAppender(logs);
        }
    }

    @Test
    void retiringAWorkerCopiesItsResultsSoNothingIsRecomputed() throws Exception {
        try (LocalCluster cluster = LocalCluster.builder().processes(true).workers(2).threadsPerWorker(1).build();
             Client client = Client.connect(cluster)) {
            List<Integer> inputs = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                inputs.add(i);
            }
            List<TaskFuture<Integer>> futures = client.map(x -> x + 1000, inputs);
            client.gather(futures, Duration.ofSeconds(60));
            SchedulerNode scheduler = cluster.schedulerNode();
            await().atMost(Duration.ofSeconds(10)).until(() ->
                    scheduler.workerFigures().stream().mapToLong(SchedulerNode.WorkerFigures::tasksRun).sum() == 40);
            assertThat(scheduler.workerFigures()).allSatisfy(f -> assertThat(f.tasksRun()).isPositive());

            String leaving = cluster.workerNames().get(0);
            assertThat(client.retireWorkers(List.of(leaving, "nobody:1"), Duration.ofSeconds(60))).containsExactly(leaving);
            assertThat(cluster.workerNames()).doesNotContain(leaving).hasSize(1);

            // results that lived on the retired worker are used as inputs without running anything again
            TaskFuture<Integer> sum = client.submit((Integer a, Integer b) -> a + b, futures.get(0), futures.get(39));
            assertThat(sum.get(60, TimeUnit.SECONDS)).isEqualTo(1000 + 1039);
            await().atMost(Duration.ofSeconds(10)).until(() ->
                    scheduler.workerFigures().stream().mapToLong(SchedulerNode.WorkerFigures::tasksRun).sum() >= 41);
            assertThat(scheduler.workerFigures().stream().mapToLong(SchedulerNode.WorkerFigures::tasksRun).sum())
                    .as("tasks run: 40, plus the sum, and no recompute").isEqualTo(41);
            assertThat(cluster.workerCount()).as("a retired worker is not replaced").isEqualTo(1);
        }
    }

    @Test
    void closingTheClusterUnderARunningJobFailsItsFuturesClearlyAndLeavesNoProcess() throws Exception {
        LocalCluster cluster = LocalCluster.builder().processes(true).workers(1).threadsPerWorker(1).build();
        Client client = Client.connect(cluster);
        TaskFuture<Integer> slow = client.submit(() -> {
            Thread.sleep(60_000);
            return 1;
        });
        List<Process> processes = cluster.processes().workerProcesses().stream().map(ProcessWorkers.WorkerProcess::process).toList();
        await().atMost(Duration.ofSeconds(30)).until(() -> cluster.schedulerNode().workerFigures().size() == 1);
        cluster.close();
        assertThatThrownBy(() -> slow.get(30, TimeUnit.SECONDS))
                .isInstanceOf(java.util.concurrent.ExecutionException.class)
                .cause().isInstanceOf(BurstException.class).hasMessageContaining("closed");
        assertThat(processes).allSatisfy(p -> assertThat(p.waitFor(10, TimeUnit.SECONDS)).as("worker process gone").isTrue());
        assertThatThrownBy(() -> client.submit(() -> 2)).isInstanceOf(IllegalStateException.class);
        client.close();
    }
}
