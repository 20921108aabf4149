package dev.burst;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** {@link ClusterStatus} read from other threads while a cluster works, and {@link ClusterListener}. */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ClusterStatusTest {

    /** About 50 µs of CPU: enough that busy time is measurable, short enough for 100,000 of them. */
    static int spin(int x) {
        long end = System.nanoTime() + 50_000;
        while (System.nanoTime() < end) {
            Thread.onSpinWait();
        }
        return x;
    }

    @Test
    void aStatusReadFromAnotherThreadWhile100kTasksRunAgreesWithTheResults() throws Exception {
        int n = 100_000;
        List<Integer> inputs = IntStream.range(0, n).boxed().toList();
        AtomicLong listenedNanos = new AtomicLong();
        AtomicLong listenedTasks = new AtomicLong();
        List<String> readProblems = new CopyOnWriteArrayList<>();
        AtomicLong reads = new AtomicLong();
        AtomicReference<ClusterStatus> midway = new AtomicReference<>();
        try (LocalCluster cluster = LocalCluster.builder().workers(2).threadsPerWorker(1).recordUsage(false).build();
             Client client = Client.connect(cluster)) {
            cluster.addListener(new ClusterListener() {
                @Override
                public void taskEnded(TaskRecord task) {
                    listenedNanos.addAndGet(task.duration().toNanos());
                    listenedTasks.incrementAndGet();
                }
            });
            AtomicBoolean done = new AtomicBoolean();
            Thread reader = Thread.ofPlatform().name("status-reader").start(() -> {
                long lastDone = 0;
                while (!done.get()) {
                    ClusterStatus s = cluster.status();
                    reads.incrementAndGet();
                    ClusterStatus.Progress p = s.total();
                    if (p.done() < lastDone || p.done() > p.total() || s.workers().size() != 2) {
                        readProblems.add("done " + lastDone + " -> " + p + ", workers " + s.workers().size());
                    }
                    if (p.done() > 0 && p.done() < n && midway.get() == null) {
                        midway.set(s);
                    }
                    lastDone = p.done();
                    try {
                        Thread.sleep(10); // 100 Hz: ten times what a dashboard reads
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
            List<TaskFuture<Integer>> fs = client.map(ClusterStatusTest::spin, inputs);
            assertThat(client.gather(fs)).isEqualTo(inputs);
            done.set(true);
            reader.join();

            assertThat(readProblems).isEmpty();
            assertThat(reads.get()).isGreaterThan(10);
            assertThat(midway.get()).as("a status taken while tasks ran").isNotNull();
            assertThat(midway.get().clients()).isEqualTo(1);

            ClusterStatus end = cluster.status();
            assertThat(end.total().total()).isEqualTo(n);
            assertThat(end.total().done()).isEqualTo(n);
            assertThat(end.total().erred()).isZero();
            assertThat(end.tasks().memory()).isEqualTo(n);
            assertThat(end.idle()).isTrue();
            assertThat(end.progress()).singleElement().satisfies(p -> assertThat(p.prefix()).contains("spin"));
            await().atMost(Duration.ofSeconds(10)).until(() -> listenedTasks.get() == n);
            double busy = end.usage().busyCoreSeconds();
            assertThat(busy).as("busy core-seconds").isGreaterThan(n * 50e-6);
            assertThat(listenedNanos.get() / 1e9).as("task durations the listener saw vs the ledger's busy time")
                    .isCloseTo(busy, org.assertj.core.data.Percentage.withPercentage(5));
            double perWorker = end.workers().stream().mapToDouble(ClusterStatus.Worker::busySeconds).sum();
            assertThat(perWorker).isCloseTo(busy, org.assertj.core.data.Percentage.withPercentage(5));
            assertThat(end.usage().tasks()).isEqualTo(n);
        }
    }

    @Test
    void runningCountsTasksOnThreadsAndTasksSentBeyondThemAreQueuedOnTheWorker() throws Exception {
        // one thread, and a saturation that sends the worker three tasks at once: one runs, two wait there
        try (LocalCluster cluster = LocalCluster.builder().workers(1).threadsPerWorker(1).workerSaturation(3.0)
                .recordUsage(false).build();
             Client client = Client.connect(cluster)) {
            List<TaskFuture<Integer>> slow = client.map(x -> {
                Thread.sleep(60_000);
                return x;
            }, List.of(1, 2, 3));
            await().atMost(Duration.ofSeconds(30)).until(() -> cluster.status().tasks().processing() == 3);
            await().atMost(Duration.ofSeconds(10)).until(() -> cluster.status().tasksRunning() == 1);
            ClusterStatus s = cluster.status();
            assertThat(s.workers()).singleElement().satisfies(w -> {
                assertThat(w.tasksRunning()).isEqualTo(1);
                assertThat(w.tasksQueued()).isEqualTo(2);
            });
            assertThat(s.tasksQueuedOnWorkers()).isEqualTo(2);
            assertThat(s.total().processing()).isEqualTo(3);
            slow.forEach(f -> f.cancel(true));
        }
    }

    @Test
    void aClusterOfProcessesReportsItsWorkersTasksAndLastActivity() throws Exception {
        List<String> joined = new CopyOnWriteArrayList<>();
        try (LocalCluster cluster = LocalCluster.builder().processes(true).workers(2).threadsPerWorker(1)
                .memoryPerWorker("256m").recordUsage(false).build();
             Client client = Client.connect(cluster)) {
            cluster.addListener(new ClusterListener() {
                @Override
                public void workerJoined(String worker) {
                    joined.add(worker);
                }
            });
            ClusterStatus before = cluster.status();
            assertThat(before.workers()).extracting(ClusterStatus.Worker::name).containsExactlyElementsOf(cluster.workerNames());
            assertThat(before.workers()).allSatisfy(w -> assertThat(w.threads()).isEqualTo(1));
            assertThat(before.idle()).isTrue();

            TaskFuture<Integer> slow = client.submit(() -> {
                Thread.sleep(60_000);
                return 1;
            });
            await().atMost(Duration.ofSeconds(30)).until(() -> cluster.status().tasks().processing() == 1);
            // running is what the worker's last heartbeat saw on its thread: at most a second behind
            await().atMost(Duration.ofSeconds(10)).until(() -> cluster.status().tasksRunning() == 1);
            ClusterStatus running = cluster.status();
            assertThat(running.idle()).as("a running task is activity").isFalse();
            assertThat(running.workers()).filteredOn(w -> w.tasksRunning() == 1).hasSize(1);
            assertThat(running.tasksQueuedOnWorkers()).isZero();
            slow.cancel(true);

            List<TaskFuture<Integer>> fs = client.map(x -> x + 1, IntStream.range(0, 1000).boxed().toList());
            client.gather(fs);
            await().atMost(Duration.ofSeconds(10)).until(() -> cluster.status().idle());
            ClusterStatus after = cluster.status();
            assertThat(after.total().done()).isEqualTo(1000);
            assertThat(after.total().total()).as("the cancelled task is not part of the progress").isEqualTo(1000);
            assertThat(after.total().fraction()).isEqualTo(1.0);
            assertThat(after.clients()).isEqualTo(1);
            Duration quiet = after.sinceLastActivity();
            await().atMost(Duration.ofSeconds(10)).until(() -> cluster.status().sinceLastActivity().compareTo(quiet.plusMillis(200)) > 0);

            // a worker that joins later is told to the listener
            cluster.adapt(3, 3);
            await().atMost(Duration.ofSeconds(60)).until(() -> joined.size() == 1);
            assertThat(cluster.status().workers()).hasSize(3);
        }
    }
}
