package dev.burst;

import dev.burst.internal.localpools.ProcessWorkers;
import dev.burst.internal.schedulernode.SchedulerNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The distributed runtime for real: a scheduler node and worker JVMs on loopback, with TLS and a
 * token. One cluster serves the tests that do not break it; the worker processes are started with
 * only Burst's own classes, so every task function here (a lambda of this test class) reaches them
 * by code shipping.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ProcessClusterTest {
    private static LocalCluster cluster;
    private static Client client;

    /** This JVM's class path without the test classes: what a worker started from Burst's jars has. */
    static List<Path> burstOnlyClasspath() {
        return Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(e -> !e.contains("test-classes"))
                .map(Path::of).collect(Collectors.toList());
    }

    @BeforeAll
    static void start() {
        cluster = LocalCluster.builder().processes(true).workers(2).threadsPerWorker(2)
                .workerClasspath(burstOnlyClasspath()).build();
        client = Client.connect(cluster);
    }

    @AfterAll
    static void stop() {
        if (client != null) {
            client.close();
        }
        if (cluster != null) {
            List<Process> processes = cluster.processes().workerProcesses().stream()
                    .map(ProcessWorkers.WorkerProcess::process).toList();
            cluster.close();
            assertThat(processes).allSatisfy(p -> assertThat(p.isAlive()).as("worker process after close").isFalse());
        }
    }

    private static SchedulerNode scheduler() {
        return cluster.schedulerNode();
    }

    @Test
    void mapAndGatherRunShippedCodeOnWorkerProcesses() {
        List<Integer> inputs = new ArrayList<>();
        for (int i = 0; i < 2_000; i++) {
            inputs.add(i);
        }
        int offset = 7; // captured: the lambda's state travels with it
        List<Integer> out = client.gather(client.map(x -> x * 2 + offset, inputs), Duration.ofSeconds(60));
        for (int i = 0; i < inputs.size(); i++) {
            assertThat(out.get(i)).isEqualTo(i * 2 + offset);
        }
        // both worker processes took part
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(scheduler().workerFigures()).filteredOn(f -> f.tasksRun() > 0).hasSizeGreaterThanOrEqualTo(2));
    }

    /** A user type that exists only on the client's classpath (this test's classes). */
    record Point(long x, long y) implements java.io.Serializable {
        Point plus(Point o) {
            return new Point(x + o.x, y + o.y);
        }
    }

    @Test
    void dependenciesMoveBetweenWorkersDirectly() {
        // a reduction tree over 64 leaves spread over both workers: many inputs live on the other worker
        long fetchedBefore = scheduler().workerFigures().stream().mapToLong(SchedulerNode.WorkerFigures::keysFetched).sum();
        List<TaskFuture<Point>> level = new ArrayList<>();
        for (int i = 0; i < 64; i++) {
            long v = i;
            level.add(client.submit(() -> new Point(v, 2 * v)));
        }
        while (level.size() > 1) {
            List<TaskFuture<Point>> next = new ArrayList<>();
            for (int i = 0; i < level.size(); i += 2) {
                next.add(client.submit(Point::plus, level.get(i), level.get(i + 1)));
            }
            level = next;
        }
        Point total = client.gather(level, Duration.ofSeconds(60)).get(0);
        assertThat(total).isEqualTo(new Point(63 * 64 / 2, 63 * 64));
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(scheduler().workerFigures().stream().mapToLong(SchedulerNode.WorkerFigures::keysFetched).sum())
                        .as("results fetched worker to worker").isGreaterThan(fetchedBefore));
    }

    @Test
    void aFailingTaskReportsItsExceptionWithTheRemoteStack() {
        TaskFuture<Integer> f = client.submit(() -> {
            throw new IllegalStateException("no luck on a worker");
        });
        assertThatThrownBy(() -> f.get(60, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(IllegalStateException.class).hasMessage("no luck on a worker")
                .satisfies(e -> assertThat(e.getStackTrace()).anySatisfy(
                        s -> assertThat(s.getClassName()).startsWith(ProcessClusterTest.class.getName())));
    }

    @Test
    void aFunctionThatCannotBeSerializedIsRefusedAtSubmit() {
        Runnable notSerializable = () -> { }; // a plain lambda: no serialized form
        assertThatThrownBy(() -> client.submit(() -> {
            notSerializable.run();
            return 1;
        }))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("serialize");
    }

    @Test
    void aNullResultAndLargeResultsComeBack() {
        assertThat(client.gather(List.of(client.submit(() -> (String) null)), Duration.ofSeconds(60))).containsExactly((String) null);
        // 12 MiB: more than one gRPC chunk
        byte[] big = client.gather(List.of(client.submit(() -> {
            byte[] b = new byte[12 << 20];
            Arrays.fill(b, (byte) 7);
            return b;
        })), Duration.ofSeconds(60)).get(0);
        assertThat(big).hasSize(12 << 20);
        assertThat(big[big.length - 1]).isEqualTo((byte) 7);
    }

    @Test
    void theClusterUsageCountsWorkerProcesses() {
        client.gather(client.map(x -> x, List.of(1, 2, 3)), Duration.ofSeconds(60));
        ClusterUsage u = cluster.usage();
        assertThat(u.cores()).isEqualTo(4);
        assertThat(u.allocatedCoreSeconds()).isGreaterThan(0);
    }
}
