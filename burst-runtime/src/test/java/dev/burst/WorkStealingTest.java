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
import static org.assertj.core.api.Assertions.assertThatThrownBy;
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
        try (LocalCluster cluster = twoOneThreadWorkers(processes); Client client = Client.connect(cluster)) {
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

    /** Two one-thread workers, in this JVM or as worker processes. */
    private static LocalCluster twoOneThreadWorkers(boolean processes) {
        LocalCluster.Builder builder = LocalCluster.builder().workers(2).threadsPerWorker(1);
        if (processes) {
            builder.processes(true).workerClasspath(ProcessClusterTest.burstOnlyClasspath());
        }
        return builder.build();
    }

    /** A task that fails, for the sequence below; a subclass of RuntimeException, as users throw. */
    static final class Exploded extends RuntimeException {
        Exploded(String message) {
            super(message);
        }
    }

    /**
     * Stealing goes on after a task failed (it stopped once): a result, then a task that fails on
     * an input, its future still held; then a long task and short ones right after it. Every short
     * task finishes while the long one still runs.
     */
    @ParameterizedTest(name = "processes={0}")
    @ValueSource(booleans = {false, true})
    void stealingGoesOnAfterAFailedTask(boolean processes, @TempDir Path dir) throws Exception {
        String release = dir.resolve("release-the-long-task").toString();
        try (LocalCluster cluster = twoOneThreadWorkers(processes); Client client = Client.connect(cluster)) {
            assertThat(client.submit(() -> 41 + 1).get(60, TimeUnit.SECONDS)).isEqualTo(42);
            TaskFuture<Integer> seven = client.submit(() -> 7);
            TaskFuture<Integer> failed = client.submit((Integer x) -> {
                throw new Exploded("no " + x);
            }, seven);
            assertThatThrownBy(() -> failed.get(60, TimeUnit.SECONDS)).hasMessageContaining("no 7");
            // Unnamed, as a user writes them; the long one spins (it holds its core) until let go.
            TaskFuture<String> longOne = client.submit(() -> {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(100);
                long spins = 0;
                while (System.nanoTime() < deadline && (++spins % 100_000 != 0 || !Files.exists(Path.of(release)))) {
                    Thread.onSpinWait();
                }
                return "long";
            });
            List<TaskFuture<Integer>> shorts = new java.util.ArrayList<>();
            for (int i = 1; i <= 5; i++) {
                int x = i;
                shorts.add(client.submit(() -> x * 10));
            }
            assertThat(client.gather(shorts, Duration.ofSeconds(60))).containsExactly(10, 20, 30, 40, 50);
            assertThat(longOne.isDone()).as("every short task finished while the long one ran").isFalse();
            Files.createFile(Path.of(release));
            assertThat(longOne.get(60, TimeUnit.SECONDS)).isEqualTo("long");
            assertThat(failed.isDone()).isTrue();
        }
    }
}
