package dev.burst.internal.scheduler;

import dev.burst.internal.core.ResourceAmounts;
import dev.burst.internal.core.TaskKey;
import dev.burst.internal.core.TaskPriority;
import dev.burst.internal.scheduler.SchedulerCommand.ComputeTask;
import dev.burst.internal.scheduler.SchedulerCommand.LogWarning;
import dev.burst.internal.scheduler.SchedulerCommand.ReportStalled;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static dev.burst.internal.scheduler.SchedulerDriver.client;
import static dev.burst.internal.scheduler.SchedulerDriver.computed;
import static dev.burst.internal.scheduler.SchedulerDriver.key;
import static dev.burst.internal.scheduler.SchedulerDriver.only;
import static dev.burst.internal.scheduler.SchedulerDriver.resources;
import static dev.burst.internal.scheduler.SchedulerDriver.task;
import static dev.burst.internal.scheduler.SchedulerDriver.worker;
import static dev.burst.internal.scheduler.SchedulerTaskState.NO_WORKER;
import static dev.burst.internal.scheduler.SchedulerTaskState.PROCESSING;
import static org.assertj.core.api.Assertions.assertThat;

/** Named resources: tasks go only where they fit, and tasks that fit nowhere stall visibly. */
class SchedulerResourcesTest {
    private static final ResourceAmounts GPU = resources("gpu", 1);

    private final SchedulerDriver d = new SchedulerDriver();

