package dev.burst;

import dev.burst.internal.localpools.ProcessWorkers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Elastic local clusters: {@code adapt(min, max)} starts workers when work is queued, never more
 * than the maximum, and retires them when they are idle, without losing results that exist only on
 * them; usage counts only the workers' lives.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class AdaptiveClusterTest {

    private static long busy(long millis) throws InterruptedException {
        Thread.sleep(millis);
        return millis;
    }

    @Test
    void inProcessScalesUpFromZeroAndBackDown() throws Exception {
        try (LocalCluster cluster = LocalCluster.builder().workers(0).threadsPerWorker(1).build();
             Client client = Client.connect(cluster)) {
            assertThat(cluster.workerCount()).isZero();
            cluster.adapt(0, 3);
            AtomicInteger peak = new AtomicInteger();
            List<TaskFuture<Long>> fs = client.map(i -> busy(50) + i, IntStream.range(0, 40).boxed().toList());
            Thread watcher = Thread.ofVirtual().start(() -> {
                while (!Thread.currentThread().isInterrupted()) {
                    peak.accumulateAndGet(cluster.workerCount(), Math::max);
                    try {
                        Thread.sleep(5);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
            List<Long> out = client.gather(fs, Duration.ofSeconds(30));
            watcher.interrupt();
            watcher.join();
            assertThat(out).containsExactlyElementsOf(IntStream.range(0, 40).mapToObj(i -> 50L + i).toList());
            assertThat(peak.get()).as("workers at the peak").isBetween(2, 3);
            client.release(fs);
            await().atMost(Duration.ofSeconds(10)).until(() -> cluster.workerCount() == 0);
            ClusterUsage usage = cluster.usage();
            assertThat(usage.tasks()).isEqualTo(40);
            assertThat(usage.busyCoreSeconds()).isGreaterThan(1.9);
            assertThat(usage.allocatedCoreSeconds()).isGreaterThanOrEqualTo(usage.busyCoreSeconds());
            assertThat(usage.cores()).isZero(); // nothing allocated now
        }
    }

    @Test
    void lastWorkerKeepsResultsThatExistNowhereElse() throws Exception {
        // Processes: a result stays on its worker until the client asks for it.
        try (LocalCluster cluster = LocalCluster.builder().processes(true).workers(0).memoryPerWorker("256m").build();
             Client client = Client.connect(cluster)) {
            cluster.adapt(AdaptiveOptions.builder().minimum(0).maximum(2)
                    .idleTimeout(Duration.ZERO).scaleDownDelay(Duration.ZERO).build());
            TaskFuture<Integer> a = client.submit(() -> 41);
            await().atMost(Duration.ofSeconds(10)).until(a::isDone);
            // Idle, but it holds a result no client has received: it must stay until the result is fetched.
            Thread.sleep(300); // several decisions of the 100 ms interval; the worker must still be there
            assertThat(cluster.workerCount()).isEqualTo(1);
            assertThat(client.submit(x -> x + 1, a).get(10, TimeUnit.SECONDS)).isEqualTo(42);
            assertThat(a.get()).isEqualTo(41);
            a.release();
            await().atMost(Duration.ofSeconds(10)).until(() -> cluster.workerCount() == 0);
        }
    }

    @Test
    void processesScaleUpToTheMaximumAndAreGoneAfterClose() throws Exception {
        List<Process> seen = new ArrayList<>();
        try (LocalCluster cluster = LocalCluster.builder().processes(true).workers(0).threadsPerWorker(1)
                .memoryPerWorker("256m").build(); Client client = Client.connect(cluster)) {
            assertThat(cluster.workerCount()).isZero();
            cluster.adapt(0, 2);
            long t0 = System.nanoTime();
            List<TaskFuture<Long>> fs = client.map(i -> busy(200) + i, IntStream.range(0, 12).boxed().toList());
            AtomicInteger peak = new AtomicInteger();
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(10)).until(() -> {
                peak.accumulateAndGet(cluster.workerCount(), Math::max);
                return fs.stream().allMatch(TaskFuture::isDone);
            });
            double wall = (System.nanoTime() - t0) / 1e9;
            assertThat(client.gather(fs)).containsExactlyElementsOf(IntStream.range(0, 12).mapToObj(i -> 200L + i).toList());
            assertThat(peak.get()).isEqualTo(2);
            assertThat(wall).as("two workers share the work").isLessThan(12 * 0.2);
            seen.addAll(cluster.processes().workerProcesses().stream().map(ProcessWorkers.WorkerProcess::process).toList());
            client.release(fs);
            await().atMost(Duration.ofSeconds(15)).until(() -> cluster.workerCount() == 0);
            assertThat(cluster.usage().tasks()).isEqualTo(12);
        }
        assertThat(seen).allSatisfy(p -> assertThat(p.isAlive()).isFalse());
    }
}
