package dev.burst;

import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Work stealing through the whole stack, as a new user meets it: on two one-thread workers, a
 * long task and short ones submitted after it. The short one sent to the long task's worker (a
 * worker takes more tasks than threads) moves to the other worker once that one is free, instead
 * of finishing last. In-process workers and worker processes (the wire messages) alike.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class WorkStealingTest {

    @ParameterizedTest(name = "processes={0}")
    @ValueSource(booleans = {false, true})
    void aShortTaskQueuedBehindALongOneRunsElsewhere(boolean processes, @TempDir Path dir) throws Exception {
        // "Long" is a condition, not a duration: the long task runs until the test lets it go.
        String release = dir.resolve("release-the-long-task").toString();
        LocalCluster.Builder builder = LocalCluster.builder().workers(2).threadsPerWorker(1);
        if (processes) {
            builder.processes(true).workerClasspath(ProcessClusterTest.burstOnlyClasspath());
        }
        try (LocalCluster cluster = builder.build(); Client client = Client.connect(cluster)) {
            TaskFuture<String> longOne = client.submit(() -> {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(100);
                while (!Files.exists(Path.of(release)) && System.nanoTime() < deadline) {
                    Thread.sleep(5);
                }
                return "long";
            }, TaskOptions.builder().name("long").build());
            await().atMost(Duration.ofSeconds(30)).until(() -> cluster.status().tasks().processing() == 1);
            List<TaskFuture<Integer>> shorts = client.map(i -> i * 10, List.of(1, 2, 3), TaskOptions.builder().name("short").build());
            // Every short task finishes while the long one still holds its worker.
            assertThat(client.gather(shorts, Duration.ofSeconds(60))).containsExactly(10, 20, 30);
            assertThat(longOne.isDone()).isFalse();
            Files.createFile(Path.of(release));
            assertThat(longOne.get(60, TimeUnit.SECONDS)).isEqualTo("long");
        }
    }
}
