package dev.burst.internal.scheduler;

import dev.burst.internal.core.TaskKey;
import dev.burst.internal.scheduler.SchedulerCommand.ComputeTask;
import dev.burst.internal.scheduler.SchedulerCommand.FreeKeys;
import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.burst.internal.scheduler.SchedulerDriver.computeOf;
import static dev.burst.internal.scheduler.SchedulerDriver.key;
import static dev.burst.internal.scheduler.SchedulerDriver.only;
import static dev.burst.internal.scheduler.SchedulerDriver.task;
import static dev.burst.internal.scheduler.SchedulerDriver.worker;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Work stealing: a short task queued on a worker behind a long one moves to a worker with a free
 * thread; the victim is told to drop it, and a late report of its old run changes nothing.
 */
class SchedulerStealingTest {
    private final SchedulerDriver d = new SchedulerDriver();
    private final TaskKey slow = key("slow", 1);
    private final TaskKey s1 = key("short", 2);
    private final TaskKey s2 = key("short", 3);
    private final TaskKey s3 = key("short", 4);

    @Test
    void aTaskWaitingBehindALongOneMovesToAWorkerWithAFreeThread() {
        d.join("a", 1);
        d.join("b", 1);
        var out = d.submit("c", List.of(task(slow), task(s1), task(s2), task(s3)), slow, s1, s2, s3);
        // One thread each, more than one task each (saturation): someone waits behind the slow task.
        WorkerPlacement placed = WorkerPlacement.of(out, slow);
        String slowOn = placed.worker();
        String other = slowOn.equals("a") ? "b" : "a";
        List<TaskKey> behindSlow = placed.others();
        assertThat(behindSlow).as("tasks queued on the slow task's worker").isNotEmpty();

        // The other worker runs out of work: it takes the newest task waiting behind the slow one.
        List<SchedulerCommand> after = null;
        for (TaskKey k : placed.keysOn(out, other)) {
            after = d.finish(other, k);
        }
        TaskKey stolen = behindSlow.get(behindSlow.size() - 1);
        assertThat(only(after, FreeKeys.class)).singleElement().satisfies(f -> {
            assertThat(f.worker()).isEqualTo(worker(slowOn));
            assertThat(f.keys()).containsExactly(stolen);
        });
        ComputeTask moved = computeOf(after, stolen);
        assertThat(moved.worker()).isEqualTo(worker(other));
        assertThat(d.state.processingOn(stolen)).isEqualTo(worker(other));

        // The victim's late report of the old run is ignored; the thief's counts.
        assertThat(d.finishRun(slowOn, stolen, d.runOf(slowOn, stolen), 100, 1_000)).isEmpty();
        assertThat(d.state.stateOf(stolen)).isEqualTo(SchedulerTaskState.PROCESSING);
        d.finish(other, stolen);
        assertThat(d.state.stateOf(stolen)).isEqualTo(SchedulerTaskState.MEMORY);
    }

    /** Where a submission's ComputeTasks went. */
    private record WorkerPlacement(String worker, List<TaskKey> others) {
        static WorkerPlacement of(List<SchedulerCommand> out, TaskKey key) {
            String w = computeOf(out, key).worker().name();
            List<TaskKey> others = only(out, ComputeTask.class).stream().filter(c -> c.worker().name().equals(w) && !c.key().equals(key))
                    .map(ComputeTask::key).toList();
            return new WorkerPlacement(w, others);
        }

        List<TaskKey> keysOn(List<SchedulerCommand> out, String w) {
            return only(out, ComputeTask.class).stream().filter(c -> c.worker().name().equals(w)).map(ComputeTask::key).toList();
        }
    }
}
