package dev.burst;

import dev.burst.internal.core.WorkerId;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Random task graphs on the embedded cluster while workers are killed and new ones join: every
 * result must be right, and once the client lets go nothing may stay stored or tracked.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class LocalClusterChaosTest {
    private static final long MOD = 1_000_000_007L;

    private static long spin(int micros) {
        long end = System.nanoTime() + micros * 1000L;
        long x = 0;
        while (System.nanoTime() < end) {
            x++;
        }
        return x;
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5})
    void resultsStayCorrectWhileWorkersDieAndJoin(long seed) throws Exception {
        Random rnd = new Random(seed);
        try (LocalCluster cluster = LocalCluster.builder().workers(3).threadsPerWorker(2).allowedFailures(50).build()) {
            Client client = Client.connect(cluster);
            List<TaskFuture<Long>> futures = new ArrayList<>();
            List<Long> expected = new ArrayList<>();
            AtomicInteger kills = new AtomicInteger();
            for (int i = 0; i < 400; i++) {
                long base = i;
                int work = rnd.nextInt(300);
                int deps = futures.isEmpty() ? 0 : rnd.nextInt(3);
                TaskFuture<Long> f;
                if (deps == 0) {
                    f = client.submit(() -> base + 0 * spin(work));
                    expected.add(base);
                } else if (deps == 1) {
                    int a = rnd.nextInt(futures.size());
                    f = client.submit((Long x) -> (base + x + 0 * spin(work)) % MOD, futures.get(a));
                    expected.add((base + expected.get(a)) % MOD);
                } else {
                    int a = rnd.nextInt(futures.size());
                    int b = rnd.nextInt(futures.size());
                    f = client.submit((Long x, Long y) -> (base + x * 3 + y + 0 * spin(work)) % MOD,
                            futures.get(a), futures.get(b));
                    expected.add((base + expected.get(a) * 3 + expected.get(b)) % MOD);
                }
                futures.add(f);
                if (i % 40 == 39) {
                    List<WorkerId> live = cluster.engine().workerIds();
                    cluster.engine().killWorker(live.get(rnd.nextInt(live.size())));
                    cluster.engine().addWorker();
                    kills.incrementAndGet();
                }
            }
            assertThat(client.gather(futures, Duration.ofSeconds(90))).isEqualTo(expected);
            assertThat(kills.get()).isEqualTo(10);

            futures.forEach(TaskFuture::release);
            client.close();
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                int[] tasks = new int[1];
                cluster.engine().inspect(s -> tasks[0] = s.taskCount());
                assertThat(tasks[0]).as("tasks still on the scheduler's books").isZero();
                assertThat(cluster.engine().storedResults()).as("results still stored on workers").isZero();
            });
        }
    }
}
