package dev.burst.internal.scheduler;

import dev.burst.internal.adaptive.ClusterSnapshot;
import dev.burst.internal.adaptive.WorkerView;
import dev.burst.internal.core.ResourceAmounts;
import dev.burst.internal.core.TaskKey;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static dev.burst.internal.scheduler.SchedulerDriver.computeOf;
import static dev.burst.internal.scheduler.SchedulerDriver.key;
import static dev.burst.internal.scheduler.SchedulerDriver.resources;
import static dev.burst.internal.scheduler.SchedulerDriver.task;
import static dev.burst.internal.scheduler.SchedulerDriver.worker;
import static dev.burst.internal.scheduler.SchedulerTaskState.NO_WORKER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** {@link SchedulerState#adaptiveSnapshot()}: what the adaptive policy sees of a real scheduler. */
class SchedulerAdaptiveSnapshotTest {
    private static final double DEFAULT = SchedulerConfig.defaults().defaultDurationNanos();
    private final SchedulerDriver d = new SchedulerDriver();

    private static WorkerView view(ClusterSnapshot s, String name) {
        return s.workers().stream().filter(w -> w.name().equals(name)).findFirst().orElseThrow();
    }

    @Test
    void tasksWithNoWorkerAreWaitingWithTheDefaultDuration() {
        d.submit("c1", List.of(task(key("load", 1)), task(key("load", 2)), task(key("other", 1))),
                key("load", 1), key("load", 2), key("other", 1));
        assertThat(d.state.stateOf(key("load", 1))).isEqualTo(NO_WORKER);

        ClusterSnapshot s = d.state.adaptiveSnapshot();
        assertThat(s.workers()).isEmpty();
        assertThat(s.waitingTasks()).isEqualTo(3);
        assertThat(s.waitingWorkNanos()).isCloseTo(3 * DEFAULT, within(1.0));
    }

    @Test
    void queuedRootTasksUseLearnedDurationsAndWorkersShowThreadsAndProcessing() {
        d.join("a", 2);
        TaskKey first = key("load", 0);
        d.submit("c1", List.of(task(first)), first);
        d.finish("a", first, 100, 2_000_000_000L); // "load" takes 2 s

        List<TaskSpec> more = new ArrayList<>();
        for (int i = 1; i <= 6; i++) {
            more.add(task(key("load", i)));
        }
        d.submit("c1", more, more.stream().map(TaskSpec::key).toArray(TaskKey[]::new));
        int processing = d.state.processingCount(worker("a"));
        assertThat(processing).isEqualTo(3); // ceil(1.1 × 2) root tasks; the rest queue
        assertThat(d.state.queuedCount()).isEqualTo(3);

        ClusterSnapshot s = d.state.adaptiveSnapshot();
        WorkerView a = view(s, "a");
        assertThat(a.threads()).isEqualTo(2);
        assertThat(a.processingTasks()).isEqualTo(3);
        assertThat(a.processingWorkNanos()).isCloseTo(3 * 2e9, within(1.0));
        assertThat(a.storedBytes()).isEqualTo(100);
        assertThat(a.soleNeededResults()).isEqualTo(1); // c1 wants "load-0" and has not received it
        assertThat(a.retiring()).isFalse();
        assertThat(s.waitingTasks()).isEqualTo(3);
        assertThat(s.waitingWorkNanos()).isCloseTo(3 * 2e9, within(1.0));
    }

    @Test
    void tasksNoWorkerCanRunStillCount() {
        d.join("a", 1);
        TaskKey gpu = key("train", 1);
        d.submit("c1", List.of(task(gpu, resources(ResourceAmounts.CPU, 1, "gpu", 1))), gpu);
        assertThat(d.state.stateOf(gpu)).isEqualTo(NO_WORKER);
        ClusterSnapshot s = d.state.adaptiveSnapshot();
        assertThat(s.waitingTasks()).isEqualTo(1);
        assertThat(view(s, "a").processingTasks()).isZero();
    }

    @Test
    void soleNeededResultsFollowTheRetirementRule() {
        d.join("a", 1);
        d.join("b", 1);
        TaskKey x = key("x", 1);
        TaskKey y = key("y", 1);
        TaskKey z = key("z", 1);
        TaskKey gate = key("gate", 1);
        // z needs y and a gate that is not done: y's result is needed by an unfinished dependent.
        var out = d.submit("c1", List.of(task(x), task(y), task(gate), task(z, y, gate)), x, z);
        String xOn = computeOf(out, x).worker().name();
        String yOn = computeOf(out, y).worker().name();
        d.finish(xOn, x);
        d.finish(yOn, y);

        ClusterSnapshot s = d.state.adaptiveSnapshot();
        int soleOnBoth = view(s, "a").soleNeededResults() + view(s, "b").soleNeededResults();
        assertThat(soleOnBoth).isEqualTo(2); // x (c1 wants it) and y (z waits for it)

        // c1 holds x now: losing the workers' copy costs nothing.
        d.received("c1", x);
        s = d.state.adaptiveSnapshot();
        assertThat(view(s, xOn).soleNeededResults()).isEqualTo(xOn.equals(yOn) ? 1 : 0);

        // A copy of y on the other worker: y is no longer sole anywhere...
        String other = yOn.equals("a") ? "b" : "a";
        d.copied(other, y);
        s = d.state.adaptiveSnapshot();
        assertThat(view(s, "a").soleNeededResults() + view(s, "b").soleNeededResults()).isZero();

        // ...until the other holder retires: then the one that stays is the only one to keep it.
        d.retire(other);
        s = d.state.adaptiveSnapshot();
        assertThat(view(s, other).retiring()).isTrue();
        assertThat(view(s, yOn).soleNeededResults()).isEqualTo(1);
    }
}
