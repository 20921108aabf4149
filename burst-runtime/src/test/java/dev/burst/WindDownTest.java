package dev.burst;

import dev.burst.internal.cluster.NetworkScheduler;
import dev.burst.internal.localpools.ProcessWorkers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Winding a cluster down (what a gateway does when a budget is spent), with real worker processes:
 * new tasks are refused with the reason, a running task finishes, results computed before move to
 * the keeper in the scheduler's process and stay fetchable after every worker process is gone.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class WindDownTest {
    private static final String WHY = "budget of 100 core-seconds spent: 100.4 used of 100";

    @Test
    void newTasksAreRefusedRunningOnesFinishAndResultsOutliveTheWorkers() throws Exception {
        try (LocalCluster cluster = LocalCluster.builder().processes(true).workers(2).threadsPerWorker(1)
                .workerClasspath(ProcessClusterTest.burstOnlyClasspath()).build();
             Client client = Client.connect(cluster)) {
            List<Process> workers = cluster.processes().workerProcesses().stream()
                    .map(ProcessWorkers.WorkerProcess::process).toList();
            TaskFuture<Integer> computed = client.submit(() -> 6 * 7);
            await().atMost(Duration.ofSeconds(30)).until(computed::isDone); // done, not fetched: it stays on its worker
            TaskFuture<String> running = client.submit(() -> {
                Thread.sleep(1_500);
                return "finished";
            });
            await().atMost(Duration.ofSeconds(30)).until(() -> cluster.status().tasks().processing() == 1);

            var wound = cluster.windDown(WHY, Duration.ofSeconds(30));
            assertThat(cluster.windDownReason()).contains(WHY);

            TaskFuture<Integer> refused = client.submit(() -> 1);
            assertThatThrownBy(refused::get).isInstanceOf(ExecutionException.class)
                    .cause().isInstanceOf(WorkRefusedException.class).hasMessage(WHY);
            assertThatThrownBy(() -> cluster.scale(3)).isInstanceOf(IllegalStateException.class).hasMessageContaining(WHY);

            assertThat(running.get(30, TimeUnit.SECONDS)).isEqualTo("finished");
            wound.get(30, TimeUnit.SECONDS);
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                assertThat(workers).allSatisfy(p -> assertThat(p.isAlive()).isFalse());
                assertThat(cluster.schedulerNode().workerIds()).singleElement()
                        .satisfies(id -> assertThat(cluster.schedulerNode().workerName(id)).isEqualTo(NetworkScheduler.RESULT_KEEPER));
            });
            assertThat(computed.get(30, TimeUnit.SECONDS)).isEqualTo(42); // fetched from the keeper
        }
    }
}