    @Test
    void aGpuTaskNeverGoesToAWorkerWithoutAGpu() {
        d.join("cpus", 8);
        d.join("gpus", resources("cpu", 1, "gpu", 1));
        List<TaskSpec> specs = new ArrayList<>();
        List<TaskKey> keys = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            keys.add(key(i % 2 == 0 ? "train" : "prep", i));
            specs.add(i % 2 == 0 ? task(keys.get(i), GPU) : task(keys.get(i)));
        }
        var out = d.submit("c", specs, keys.toArray(TaskKey[]::new));
        List<TaskKey> finished = new ArrayList<>();
        List<ComputeTask> all = new ArrayList<>(only(out, ComputeTask.class));
        // Run everything to the end, finishing each task where it was sent.
        while (finished.size() < keys.size()) {
            ComputeTask c = all.stream().filter(x -> !finished.contains(x.key())).findFirst().orElseThrow();
            finished.add(c.key());
            all.addAll(only(d.finish(c.worker().name(), c.key()), ComputeTask.class));
        }
        assertThat(all).filteredOn(c -> c.resources().get("gpu") > 0).hasSize(3)
                .allMatch(c -> c.worker().equals(worker("gpus")));
    }

    @Test
    void aTaskAskingForMoreCpusThanAWorkerHasGoesToOneThatHasThem() {
        d.join("small", 1);
        d.join("large", 4);
        TaskKey k = key("wide", 1);
        var out = d.submit("c", List.of(task(k, resources("cpu", 3))), k);
        assertThat(only(out, ComputeTask.class)).singleElement().extracting(ComputeTask::worker).isEqualTo(worker("large"));
    }

    @Test
    void aTaskNoWorkerCanRunIsParkedWithOneWarningPerRequestAndTheClientIsTold() {
        d.join("cpus", 4);
        TaskKey t1 = key("train", 1);
        TaskKey t2 = key("train", 2);
        TaskKey t3 = key("train", 3);

        var out = d.submit("c1", List.of(task(t1, GPU)), t1);
        assertThat(d.state.stateOf(t1)).isEqualTo(NO_WORKER);
        assertThat(only(out, LogWarning.class)).singleElement().extracting(LogWarning::message).asString()
                .contains("gpu").contains(t1.toString());
        assertThat(only(out, ReportStalled.class)).singleElement().satisfies(s -> {
            assertThat(s.client()).isEqualTo(client("c1"));
            assertThat(s.key()).isEqualTo(t1);
            assertThat(s.reason()).contains("gpu=1.0");
        });
        assertThat(d.state.stallReason(t1)).contains("no worker has the resources");

        // The same request again: the client hears, the log does not repeat itself.
        out = d.submit("c2", List.of(task(t2, GPU)), t2);
        assertThat(only(out, LogWarning.class)).isEmpty();
        assertThat(only(out, ReportStalled.class)).extracting(ReportStalled::client).containsExactly(client("c2"));

        // A different request is a new warning.
        out = d.submit("c1", List.of(task(t3, resources("gpu", 2))), t3);
        assertThat(only(out, LogWarning.class)).hasSize(1);

        // A worker that fits joins: what fits it runs there, the rest stays parked.
        out = d.join("gpu1", resources("cpu", 2, "gpu", 1));
        assertThat(computed(out)).containsExactlyInAnyOrder(t1, t2);
        assertThat(only(out, ComputeTask.class)).allMatch(c -> c.worker().equals(worker("gpu1")));
        assertThat(d.state.stateOf(t3)).isEqualTo(NO_WORKER);
    }

    @Test
    void parkedTasksTakeANewWorkersSlotsBestPriorityFirst() {
        TaskKey low = key("train", 1);
        TaskKey high = key("train", 2);
        TaskKey mid = key("train", 3);
        d.submit("c", List.of(task(low, GPU)), low);
        d.submit("c", List.of(new TaskSpec(high, List.of(), GPU, new TaskPriority(9, 0, 0), 0, null)), high);
        d.submit("c", List.of(new TaskSpec(mid, List.of(), GPU, new TaskPriority(1, 0, 0), 0, null)), mid);
        var out = d.join("gpu1", resources("cpu", 1, "gpu", 1)); // two slots
        assertThat(computed(out)).containsExactly(high, mid);
        assertThat(d.state.stateOf(low)).isEqualTo(SchedulerTaskState.QUEUED);
    }

    @Test
    void withNoWorkersAtAllTasksWaitParkedUntilOneJoins() {
        TaskKey k = key("f", 1);
        var out = d.submit("c", List.of(task(k)), k);
        assertThat(d.state.stateOf(k)).isEqualTo(NO_WORKER);
        assertThat(only(out, ReportStalled.class)).singleElement().extracting(ReportStalled::reason).asString()
                .contains("no workers are connected");
        assertThat(computed(d.join("a", 1))).containsExactly(k);
        assertThat(d.state.stateOf(k)).isEqualTo(PROCESSING);
    }

    @Test
    void clientsWaitingOnAParkedTaskThroughDependentsAreTold() {
        d.join("cpus", 4);
        TaskKey p = key("train", 1);
        TaskKey q = key("score", 2);
        var out = d.submit("c1", List.of(task(p, GPU), task(q, p)), q);
        assertThat(only(out, ReportStalled.class)).singleElement().satisfies(s -> {
            assertThat(s.key()).isEqualTo(q);
            assertThat(s.reason()).contains(p.toString());
        });
    }

    @Test
    void aClientThatComesLaterToATaskParkedBeforeIsToldToo() {
        d.join("cpus", 4);
        TaskKey p = key("train", 1);
        TaskKey q = key("score", 2);
        TaskKey r = key("report", 3);
        d.submit("c1", List.of(task(p, GPU)), p);
        // c2 wants a dependent of the parked task, c3 a dependent of that dependent.
        var out = d.submit("c2", List.of(task(p, GPU), task(q, p)), q);
        assertThat(only(out, ReportStalled.class)).singleElement().satisfies(s -> {
            assertThat(s.client()).isEqualTo(client("c2"));
            assertThat(s.key()).isEqualTo(q);
            assertThat(s.reason()).contains(p.toString()).contains("gpu");
        });
        out = d.submit("c3", List.of(task(p, GPU), task(q, p), task(r, q)), r);
        assertThat(only(out, ReportStalled.class)).singleElement().satisfies(s -> {
            assertThat(s.client()).isEqualTo(client("c3"));
            assertThat(s.key()).isEqualTo(r);
            assertThat(s.reason()).contains(p.toString());
        });
    }

    @Test
    void queuedTasksOnlyTheDepartedWorkerCouldRunAreParkedAndRunWhenOneFitsAgain() {
        d.join("cpus", 4);
        d.join("gpu1", resources("cpu", 1, "gpu", 1)); // two slots
        List<TaskSpec> specs = new ArrayList<>();
        TaskKey[] keys = new TaskKey[4];
        for (int i = 0; i < 4; i++) {
            keys[i] = key("train", i);
            specs.add(task(keys[i], GPU));
        }
        d.submit("c", specs, keys);
        assertThat(d.state.queuedCount()).isEqualTo(2);

        var out = d.leave("gpu1");
        for (TaskKey k : keys) {
            assertThat(d.state.stateOf(k)).as(k.toString()).isEqualTo(NO_WORKER);
        }
        assertThat(d.state.queuedCount()).isZero();
        assertThat(only(out, ReportStalled.class)).extracting(ReportStalled::key).containsExactlyInAnyOrder(keys);
        assertThat(only(out, LogWarning.class)).hasSize(1);

        out = d.join("gpu2", resources("cpu", 1, "gpu", 1));
        assertThat(computed(out)).hasSize(2);
        assertThat(d.state.queuedCount()).isEqualTo(2);
    }

    @Test
    void queuedTasksStayQueuedWhenARemainingWorkerCanStillRunThem() {
        d.join("a", 1);
        d.join("b", 1);
        List<TaskSpec> specs = new ArrayList<>();
        TaskKey[] keys = new TaskKey[6];
        for (int i = 0; i < 6; i++) {
            keys[i] = key("map", i);
            specs.add(task(keys[i]));
        }
        d.submit("c", specs, keys);
        assertThat(d.state.queuedCount()).isEqualTo(2);
        var out = d.leave("a");
        assertThat(only(out, ReportStalled.class)).isEmpty();
        assertThat(d.state.processingCount(worker("b"))).isEqualTo(2);
        assertThat(d.state.queuedCount()).isEqualTo(4);
    }

    @Test
    void aWorkerIsNotStarvedBehindQueuedTasksItCannotRun() {
        d.join("g", resources("cpu", 1, "gpu", 1));
        ResourceAmounts gpu = resources("cpu", 1, "gpu", 1);
        List<TaskSpec> gpuTasks = new ArrayList<>();
        List<TaskKey> gpuKeys = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            TaskKey k = key("train", i);
            gpuTasks.add(task(k, gpu));
            gpuKeys.add(k);
        }
        d.submit("c", gpuTasks, gpuKeys.toArray(TaskKey[]::new));
        TaskKey cpuOnly = key("load", 1000);
        d.submit("c", List.of(task(cpuOnly)), cpuOnly); // queued behind 298 gpu tasks of better priority
        assertThat(d.state.stateOf(cpuOnly)).isEqualTo(SchedulerTaskState.QUEUED);

        var out = d.join("cpu-only", 1);
        assertThat(only(out, ComputeTask.class)).extracting(ComputeTask::key, ComputeTask::worker)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(cpuOnly, worker("cpu-only")));
    }

    @Test
    void aParkedTaskIsNotReportedAgainWhenAWorkerJoinsThatStillDoesNotFit() {
        d.join("a", 1);
        TaskKey k = key("train", 1);
        var first = d.submit("c", List.of(task(k, resources("cpu", 1, "gpu", 1))), k);
        assertThat(only(first, ReportStalled.class)).hasSize(1);
        assertThat(only(d.join("b", 1), ReportStalled.class)).isEmpty();
        assertThat(d.state.stateOf(k)).isEqualTo(NO_WORKER);
        assertThat(computed(d.join("gpu", resources("cpu", 1, "gpu", 1)))).containsExactly(k);
    }
}
