package dev.burst.internal.scheduler;

import dev.burst.internal.core.TaskKey;
import dev.burst.internal.core.TaskPriority;
import dev.burst.internal.core.WorkerId;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static dev.burst.internal.scheduler.SchedulerDriver.computeOf;
import static dev.burst.internal.scheduler.SchedulerDriver.computed;
import static dev.burst.internal.scheduler.SchedulerDriver.key;
import static dev.burst.internal.scheduler.SchedulerDriver.task;
import static dev.burst.internal.scheduler.SchedulerDriver.worker;
import static org.assertj.core.api.Assertions.assertThat;

/** Where tasks go and in which order: placement, root-task queuing, priorities, learned durations. */
class SchedulerPlacementTest {
    private static final long BIG = 1_000_000_000L; // 10 s to move at the default 100 MB/s

    private final SchedulerDriver d = new SchedulerDriver();

    // ---------------------------------------------------------------- placement

    @Test
    void placesEachTaskOnTheWorkerThatCanStartItEarliestCountingThreads() {
        d.join("a", 4);
        d.join("b", 1);
        List<WorkerId> placed = new ArrayList<>();
        for (int i = 1; i <= 4; i++) {
            TaskKey k = key("f", i);
            placed.add(computeOf(d.submit("c", List.of(task(k)), k), k).worker());
        }
        // occupancy ÷ threads: a(4 threads) 0, b 0 -> a; a 0.125 s, b 0 -> b; a 0.125, b 0.5 -> a; a 0.25 -> a
        assertThat(placed).containsExactly(worker("a"), worker("b"), worker("a"), worker("a"));
    }

    @Test
    void aLargeInputKeepsTheDependentWithItsHolderEvenIfThatWorkerIsBusier() {
        TaskKey x = key("load", 1);
        TaskKey z = key("use", 2);
        TaskKey y = key("use", 3);
        d.join("a", 1);
        d.join("b", 1);
        assertThat(computeOf(d.submit("c", List.of(task(x)), x), x).worker()).isEqualTo(worker("a"));
        d.finish("a", x, BIG, 1_000_000);
        assertThat(computeOf(d.submit("c", List.of(task(z, x)), z), z).worker()).isEqualTo(worker("a"));
        // a: 0.5 s of work queued; b: idle but would first copy 1 GB (10 s)
        var out = d.submit("c", List.of(task(y, x)), y);
        assertThat(computeOf(out, y).worker()).isEqualTo(worker("a"));
        assertThat(computeOf(out, y).whoHas()).containsEntry(x, List.of(worker("a")));
    }

    @Test
    void aSmallInputDoesNotOutweighABusyHolder() {
        TaskKey x = key("load", 1);
        TaskKey z = key("use", 2);
        TaskKey y = key("use", 3);
        d.join("a", 1);
        d.join("b", 1);
        d.submit("c", List.of(task(x)), x);
        d.finish("a", x, 1_000, 1_000_000);
        assertThat(computeOf(d.submit("c", List.of(task(z, x)), z), z).worker()).isEqualTo(worker("a"));
        // a: 0.5 s busy; b: 1 kB to copy (10 µs)
        assertThat(computeOf(d.submit("c", List.of(task(y, x)), y), y).worker()).isEqualTo(worker("b"));
    }

    @Test
    void tiesGoToTheWorkerStoringFewerBytes() {
        TaskKey x = key("load", 1);
        TaskKey r = key("other", 2);
        d.join("a", 1);
        d.join("b", 1);
        d.submit("c", List.of(task(x)), x);
        d.finish("a", x, 5_000, 1_000_000);
        assertThat(computeOf(d.submit("c", List.of(task(r)), r), r).worker()).isEqualTo(worker("b"));
    }

    // ---------------------------------------------------------------- root-task queuing

    @Test
    void aOneThreadWorkerGetsAtMostTwoRootTasksOfAnUnknownPrefixAndTheRestQueue() {
        d.join("a", 1); // saturation 1.1: ceil(1.1 × 1) = 2
        List<TaskSpec> specs = new ArrayList<>();
        TaskKey[] keys = new TaskKey[5];
        for (int i = 0; i < 5; i++) {
            keys[i] = key("map", i);
            specs.add(task(keys[i], new TaskPriority(0, 1, i)));
        }
        var out = d.submit("c", specs, keys);
        assertThat(computed(out)).containsExactly(keys[0], keys[1]);
        assertThat(d.state.queuedCount()).isEqualTo(3);
        assertThat(d.state.stateOf(keys[2])).isEqualTo(SchedulerTaskState.QUEUED);
        assertThat(d.state.processingCount(worker("a"))).isEqualTo(2);

        // A finished task makes room for exactly one more, the next in priority order.
        out = d.finish("a", keys[0]);
        assertThat(computed(out)).containsExactly(keys[2]);
        assertThat(d.state.queuedCount()).isEqualTo(2);
        assertThat(d.state.processingCount(worker("a"))).isEqualTo(2);
    }

    @Test
    void aLateWorkerTakesQueuedRootTasks() {
        d.join("a", 1);
        List<TaskSpec> specs = new ArrayList<>();
        TaskKey[] keys = new TaskKey[5];
        for (int i = 0; i < 5; i++) {
            keys[i] = key("map", i);
            specs.add(task(keys[i], new TaskPriority(0, 1, i)));
        }
        d.submit("c", specs, keys);
        var out = d.join("b", 2); // ceil(1.1 × 2) = 3
        assertThat(computed(out)).containsExactly(keys[2], keys[3], keys[4]);
        assertThat(SchedulerDriver.only(out, SchedulerCommand.ComputeTask.class))
                .allMatch(c -> c.worker().equals(worker("b")));
        assertThat(d.state.queuedCount()).isZero();
    }

