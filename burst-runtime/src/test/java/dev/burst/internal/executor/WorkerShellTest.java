package dev.burst.internal.executor;

import dev.burst.internal.core.ResourceAmounts;
import dev.burst.internal.core.StimulusId;
import dev.burst.internal.core.TaskKey;
import dev.burst.internal.core.TaskPriority;
import dev.burst.internal.core.WorkerId;
import dev.burst.internal.worker.GpuSlots;
import dev.burst.internal.worker.WorkerCommand;
import dev.burst.internal.worker.WorkerEvent;
import dev.burst.internal.worker.WorkerState;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The worker shell with a fake environment: execution, fetches, reports, cancel, pause, close and busy time. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class WorkerShellTest {
    private static final WorkerId SELF = new WorkerId("w");
    private static final WorkerId PEER = new WorkerId("peer");
    private static final Duration WAIT = Duration.ofSeconds(20);

    /** A task body of these tests: its inputs in, its value out. */
    interface Body {
        Object call(List<Object> inputs) throws Exception;
    }

    /** Results in a map, tasks are {@link Body}s, peers a map answered at once, reports kept. */
    static final class FakeEnvironment implements WorkerEnvironment {
        final Map<TaskKey, Object> stored = new ConcurrentHashMap<>();
        final Map<TaskKey, Object> peers = new ConcurrentHashMap<>();
        final List<WorkerCommand.Report> reports = new CopyOnWriteArrayList<>();
        final List<String> problems = new CopyOnWriteArrayList<>();
        volatile boolean paused;

        @Override
        public Runnable store(TaskKey key, Object value) {
            stored.put(key, value);
            return null;
        }

        @Override
        public void drop(TaskKey key) {
            stored.remove(key);
        }

        @Override
        public boolean paused() {
            return paused;
        }

        @Override
        public TaskResult run(WorkerCommand.Execute task) throws Exception {
            List<Object> inputs = task.dependencies().stream().map(stored::get).toList();
            Object value = ((Body) task.payload()).call(inputs);
            return new TaskResult(value, 8);
        }

        @Override
        public void fetch(List<WorkerCommand.Fetch> fetches, FetchAnswers answers) {
            for (WorkerCommand.Fetch f : fetches) {
                Object v = peers.get(f.key());
                if (v != null) {
                    answers.fetched(f.key(), v, 8);
                } else {
                    answers.notFetched(f.key(), f.holders().get(0));
                }
            }
        }

        @Override
        public void report(List<SchedulerReport> batch) {
            for (SchedulerReport r : batch) {
                if (r.command() instanceof WorkerCommand.SendFinished f && !stored.containsKey(f.key())) {
                    problems.add("reported " + f.key() + " before storing it");
                }
                reports.add(r.command());
            }
        }
    }

    private final FakeEnvironment env = new FakeEnvironment();
    private WorkerShell shell;
    private final AtomicLong stimuli = new AtomicLong();

    private WorkerShell start(int threads, ResourceAmounts resources, GpuSlots gpus) {
        shell = new WorkerShell(new WorkerState(SELF, resources, 1000), threads, "test-executor-", gpus, env);
        shell.start();
        return shell;
    }

    private WorkerShell start(int threads) {
        return start(threads, ResourceAmounts.of(Map.of("cpu", (double) threads)), GpuSlots.none());
    }

    @AfterEach
    void close() {
        if (shell != null) {
            shell.close(Duration.ofSeconds(5));
        }
        assertThat(env.problems).isEmpty();
    }

    private StimulusId stimulus() {
        return new StimulusId("test", stimuli.incrementAndGet());
    }

    private void compute(TaskKey key, Body body, List<TaskKey> deps, ResourceAmounts resources) {
        Map<TaskKey, List<WorkerId>> whoHas = new java.util.HashMap<>();
        deps.forEach(d -> whoHas.put(d, List.of(PEER)));
        shell.deliver(List.of(new WorkerEvent.ComputeRequested(stimulus(), key, 1, body, deps, whoHas, resources,
                TaskPriority.DEFAULT)));
    }

    private void compute(TaskKey key, Body body) {
        compute(key, body, List.of(), ResourceAmounts.NONE);
    }

    /** A body that says it started, then waits until interrupted and says so. */
    private static Body blocking(CountDownLatch started, AtomicInteger interrupted) {
        return inputs -> {
            started.countDown();
            try {
                new CountDownLatch(1).await(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                interrupted.incrementAndGet();
                throw e;
            }
            return "not interrupted";
        };
    }

    @Test
    void runsATaskAndReportsItOnlyAfterStoringItsResult() {
        start(2);
        TaskKey k = new TaskKey("answer", 1);
        compute(k, inputs -> 42);
        await().atMost(WAIT).until(() -> !env.reports.isEmpty());
        assertThat(env.reports).singleElement().isInstanceOfSatisfying(WorkerCommand.SendFinished.class, f -> {
            assertThat(f.key()).isEqualTo(k);
            assertThat(f.nbytes()).isEqualTo(8);
            assertThat(f.durationNanos()).isPositive();
        });
        assertThat(env.stored).containsEntry(k, 42);
        assertThat(shell.tasksRun()).isEqualTo(1);
    }

    @Test
    void aDependencyIsFetchedFromItsHolderAndBecomesAnInput() {
        start(1);
        TaskKey dep = new TaskKey("dep", 1);
        TaskKey k = new TaskKey("double", 2);
        env.peers.put(dep, 21);
        compute(k, inputs -> (Integer) inputs.get(0) * 2, List.of(dep), ResourceAmounts.NONE);
        await().atMost(WAIT).until(() -> env.stored.get(k) != null);
        assertThat(env.stored).containsEntry(k, 42);
    }

    @Test
    void aDependencyNoHolderHasIsReportedMissing() {
        start(1);
        TaskKey dep = new TaskKey("dep", 1);
        TaskKey k = new TaskKey("needs", 2);
        compute(k, inputs -> "never", List.of(dep), ResourceAmounts.NONE);
        await().atMost(WAIT).until(() -> env.reports.contains(new WorkerCommand.SendDataMissing(k, 1, dep, PEER)));
        assertThat(env.stored).doesNotContainKey(k);
    }

    @Test
    void freeingARunningTaskInterruptsItsThreadAndItsTimeCounts() throws Exception {
        start(1); // the only executor is busy: the deliverer applies the cancel itself
        CountDownLatch started = new CountDownLatch(1);
        AtomicInteger interrupted = new AtomicInteger();
        TaskKey k = new TaskKey("long", 1);
        compute(k, blocking(started, interrupted));
        assertThat(started.await(20, TimeUnit.SECONDS)).isTrue();
        long since = System.nanoTime();
        await().atMost(WAIT).until(() -> shell.busyNanos() >= 50_000_000);
        long cancelling = System.nanoTime();
        shell.deliver(List.of(new WorkerEvent.KeysFreed(stimulus(), List.of(k))));
        await().atMost(WAIT).until(() -> interrupted.get() == 1 && shell.tasksRun() == 1);
        assertThat(shell.busyNanos()).isGreaterThanOrEqualTo(cancelling - since);
        assertThat(env.reports).as("a cancelled task is not reported").isEmpty();
        assertThat(env.stored).doesNotContainKey(k);

        // the executor is free again, with no interrupt left over
        TaskKey next = new TaskKey("next", 2);
        compute(next, inputs -> "ok");
        await().atMost(WAIT).until(() -> "ok".equals(env.stored.get(next)));
    }

    @Test
    void busyTimeCountsTasksWhileTheyRunAndUpToWhereCloseStoppedThem() throws Exception {
        start(2);
        CountDownLatch started = new CountDownLatch(2);
        AtomicInteger interrupted = new AtomicInteger();
        compute(new TaskKey("a", 1), blocking(started, interrupted));
        compute(new TaskKey("b", 2), blocking(started, interrupted));
        assertThat(started.await(20, TimeUnit.SECONDS)).isTrue();
        long since = System.nanoTime();
        // Both still run (none has ended), yet their time shows.
        await().atMost(WAIT).until(() -> shell.busyNanos() >= 2 * 300_000_000L);
        assertThat(shell.tasksRun()).isZero();

        long closing = System.nanoTime();
        shell.close(Duration.ofSeconds(5));
        assertThat(interrupted.get()).isEqualTo(2);
        assertThat(shell.tasksRun()).isEqualTo(2);
        long busy = shell.busyNanos();
        assertThat(busy).isGreaterThanOrEqualTo(2 * (closing - since));
        assertThat(busy).isLessThanOrEqualTo(2 * (System.nanoTime() - since) + 2 * 1_000_000_000L);
        assertThat(shell.busyNanos()).as("a closed worker's figures stay put").isEqualTo(busy);
        assertThat(env.reports).as("tasks cut short by a close are not reported").isEmpty();
    }

    @Test
    void gpuTimeCountsWhileATaskHoldsADevice() throws Exception {
        start(1, ResourceAmounts.of(Map.of("cpu", 1.0, "gpu", 1.0)), new GpuSlots(List.of(0)));
        CountDownLatch started = new CountDownLatch(1);
        AtomicInteger interrupted = new AtomicInteger();
        compute(new TaskKey("train", 1), blocking(started, interrupted), List.of(), ResourceAmounts.of(Map.of("gpu", 1.0)));
        assertThat(started.await(20, TimeUnit.SECONDS)).isTrue();
        await().atMost(WAIT).until(() -> shell.gpuBusyNanos() >= 200_000_000L);
        shell.close(Duration.ofSeconds(5));
        assertThat(shell.gpuBusyNanos()).isGreaterThanOrEqualTo(200_000_000L).isLessThanOrEqualTo(shell.busyNanos());
    }

    @Test
    void pausedExecutorsStartNothingUntilUnpaused() {
        env.paused = true;
        start(1);
        TaskKey k = new TaskKey("later", 1);
        compute(k, inputs -> "ran");
        await().during(Duration.ofMillis(300)).atMost(WAIT).until(() -> !env.stored.containsKey(k));
        env.paused = false; // nobody signals: executors look again on their own
        await().atMost(WAIT).until(() -> "ran".equals(env.stored.get(k)));
    }

    @Test
    void aFailingTaskIsReportedAndItsTimeCounts() {
        start(1);
        TaskKey k = new TaskKey("fails", 1);
        compute(k, inputs -> {
            long end = System.nanoTime() + 30_000_000;
            while (System.nanoTime() < end) {
                Thread.onSpinWait();
            }
            throw new IllegalArgumentException("bad input");
        });
        await().atMost(WAIT).until(() -> env.reports.stream().anyMatch(r -> r instanceof WorkerCommand.SendFailed));
        WorkerCommand.SendFailed failed = (WorkerCommand.SendFailed) env.reports.get(0);
        assertThat(failed.error().message()).contains("bad input");
        assertThat(shell.busyNanos()).isGreaterThanOrEqualTo(30_000_000);
        assertThat(shell.tasksRun()).isEqualTo(1);
    }
}
