package dev.burst;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The ledger counts what a task held: tasks that are still running show as busy while they run,
 * and tasks cut short by closing the cluster count up to where they were stopped, both for the
 * embedded cluster and for worker processes (whose figures come in heartbeats).
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class BusyTimeOfStoppedTasksTest {
    private static final int TASKS = 4;
    private static final double HEARTBEAT_SECONDS = 1.0;

    @TempDir
    Path markers;

    @Test
    void embeddedClusterCountsRunningAndStoppedTasks() throws Exception {
        checkBusyTime(LocalCluster.builder().workers(2).threadsPerWorker(2).build(), 0);
    }

    @Test
    void workerProcessesCountRunningAndStoppedTasks() throws Exception {
        // A worker process's figures reach the ledger by its heartbeat, once a second: at the close
        // they are up to that old (under load the slack of the tasks' earlier start did not cover it).
        checkBusyTime(LocalCluster.builder().processes(true).workers(2).threadsPerWorker(2).build(), HEARTBEAT_SECONDS);
    }

    /** Runs {@link #TASKS} commands that sleep 30 s, closes the cluster while they run, and reads the ledger. */
    private void checkBusyTime(LocalCluster cluster, double staleSeconds) throws Exception {
        long allRunning;
        long closing;
        Client client = Client.connect(cluster);
        try {
            List<TaskFuture<CommandResult>> futures = new ArrayList<>();
            for (int i = 0; i < TASKS; i++) {
                // Each says it started (a marker file), then sleeps far longer than the test waits.
                futures.add(client.submit(Command.of("/bin/sh", "-c", "touch \"$0\"; exec sleep 30",
                        markers.resolve("task-" + i).toString())));
            }
            await().atMost(Duration.ofSeconds(90)).until(() -> markerCount() == TASKS);
            allRunning = System.nanoTime();
            // No task has ended, yet the usage already shows them (worker processes: by the next heartbeat).
            await().atMost(Duration.ofSeconds(60)).until(() -> cluster.usage().busyCoreSeconds() >= TASKS * 2.0);
            assertThat(futures).noneMatch(TaskFuture::isDone);
            closing = System.nanoTime();
            cluster.close();
        } finally {
            client.close();
            cluster.close();
        }
        double ranSeconds = (closing - allRunning) / 1e9;
        ClusterUsage usage = cluster.usage();
        assertThat(usage.busyCoreSeconds())
                .as("busy core-seconds of %d tasks that each ran at least %.2f s before the close (figures up to %.1f s old)",
                        TASKS, ranSeconds, staleSeconds)
                .isGreaterThanOrEqualTo(TASKS * (ranSeconds - staleSeconds));
        assertThat(usage.busyCoreSeconds()).isLessThanOrEqualTo(usage.allocatedCoreSeconds());
        assertThat(usage.tasks()).as("a task cut short ended, well or not").isLessThanOrEqualTo(TASKS);
    }

    private long markerCount() throws IOException {
        try (Stream<Path> files = Files.list(markers)) {
            return files.count();
        }
    }
}
