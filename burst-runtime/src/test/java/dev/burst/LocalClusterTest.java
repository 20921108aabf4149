package dev.burst;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** The public API on the embedded cluster, as in the README example. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LocalClusterTest {
    private LocalCluster cluster;
    private Client client;

    @BeforeEach
    void start() {
        cluster = LocalCluster.builder().workers(2).threadsPerWorker(1).build();
        client = Client.connect(cluster);
    }

    @AfterEach
    void stop() {
        client.close();
        cluster.close();
    }

    static long simulate(long seed) {
        long x = seed;
        for (int i = 0; i < 1000; i++) {
            x = x * 6364136223846793005L + 1442695040888963407L;
        }
        return x;
    }

    static long sum(long a, long b) {
        return a + b;
    }

    @Test
    void submitWithFutureArgumentIsADependency() throws Exception {
        TaskFuture<Integer> a = client.submit(() -> 21);
        TaskFuture<Integer> b = client.submit(x -> x * 2, a);
        assertThat(b.get(10, TimeUnit.SECONDS)).isEqualTo(42);
        assertThat(a.get()).isEqualTo(21);
        assertThat(b.key()).contains("lambda");
    }

    @Test
    void toCompletableFutureCompletesWithTheResultOrTheTasksException() throws Exception {
        TaskFuture<Integer> ok = client.submit(() -> 20);
        assertThat(ok.toCompletableFuture().thenApply(x -> x + 1).get(10, TimeUnit.SECONDS)).isEqualTo(21);
        TaskFuture<Integer> bad = client.submit(() -> {
            throw new ArithmeticException("no");
        });
        assertThatThrownBy(() -> bad.toCompletableFuture().get(10, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class).cause().isInstanceOf(ArithmeticException.class).hasMessage("no");
    }

    @Test
    void mapAndGatherKeepInputOrder() {
        List<Long> seeds = LongStream.range(0, 500).boxed().toList();
        List<TaskFuture<Long>> fs = client.map(LocalClusterTest::simulate, seeds);
        List<Long> out = client.gather(fs);
        assertThat(out).hasSize(500);
        for (int i = 0; i < 500; i++) {
            assertThat(out.get(i)).isEqualTo(simulate(i));
        }
        assertThat(fs.get(0).key()).startsWith("simulate-");
    }

    @Test
    void nullInputsAndNullResultsAreValues() throws Exception {
        List<TaskFuture<String>> fs = client.map(s -> s == null ? null : s + "!", java.util.Arrays.asList("a", null));
        assertThat(client.gather(fs)).containsExactly("a!", null);
        TaskFuture<Integer> none = client.submit(() -> null);
        assertThat(client.submit(x -> x == null ? -1 : x, none).get(10, TimeUnit.SECONDS)).isEqualTo(-1);
    }

    @Test
    void asCompletedYieldsEveryFutureOnce() {
        List<TaskFuture<Long>> fs = client.map(LocalClusterTest::simulate, LongStream.range(0, 200).boxed().toList());
        Set<String> seen = new HashSet<>();
        for (TaskFuture<Long> f : client.asCompleted(fs)) {
            assertThat(f.isDone()).isTrue();
            assertThat(seen.add(f.key())).isTrue();
        }
        assertThat(seen).hasSize(200);
    }

    @Test
    void delayedReductionTree() throws Exception {
        List<Delayed<Long>> level = new ArrayList<>();
        for (long i = 0; i < 1000; i++) {
            level.add(Delayed.call(x -> x, Delayed.value(i)));
        }
        while (level.size() > 1) {
            List<Delayed<Long>> next = new ArrayList<>();
            for (int i = 0; i + 1 < level.size(); i += 2) {
                next.add(Delayed.call(LocalClusterTest::sum, level.get(i), level.get(i + 1)));
            }
            if (level.size() % 2 == 1) {
                next.add(level.get(level.size() - 1));
            }
            level = next;
        }
        assertThat(client.compute(level.get(0)).get(30, TimeUnit.SECONDS)).isEqualTo(999L * 1000 / 2);
    }

    @Test
    void sharedDelayedNodeRunsOnce() throws Exception {
        AtomicInteger runs = new AtomicInteger();
        Delayed<Integer> shared = Delayed.call(() -> runs.incrementAndGet());
        Delayed<Integer> both = Delayed.call((Integer a, Integer b) -> a + b, shared, shared);
        assertThat(client.compute(both).get(10, TimeUnit.SECONDS)).isEqualTo(2);
        assertThat(runs.get()).isEqualTo(1);
    }

    @Test
    void failedTaskKeepsOriginalExceptionClassMessageAndStack() {
        TaskFuture<Integer> f = client.submit(() -> {
            throw new UncheckedIOException("disk on fire", new IOException("sda"));
        });
        assertThatThrownBy(() -> f.get(10, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(UncheckedIOException.class).hasMessage("disk on fire")
                .satisfies(c -> assertThat(c.getStackTrace()[0].getMethodName()).contains("lambda"));
        TaskFuture<Integer> dependent = client.submit(x -> x + 1, f);
        assertThatThrownBy(() -> client.gather(List.of(dependent)))
                .isInstanceOf(TaskFailedException.class)
                .hasMessageContaining(dependent.key())
                .cause().isInstanceOf(UncheckedIOException.class);
    }

    @Test
    void retriesRerunAFailingTask() throws Exception {
        AtomicInteger attempts = new AtomicInteger();
        TaskFuture<String> f = client.submit(() -> {
            if (attempts.incrementAndGet() < 3) {
                throw new IllegalStateException("flaky");
            }
            return "ok";
        }, TaskOptions.builder().retries(2).build());
        assertThat(f.get(10, TimeUnit.SECONDS)).isEqualTo("ok");
        assertThat(attempts.get()).isEqualTo(3);
    }

    @Test
    void cancelQueuedAndRunningTasks() throws Exception {
        CountDownLatch started = new CountDownLatch(2);
        CountDownLatch stopped = new CountDownLatch(2);
        List<TaskFuture<Integer>> blockers = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            blockers.add(client.submit(() -> {
                started.countDown();
                try {
                    Thread.sleep(60_000);
                    return 1;
                } finally {
                    stopped.countDown();
                }
            }));
        }
        assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
        AtomicInteger queuedRan = new AtomicInteger();
        TaskFuture<Integer> queued = client.submit(queuedRan::incrementAndGet);
        assertThat(queued.cancel(true)).isTrue();
        for (TaskFuture<Integer> b : blockers) {
            assertThat(b.cancel(true)).isTrue();
        }
        assertThat(stopped.await(10, TimeUnit.SECONDS)).as("running tasks interrupted").isTrue();
        assertThatThrownBy(queued::get).isInstanceOf(java.util.concurrent.CancellationException.class);
        // the workers are free again: new work runs
        assertThat(client.submit(() -> 7).get(10, TimeUnit.SECONDS)).isEqualTo(7);
        assertThat(queuedRan.get()).isZero();
    }

    @Test
    void unsatisfiableResourceRequestIsExplainedOnTimeout() {
        TaskFuture<Integer> f = client.submit(() -> 1, TaskOptions.builder().resources(Resources.of("gpu", 1)).build());
        assertThatThrownBy(() -> f.get(300, TimeUnit.MILLISECONDS))
                .isInstanceOf(java.util.concurrent.TimeoutException.class)
                .hasMessageContaining(f.key())
                .hasMessageContaining("gpu");
        assertThatThrownBy(() -> client.gather(List.of(f), java.time.Duration.ofMillis(200)))
                .isInstanceOf(TaskTimeoutException.class)
                .hasMessageContaining("no worker has the resources");
    }

    @Test
    void resourcesAreHonoured() throws Exception {
        try (LocalCluster gpuCluster = LocalCluster.builder().workers(2).threadsPerWorker(2)
                .resources(Resources.of("gpu", 1)).build();
             Client c = Client.connect(gpuCluster)) {
            AtomicInteger concurrent = new AtomicInteger();
            AtomicInteger maxConcurrent = new AtomicInteger();
            TaskOptions gpu = TaskOptions.builder().resources(Resources.of("gpu", 1)).build();
            List<TaskFuture<Integer>> fs = c.map(i -> {
                int now = concurrent.incrementAndGet();
                maxConcurrent.accumulateAndGet(now, Math::max);
                Thread.sleep(20);
                concurrent.decrementAndGet();
                return i;
            }, List.of(1, 2, 3, 4, 5, 6, 7, 8), gpu);
            assertThat(c.gather(fs)).containsExactly(1, 2, 3, 4, 5, 6, 7, 8);
            assertThat(maxConcurrent.get()).as("two workers with one gpu each").isLessThanOrEqualTo(2);
        }
    }

    @Test
    void lostResultsAreRecomputedWhenAWorkerDies() throws Exception {
        AtomicInteger runs = new AtomicInteger();
        List<TaskFuture<Integer>> parts = client.map(i -> {
            runs.incrementAndGet();
            return i * 10;
        }, List.of(1, 2, 3, 4));
        client.gather(parts);
        int before = runs.get();
        cluster.engine().killWorker(cluster.engine().workerIds().get(0));
        TaskFuture<Integer> total = client.submit((Integer a, Integer b) -> a + b, parts.get(0), parts.get(1));
        TaskFuture<Integer> total2 = client.submit((Integer a, Integer b) -> a + b, parts.get(2), parts.get(3));
        assertThat(total.get(10, TimeUnit.SECONDS)).isEqualTo(30);
        assertThat(total2.get(10, TimeUnit.SECONDS)).isEqualTo(70);
        assertThat(runs.get()).as("some inputs recomputed").isGreaterThan(before);
    }

    private int[] booksAndStores() throws InterruptedException {
        int[] tasks = new int[1];
        cluster.engine().inspect(s -> tasks[0] = s.taskCount());
        return new int[] {tasks[0], cluster.engine().storedResults()};
    }

    @Test
    void releasedFuturesFreeTheirResults() throws Exception {
        List<TaskFuture<Integer>> fs = client.map(x -> x + 1, List.of(1, 2, 3, 4, 5, 6, 7, 8));
        assertThat(client.gather(fs)).containsExactly(2, 3, 4, 5, 6, 7, 8, 9);
        assertThat(booksAndStores()).containsExactly(8, 8);
        client.release(fs);
        await().atMost(java.time.Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(booksAndStores()).containsExactly(0, 0));
        assertThat(fs.get(0).get()).as("a released future keeps its value").isEqualTo(2);
    }

    @Test
    void unreachableFuturesAreReleasedByTheGarbageCollector() throws Exception {
        assertThat(client.gather(client.map(x -> x * 3, List.of(1, 2, 3)))).containsExactly(3, 6, 9);
        await().atMost(java.time.Duration.ofSeconds(20)).untilAsserted(() -> {
            System.gc();
            assertThat(booksAndStores()).containsExactly(0, 0);
        });
    }

    @Test
    void usageCountsBusyAndAllocatedCoreSeconds() {
        client.gather(client.map(i -> {
            long end = System.nanoTime() + 20_000_000;
            long x = 0;
            while (System.nanoTime() < end) {
                x++;
            }
            return x;
        }, List.of(1, 2, 3, 4)));
        ClusterUsage u = cluster.usage();
        assertThat(u.tasks()).isEqualTo(4);
        assertThat(u.busyCoreSeconds()).isGreaterThanOrEqualTo(0.08);
        assertThat(u.allocatedCoreSeconds()).isGreaterThanOrEqualTo(u.busyCoreSeconds());
        // CPU time depends on what else the machine runs; it is positive and cannot exceed the allocation
        assertThat(u.cpuSeconds()).isGreaterThan(0).isLessThanOrEqualTo(u.allocatedCoreSeconds() + 0.05);
        assertThat(u.efficiency()).isBetween(0.0, 1.0);
    }

    @Test
    void retiringAWorkerKeepsItsResultsAndRunsNothingTwice() throws Exception {
        try (LocalCluster cluster = LocalCluster.builder().workers(2).build();
             Client client = Client.connect(cluster)) {
            List<Integer> inputs = new java.util.ArrayList<>();
            for (int i = 0; i < 50; i++) {
                inputs.add(i);
            }
            List<TaskFuture<Integer>> futures = client.map(x -> x * 3, inputs);
            client.gather(futures);
            String leaving = cluster.workerNames().get(0);
            assertThat(client.retireWorkers(List.of(leaving), java.time.Duration.ofSeconds(30))).containsExactly(leaving);
            assertThat(cluster.workerNames()).containsExactly(cluster.workerNames().get(0)).doesNotContain(leaving);
            TaskFuture<Integer> sum = client.submit((Integer a, Integer b) -> a + b, futures.get(0), futures.get(49));
            assertThat(sum.get(30, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo(147);
            assertThat(cluster.usage().tasks()).as("50 + the sum; nothing recomputed").isEqualTo(51);
        }
    }
}
