package dev.burst.internal.scheduler;

import dev.burst.internal.core.TaskKey;
import dev.burst.internal.scheduler.SchedulerCommand.CopyKeys;
import dev.burst.internal.scheduler.SchedulerCommand.LogWarning;
import dev.burst.internal.scheduler.SchedulerCommand.ReportStalled;
import dev.burst.internal.scheduler.SchedulerCommand.RetireWorker;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static dev.burst.internal.scheduler.SchedulerDriver.computeOf;
import static dev.burst.internal.scheduler.SchedulerDriver.computed;
import static dev.burst.internal.scheduler.SchedulerDriver.freed;
import static dev.burst.internal.scheduler.SchedulerDriver.key;
import static dev.burst.internal.scheduler.SchedulerDriver.only;
import static dev.burst.internal.scheduler.SchedulerDriver.task;
import static dev.burst.internal.scheduler.SchedulerDriver.worker;
import static dev.burst.internal.scheduler.SchedulerTaskState.MEMORY;
import static dev.burst.internal.scheduler.SchedulerTaskState.NO_WORKER;
import static dev.burst.internal.scheduler.SchedulerTaskState.PROCESSING;
import static org.assertj.core.api.Assertions.assertThat;

/** Graceful retirement: sole copies move to staying workers first, then the worker is let go. */
class SchedulerRetirementTest {
    private final SchedulerDriver d = new SchedulerDriver();
    private final TaskKey x = key("load", 1);
    private final TaskKey y = key("load", 2);

    @Test
    void soleCopiesAreCopiedToTheWorkerStoringLeastThenTheWorkerRetires() {
        d.join("a", 1);
        d.join("b", 1);
        d.join("c", 1);
        var out = d.submit("c1", List.of(task(x), task(y)), x, y);
        assertThat(computeOf(out, x).worker()).isEqualTo(worker("a"));
        assertThat(computeOf(out, y).worker()).isEqualTo(worker("b"));
        d.finish("a", x, 100, 1_000);
        d.finish("b", y, 500, 1_000);

        out = d.retire("a");
        assertThat(out).containsExactly(new CopyKeys(worker("c"), List.of(x), Map.of(x, List.of(worker("a"))),
                d.lastStimulus));
        assertThat(d.state.retiringWorkers()).containsExactly(worker("a"));

        out = d.copied("c", x);
        assertThat(out).containsExactly(new RetireWorker(worker("a"), d.lastStimulus));
        assertThat(d.state.whoHas(x)).containsExactlyInAnyOrder(worker("a"), worker("c"));

        // The shell closes it and reports it gone: nothing is recomputed.
        out = d.leave("a");
        assertThat(computed(out)).isEmpty();
        assertThat(d.state.stateOf(x)).isEqualTo(MEMORY);
        assertThat(d.state.whoHas(x)).containsExactly(worker("c"));
        assertThat(d.state.retiringWorkers()).isEmpty();
    }

    @Test
    void resultsHeldElsewhereTooNeedNoCopy() {
        d.join("a", 1);
        d.join("b", 1);
        d.submit("c1", List.of(task(x)), x);
        d.finish("a", x);
        d.copied("b", x); // b holds a copy too (say, from an earlier retirement)

        var out = d.retire("a");
        assertThat(out).containsExactly(new RetireWorker(worker("a"), d.lastStimulus));
    }

    @Test
    void withNoOtherWorkerItRetiresWithAWarningAndTheResultIsRecomputedLater() {
        d.join("a", 1);
        d.submit("c1", List.of(task(x)), x);
        d.finish("a", x);

        var out = d.retire("a");
        assertThat(only(out, RetireWorker.class)).containsExactly(new RetireWorker(worker("a"), d.lastStimulus));
        assertThat(only(out, LogWarning.class)).singleElement()
                .satisfies(w -> assertThat(w.message()).contains("a", "no other worker", x.toString()));
        assertThat(only(out, CopyKeys.class)).isEmpty();

        d.leave("a");
        assertThat(d.state.stateOf(x)).isEqualTo(NO_WORKER);
        out = d.join("b", 1);
        assertThat(computeOf(out, x).worker()).isEqualTo(worker("b"));
    }

    @Test
    void aTaskRunningOnTheRetiringWorkerFinishesFirstAndNewTasksGoElsewhere() {
        d.join("a", 1);
        d.submit("c1", List.of(task(x)), x);
        assertThat(d.state.stateOf(x)).isEqualTo(PROCESSING);

        assertThat(d.retire("a")).isEmpty(); // runs x, holds nothing yet

        var out = d.submit("c1", List.of(task(y)), y);
        assertThat(computed(out)).isEmpty();
        assertThat(d.state.stateOf(y)).isEqualTo(NO_WORKER);
        assertThat(only(out, ReportStalled.class)).singleElement()
                .satisfies(r -> assertThat(r.reason()).contains("retiring"));

        out = d.join("b", 1);
        assertThat(computeOf(out, y).worker()).isEqualTo(worker("b"));
        assertThat(only(out, RetireWorker.class)).isEmpty();

        out = d.finish("a", x);
        assertThat(computed(out)).isEmpty();
        assertThat(only(out, RetireWorker.class)).isEmpty();
        assertThat(only(out, CopyKeys.class)).singleElement().satisfies(c -> {
            assertThat(c.worker()).isEqualTo(worker("b"));
            assertThat(c.keys()).containsExactly(x);
        });

        out = d.copied("b", x);
        assertThat(out).containsExactly(new RetireWorker(worker("a"), d.lastStimulus));
        assertThat(d.copied("b", x)).as("a late duplicate changes nothing").isEmpty();
    }

