package dev.burst;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Work stealing through the whole stack, as a new user meets it: on two one-thread workers, a
 * long task and short ones submitted after it; the short one sent to the long task's worker (it
 * takes more tasks than threads) moves to the other worker once that one is free, instead of
 * finishing last.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class WorkStealingTest {
    /** Holds the long task until the test lets it go: "long" is a condition, not a duration. */
    static final CountDownLatch RELEASE_LONG = new CountDownLatch(1);

    @Test
    void aShortTaskQueuedBehindALongOneRunsElsewhere() throws Exception {
        try (LocalCluster cluster = LocalCluster.builder().workers(2).threadsPerWorker(1).build();
             Client client = Client.connect(cluster)) {
            TaskFuture<String> longOne = client.submit(() -> {
                RELEASE_LONG.await(50, TimeUnit.SECONDS);
                return "long";
            }, TaskOptions.builder().name("long").build());
            await().atMost(Duration.ofSeconds(10)).until(() -> cluster.status().tasks().processing() == 1);
            List<TaskFuture<Integer>> shorts = client.map(i -> i * 10, List.of(1, 2, 3), TaskOptions.builder().name("short").build());
            // Every short task finishes while the long one still holds its worker.
            assertThat(client.gather(shorts, Duration.ofSeconds(30))).containsExactly(10, 20, 30);
            assertThat(longOne.isDone()).isFalse();
            RELEASE_LONG.countDown();
            assertThat(longOne.get(30, TimeUnit.SECONDS)).isEqualTo("long");
        }
    }
}
