package dev.burst.internal.cluster;

import dev.burst.internal.localpools.InProcessWorkers;
import dev.burst.spi.PoolWorker;
import dev.burst.spi.WorkerPool;
import dev.burst.spi.WorkerShape;

import dev.burst.internal.adaptive.AdaptiveSettings;
import dev.burst.internal.core.ClientId;
import dev.burst.internal.core.ResourceAmounts;
import dev.burst.internal.core.TaskError;
import dev.burst.internal.core.TaskKey;
import dev.burst.internal.core.TaskPriority;
import dev.burst.internal.core.WorkerId;
import dev.burst.internal.loop.ClientLink;
import dev.burst.internal.loop.SchedulerLoop;
import dev.burst.internal.scheduler.SchedulerConfig;
import dev.burst.internal.scheduler.SchedulerEvent;
import dev.burst.internal.scheduler.SchedulerState;
import dev.burst.internal.scheduler.TaskSpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The adaptive controller against a real scheduler loop and a scripted backend whose workers never
 * join: what it asks the backend for when starts fail and when requested workers wait in a queue.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AdaptiveControllerTest {
    private final SchedulerLoop loop = new SchedulerLoop(new SchedulerState(SchedulerConfig.defaults()), "test");
    private AdaptiveController controller;

    /** A backend whose workers never join; each start is recorded, and may fail at once. */
    private static final class ScriptedBackend implements WorkerPool {
        final List<String> started = new CopyOnWriteArrayList<>();
        final List<String> stopped = new CopyOnWriteArrayList<>();
        final boolean failStarts;
        final PoolWorker.State state;
        volatile WorkerPool.Events listener;
        final AtomicInteger numbers = new AtomicInteger();

        ScriptedBackend(boolean failStarts, PoolWorker.State state) {
            this.failStarts = failStarts;
            this.state = state;
        }

        @Override
        public WorkerShape shape() {
            return new WorkerShape(1, 1 << 30, dev.burst.Resources.none());
        }

        @Override
        public List<String> start(int n) {
            List<String> names = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                String name = "w" + numbers.incrementAndGet();
                names.add(name);
                if (failStarts) {
                    listener.startFailed(name, "sbatch refused the job (partition nope): invalid partition specified");
                } else {
                    started.add(name);
                }
            }
            return names;
        }

        @Override
        public void stop(Collection<String> workers) {
            stopped.addAll(workers);
            started.removeAll(workers);
        }

        @Override
        public List<PoolWorker> workers() {
            return started.stream().map(n -> new PoolWorker(n, state, 0L, "")).toList();
        }

        @Override
        public void close() {
        }
    }

    private static final ClientLink NO_CLIENT = new ClientLink() {
        @Override
        public void done(TaskKey key, List<WorkerId> holders) {
        }

        @Override
        public void erred(TaskKey key, TaskError error) {
        }

        @Override
        public void stalled(TaskKey key, String reason) {
        }

        @Override
        public void flush() {
        }

        @Override
        public void clusterClosed(String reason) {
        }
    };

    private void submit(int tasks) {
        ClientId client = loop.addClient(NO_CLIENT);
        List<TaskSpec> specs = IntStream.range(0, tasks).mapToObj(i -> new TaskSpec(new TaskKey("work", i), List.of(),
                ResourceAmounts.NONE, TaskPriority.DEFAULT, 0, "fn")).toList();
        loop.post(new SchedulerEvent.GraphSubmitted(loop.stimulus("submit"), client, specs,
                specs.stream().map(TaskSpec::key).toList()));
    }

    private static AdaptiveSettings settings(long arrivalTimeoutMs) {
        return new AdaptiveSettings(0, 4, 5_000_000_000L, 250_000_000L, 250_000_000L,
                1_000_000_000L, 60_000_000_000L, arrivalTimeoutMs * 1_000_000L);
    }

    @AfterEach
    void stop() {
        if (controller != null) {
            controller.close();
        }
        loop.close("test over");
    }

    @Test
    void failedStartsBackOffInsteadOfATightLoop() throws Exception {
        loop.start();
        ScriptedBackend backend = new ScriptedBackend(true, PoolWorker.State.RUNNING);
        controller = new AdaptiveController("t", loop, backend, settings(60_000), Duration.ofMillis(20), dev.burst.spi.Ticker.SYSTEM);
        backend.listener = controller;
        loop.onWorkSubmitted(controller::poke);
        submit(40);
        await().atMost(Duration.ofSeconds(5)).until(() -> !controller.lastStartFailure().isEmpty());
        assertThat(controller.lastStartFailure()).contains("invalid partition").contains("partition nope");
        int afterFirst = backend.numbers.get();
        Thread.sleep(2_500); // 125 ticks of 20 ms: without a back-off each would ask again
        // back-off 1 s, then 2 s: at most two more rounds of starts in 2.5 s
        assertThat(backend.numbers.get()).isLessThanOrEqualTo(afterFirst * 3);
        assertThat(backend.numbers.get()).isGreaterThan(afterFirst); // it does try again
    }

    @Test
    void workersQueuedInTheBackendAreNotCancelledAsLate() throws Exception {
        loop.start();
        ScriptedBackend backend = new ScriptedBackend(false, PoolWorker.State.PENDING);
        controller = new AdaptiveController("t", loop, backend, settings(200), Duration.ofMillis(20), dev.burst.spi.Ticker.SYSTEM);
        backend.listener = controller;
        loop.onWorkSubmitted(controller::poke);
        submit(40);
        await().atMost(Duration.ofSeconds(5)).until(() -> backend.started.size() == 4);
        Thread.sleep(1_000); // five times the arrival timeout
        assertThat(backend.stopped).as("queued jobs keep their place").isEmpty();
        assertThat(backend.numbers.get()).as("and are not asked for twice").isEqualTo(4);
    }

    @Test
    void runningWorkersThatNeverJoinAreCancelledAfterTheArrivalTimeout() throws Exception {
        loop.start();
        ScriptedBackend backend = new ScriptedBackend(false, PoolWorker.State.RUNNING);
        controller = new AdaptiveController("t", loop, backend, settings(200), Duration.ofMillis(20), dev.burst.spi.Ticker.SYSTEM);
        backend.listener = controller;
        loop.onWorkSubmitted(controller::poke);
        submit(40);
        await().atMost(Duration.ofSeconds(5)).until(() -> backend.stopped.size() >= 4);
        assertThat(backend.stopped).startsWith("w1");
    }

    @Test
    void theArrivalTimeoutRunsOnTheInjectedClockNotOnTheWallClock() {
        loop.start();
        ScriptedBackend backend = new ScriptedBackend(false, PoolWorker.State.RUNNING);
        java.util.concurrent.atomic.AtomicLong now = new java.util.concurrent.atomic.AtomicLong(1_000_000_000L);
        controller = new AdaptiveController("t", loop, backend, settings(60_000), Duration.ofMillis(20), now::get);
        backend.listener = controller;
        loop.onWorkSubmitted(controller::poke);
        submit(40);
        await().atMost(Duration.ofSeconds(5)).until(() -> backend.started.size() == 4);
        assertThat(backend.stopped).as("the injected clock has not moved: nobody is late").isEmpty();
        now.addAndGet(61_000_000_000L); // a minute passes, in an instant
        await().atMost(Duration.ofSeconds(5)).until(() -> backend.stopped.size() >= 4);
        assertThat(backend.stopped).startsWith("w1");
    }

    /** In-process workers whose life is limited, like batch jobs with a walltime. */
    private static final class ShortLivedWorkers implements WorkerPool {
        final InProcessWorkers inner;
        final java.util.Map<String, Long> startedAt = new java.util.concurrent.ConcurrentHashMap<>();
        final long lifetimeNanos;

        ShortLivedWorkers(dev.burst.internal.embedded.InProcessCluster cluster, long lifetimeNanos) {
            this.inner = new InProcessWorkers(cluster, dev.burst.spi.Ticker.SYSTEM);
            this.lifetimeNanos = lifetimeNanos;
        }

        @Override
        public WorkerShape shape() {
            return inner.shape();
        }

        @Override
        public List<String> start(int n) {
            List<String> names = inner.start(n);
            names.forEach(w -> startedAt.put(w, System.nanoTime()));
            return names;
        }

        @Override
        public void stop(Collection<String> workers) {
            inner.stop(workers);
        }

        @Override
        public List<PoolWorker> workers() {
            return inner.workers();
        }

        @Override
        public java.util.OptionalLong retireAfterNanos(String worker) {
            Long at = startedAt.get(worker);
            return at == null ? java.util.OptionalLong.empty() : java.util.OptionalLong.of(at + lifetimeNanos);
        }

        @Override
        public void close() {
        }
    }

    @Test
    void workersPastTheirLifetimeAreReplacedOneAtATime() throws Exception {
        loop.start(); // unused here, but stopped after each test
        dev.burst.internal.embedded.InProcessCluster cluster = new dev.burst.internal.embedded.InProcessCluster("t", 1,
                ResourceAmounts.NONE, SchedulerConfig.defaults(), dev.burst.internal.usage.UsageLedger.forRun("u", "t", "j", 0, 0),
                new WorkerPool.Events() {
                    @Override
                    public void startFailed(String worker, String reason) {
                    }

                    @Override
                    public void workerEnded(String worker, String reason) {
                    }
                }, dev.burst.spi.Ticker.SYSTEM);
        try {
            ShortLivedWorkers backend = new ShortLivedWorkers(cluster, 300_000_000L);
            AdaptiveSettings two = new AdaptiveSettings(2, 2, 5_000_000_000L, 250_000_000L, 250_000_000L,
                    1_000_000_000L, 60_000_000_000L, 60_000_000_000L);
            AdaptiveController c = new AdaptiveController("t", cluster.loop(), backend, two, Duration.ofMillis(20), dev.burst.spi.Ticker.SYSTEM);
            try {
                await().atMost(Duration.ofSeconds(5)).until(() -> cluster.workerIds().size() == 2);
                long until = System.nanoTime() + 2_000_000_000L;
                int fewest = 2;
                while (System.nanoTime() < until) {
                    fewest = Math.min(fewest, cluster.workerIds().size());
                    Thread.sleep(2);
                }
                assertThat(backend.startedAt.size()).as("workers started: the first two and replacements").isGreaterThanOrEqualTo(5);
                assertThat(fewest).as("never both gone at once: lifetimes retire one worker at a time").isGreaterThanOrEqualTo(1);
            } finally {
                c.close();
            }
        } finally {
            cluster.close();
        }
    }
}