    @Test
    void aRetiringWorkerThatDiesIsHandledAsAnyLostWorker() {
        d.join("a", 1);
        d.join("b", 1);
        d.submit("c1", List.of(task(x)), x);
        assertThat(d.state.processingOn(x)).isEqualTo(worker("a"));
        d.retire("a");

        var out = d.leave("a");
        assertThat(computeOf(out, x).worker()).isEqualTo(worker("b"));
        assertThat(only(out, RetireWorker.class)).isEmpty();
        assertThat(d.state.retiringWorkers()).isEmpty();
    }

    @Test
    void aCopyThatArrivesAfterTheKeyWasReleasedIsFreed() {
        d.join("a", 1);
        d.join("b", 1);
        d.submit("c1", List.of(task(x)), x);
        d.finish("a", x);
        assertThat(only(d.retire("a"), CopyKeys.class)).hasSize(1);

        var out = d.release("c1", x);
        assertThat(freed(out)).containsExactly("a:" + x);
        assertThat(only(out, RetireWorker.class)).containsExactly(new RetireWorker(worker("a"), d.lastStimulus));

        out = d.copied("b", x);
        assertThat(freed(out)).containsExactly("b:" + x);
        assertThat(only(out, RetireWorker.class)).as("retired once").isEmpty();
    }

    @Test
    void failedCopiesAreRetriedThenGivenUpWithAWarning() {
        d.join("a", 1);
        d.join("b", 1);
        d.submit("c1", List.of(task(x)), x);
        d.finish("a", x);
        assertThat(only(d.retire("a"), CopyKeys.class)).hasSize(1);

        for (int attempt = 2; attempt <= Retirement.MAX_COPY_ATTEMPTS; attempt++) {
            var out = d.copied("b"); // the copy failed: x is left out
            assertThat(only(out, CopyKeys.class)).as("attempt %d", attempt).singleElement()
                    .satisfies(c -> assertThat(c.keys()).containsExactly(x));
            assertThat(only(out, RetireWorker.class)).isEmpty();
        }
        var out = d.copied("b");
        assertThat(only(out, CopyKeys.class)).isEmpty();
        assertThat(only(out, LogWarning.class)).singleElement()
                .satisfies(w -> assertThat(w.message()).contains("copying its results failed", x.toString()));
        assertThat(only(out, RetireWorker.class)).containsExactly(new RetireWorker(worker("a"), d.lastStimulus));
    }

    @Test
    void aRecomputedResultGetsFreshCopyAttempts() {
        d.join("a", 1);
        d.join("b", 1);
        d.join("c", 1);
        d.submit("c1", List.of(task(x)), x);
        d.finish("a", x);
        d.retire("a");
        for (int attempt = 1; attempt <= Retirement.MAX_COPY_ATTEMPTS; attempt++) {
            d.copied("b"); // a died unnoticed: every copy from it fails
        }
        var out = d.leave("a");
        assertThat(computeOf(out, x).worker()).isEqualTo(worker("b"));
        d.finish("b", x);

        // The failures were about a's result, not this one: b's is copied, not given up.
        out = d.retire("b");
        assertThat(only(out, CopyKeys.class)).singleElement()
                .satisfies(c -> assertThat(c.worker()).isEqualTo(worker("c")));
        assertThat(only(out, RetireWorker.class)).isEmpty();
    }

    @Test
    void aCopyTargetThatLeavesIsReplaced() {
        d.join("a", 1);
        d.join("b", 1);
        d.join("c", 1);
        d.submit("c1", List.of(task(x)), x);
        d.finish("a", x);
        assertThat(only(d.retire("a"), CopyKeys.class)).singleElement()
                .satisfies(c -> assertThat(c.worker()).isEqualTo(worker("b")));

        var out = d.leave("b");
        assertThat(only(out, CopyKeys.class)).singleElement()
                .satisfies(c -> assertThat(c.worker()).isEqualTo(worker("c")));
        assertThat(d.copied("b", x)).as("a report from the departed target").isEmpty();
        assertThat(d.copied("c", x)).containsExactly(new RetireWorker(worker("a"), d.lastStimulus));
    }

    @Test
    void unknownWorkersAreIgnoredWithAWarning() {
        d.join("a", 1);
        var out = d.retire("ghost");
        assertThat(out).singleElement().isInstanceOfSatisfying(LogWarning.class,
                w -> assertThat(w.message()).contains("ghost"));
        assertThat(d.state.retiringWorkers()).isEmpty();

        out = d.retire("a", "ghost");
        assertThat(only(out, RetireWorker.class)).containsExactly(new RetireWorker(worker("a"), d.lastStimulus));
        assertThat(only(out, LogWarning.class)).hasSize(1);
        assertThat(d.retire("a")).as("asked again: retired once").isEmpty();
    }
}