    @Test
    void tasksWithInputsAreNeverQueued() {
        TaskKey x = key("load", 1);
        d.join("a", 1);
        d.submit("c", List.of(task(x)), x);
        d.finish("a", x);
        List<TaskSpec> specs = new ArrayList<>();
        List<TaskKey> keys = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            keys.add(key("use", 10 + i));
            specs.add(task(keys.get(i), x));
        }
        var out = d.submit("c", specs, keys.toArray(TaskKey[]::new));
        assertThat(computed(out)).containsExactlyInAnyOrderElementsOf(keys);
        assertThat(d.state.queuedCount()).isZero();
    }

    // ---------------------------------------------------------------- learned durations

    @Test
    void learnsDurationsPerPrefixAsAMovingAverage() {
        d.join("a", 4);
        assertThat(d.state.expectedDurationNanos("fast")).isEqualTo(SchedulerConfig.defaults().defaultDurationNanos());
        TaskKey f1 = key("fast", 1);
        TaskKey f2 = key("fast", 2);
        TaskKey s1 = key("slow", 3);
        d.submit("c", List.of(task(f1), task(f2), task(s1)), f1, f2, s1);
        d.finish("a", f1, 10, 100_000);
        assertThat(d.state.expectedDurationNanos("fast")).isEqualTo(100_000);
        d.finish("a", f2, 10, 300_000);
        assertThat(d.state.expectedDurationNanos("fast")).isEqualTo(200_000);
        d.finish("a", s1, 10, 4_000_000_000L);
        assertThat(d.state.expectedDurationNanos("slow")).isEqualTo(4e9);
        assertThat(d.state.expectedDurationNanos("fast")).isEqualTo(200_000);
    }

    @Test
    void veryShortTasksMayFillAWorkerBeyondSaturationToHideLatency() {
        d.join("a", 1);
        TaskKey first = key("tiny", 0);
        d.submit("c", List.of(task(first)), first);
        d.finish("a", first, 8, 1_000); // 1 µs: a thread would idle while results travel
        List<TaskSpec> specs = new ArrayList<>();
        List<TaskKey> keys = new ArrayList<>();
        for (int i = 1; i <= 50; i++) {
            keys.add(key("tiny", i));
            specs.add(task(keys.get(i - 1)));
        }
        assertThat(computed(d.submit("c", specs, keys.toArray(TaskKey[]::new)))).hasSize(50);
        // ...but a prefix with no history still counts as long: it waits.
        TaskKey big = key("big", 99);
        assertThat(computed(d.submit("c", List.of(task(big)), big))).isEmpty();
        assertThat(d.state.stateOf(big)).isEqualTo(SchedulerTaskState.QUEUED);
    }

    @Test
    void aReportWithZeroDurationTeachesNothing() {
        // A worker that already held the result answers with duration 0: nothing ran.
        d.join("a", 1);
        TaskKey k = key("p", 1);
        d.submit("c", List.of(task(k)), k);
        d.finish("a", k, 10, 0);
        assertThat(d.state.expectedDurationNanos("p")).isEqualTo(SchedulerConfig.defaults().defaultDurationNanos());
        // So root-task queuing still holds p tasks back.
        List<TaskSpec> specs = new ArrayList<>();
        List<TaskKey> keys = new ArrayList<>();
        for (int i = 2; i < 10; i++) {
            keys.add(key("p", i));
            specs.add(task(keys.get(keys.size() - 1)));
        }
        assertThat(computed(d.submit("c", specs, keys.toArray(TaskKey[]::new)))).hasSize(2);
    }

    // ---------------------------------------------------------------- priorities

    @Test
    void theQueueServesHigherUserPriorityThenEarlierSubmissionThenGraphOrder() {
        d.join("a", 1); // two slots
        TaskKey g0 = key("g", 0);
        TaskKey g1 = key("g", 1);
        TaskKey g2 = key("g", 2);
        TaskKey g3 = key("g", 3);
        d.submit("c", List.of(task(g0, new TaskPriority(0, 1, 0)), task(g1, new TaskPriority(0, 1, 1)),
                task(g3, new TaskPriority(0, 1, 3)), task(g2, new TaskPriority(0, 1, 2))), g3, g2, g1, g0);
        TaskKey h0 = key("h", 0);
        TaskKey h1 = key("h", 1);
        d.submit("c", List.of(task(h0, new TaskPriority(0, 2, 0)), task(h1, new TaskPriority(5, 2, 1))), h0, h1);
        assertThat(d.state.queuedCount()).isEqualTo(4);

        List<TaskKey> order = new ArrayList<>();
        List<TaskKey> running = new ArrayList<>(List.of(g0, g1));
        while (!running.isEmpty()) {
            TaskKey done = running.remove(0);
            List<TaskKey> next = computed(d.finish("a", done));
            order.addAll(next);
            running.addAll(next);
        }
        assertThat(order).containsExactly(h1, g2, g3, h0);
    }

    @Test
    void withinOneSubmissionTheBestPrioritiesTakeTheFreeSlots() {
        d.join("a", 1); // two slots
        TaskKey low = key("p", 0);
        TaskKey mid = key("p", 1);
        TaskKey high = key("p", 2);
        var out = d.submit("c", List.of(task(low, new TaskPriority(0, 1, 0)), task(mid, new TaskPriority(1, 1, 1)),
                task(high, new TaskPriority(2, 1, 2))), low, mid, high);
        assertThat(computed(out)).containsExactly(high, mid);
        assertThat(d.state.stateOf(low)).isEqualTo(SchedulerTaskState.QUEUED);
    }
}
