package dev.burst.internal.scheduler;

import dev.burst.internal.core.TaskKey;
import dev.burst.internal.scheduler.SchedulerCommand.CopyKeys;
import dev.burst.internal.scheduler.SchedulerCommand.ReportDone;
import dev.burst.internal.scheduler.SchedulerCommand.ReportErred;
import dev.burst.internal.scheduler.SchedulerCommand.RetireWorker;
import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.burst.internal.scheduler.SchedulerDriver.client;
import static dev.burst.internal.scheduler.SchedulerDriver.computed;
import static dev.burst.internal.scheduler.SchedulerDriver.key;
import static dev.burst.internal.scheduler.SchedulerDriver.only;
import static dev.burst.internal.scheduler.SchedulerDriver.task;
import static dev.burst.internal.scheduler.SchedulerDriver.worker;
import static dev.burst.internal.scheduler.SchedulerTaskState.ERRED;
import static dev.burst.internal.scheduler.SchedulerTaskState.MEMORY;
import static dev.burst.internal.scheduler.SchedulerTaskState.PROCESSING;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Closing admission (a spent budget): nothing new starts, what runs finishes, and what was computed
 * stays fetchable, moved off retiring workers to one that stays.
 */
class SchedulerAdmissionTest {
    private static final String WHY = "budget of 100 core-seconds spent: 101.0 used";
    private final SchedulerDriver d = new SchedulerDriver();
    private final TaskKey done = key("done", 1);
    private final TaskKey running = key("running", 2);
    private final TaskKey queued = key("queued", 3);
    private final TaskKey after = key("after", 4);

    @Test
    void tasksNotStartedFailWithTheRefusalAndRunningOnesFinish() {
        d.join("a", 1);
        d.submit("c1", List.of(task(done)), done);
        d.finish("a", done);
        // `running` runs, `queued` needs a GPU no worker has, `after` waits on `running`.
        d.submit("c1", List.of(task(running), task(queued, SchedulerDriver.resources("gpu", 1)), task(after, running)),
                running, queued, after);
        assertThat(d.state.stateOf(running)).isEqualTo(PROCESSING);

        var out = d.closeAdmission(WHY);
        assertThat(only(out, ReportErred.class)).extracting(ReportErred::key).containsExactlyInAnyOrder(queued, after);
        assertThat(only(out, ReportErred.class)).allSatisfy(e -> assertThat(e.error().message()).isEqualTo(WHY));
        assertThat(d.state.stateOf(queued)).isEqualTo(ERRED);
        assertThat(d.state.stateOf(running)).isEqualTo(PROCESSING);

        out = d.finish("a", running);
        assertThat(only(out, ReportDone.class)).extracting(ReportDone::key).containsExactly(running);
        assertThat(computed(out)).isEmpty();
    }

    @Test
    void newWorkIsRefusedButComputedResultsAreStillReported() {
        d.join("a", 1);
        d.submit("c1", List.of(task(done)), done);
        d.finish("a", done);
        d.closeAdmission(WHY);

        var out = d.submit("c2", List.of(task(done), task(after, done)), done, after);
        assertThat(only(out, ReportDone.class)).extracting(ReportDone::client, ReportDone::key)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(client("c2"), done));
        assertThat(only(out, ReportErred.class)).singleElement().satisfies(e -> {
            assertThat(e.key()).isEqualTo(after);
            assertThat(e.error().type()).isEqualTo("dev.burst.BudgetSpentException");
            assertThat(e.error().message()).isEqualTo(WHY);
        });
        assertThat(computed(out)).isEmpty();
    }

    @Test
    void resultsMoveToAStayingWorkerAndALostResultIsNotRecomputed() {
        d.join("a", 1);
        d.submit("c1", List.of(task(done)), done);
        d.finish("a", done);
        d.closeAdmission(WHY);

        d.join("keeper", 1);
        var out = d.retire("a");
        assertThat(only(out, CopyKeys.class)).singleElement().satisfies(c -> assertThat(c.worker()).isEqualTo(worker("keeper")));
        out = d.copied("keeper", done);
        assertThat(only(out, RetireWorker.class)).hasSize(1);
        d.leave("a");
        assertThat(d.state.stateOf(done)).isEqualTo(MEMORY);
        assertThat(d.state.whoHas(done)).containsExactly(worker("keeper"));

        out = d.leave("keeper"); // the last copy is gone: not recomputed; a client asking for it learns why
        assertThat(computed(out)).isEmpty();
        assertThat(d.state.stateOf(done)).isEqualTo(ERRED);
        assertThat(d.state.errorOf(done).message()).isEqualTo(WHY);
    }
}
