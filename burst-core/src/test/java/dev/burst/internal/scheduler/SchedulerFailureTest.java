package dev.burst.internal.scheduler;

import dev.burst.internal.core.ClientId;
import dev.burst.internal.core.TaskKey;
import dev.burst.internal.core.TaskPriority;
import dev.burst.internal.scheduler.SchedulerCommand.ReportDone;
import dev.burst.internal.scheduler.SchedulerCommand.ReportErred;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static dev.burst.internal.scheduler.SchedulerDriver.computeOf;
import static dev.burst.internal.scheduler.SchedulerDriver.computed;
import static dev.burst.internal.scheduler.SchedulerDriver.freed;
import static dev.burst.internal.scheduler.SchedulerDriver.key;
import static dev.burst.internal.scheduler.SchedulerDriver.only;
import static dev.burst.internal.scheduler.SchedulerDriver.resources;
import static dev.burst.internal.scheduler.SchedulerDriver.retried;
import static dev.burst.internal.scheduler.SchedulerDriver.task;
import static dev.burst.internal.scheduler.SchedulerDriver.worker;
import static dev.burst.internal.scheduler.SchedulerTaskState.ERRED;
import static dev.burst.internal.scheduler.SchedulerTaskState.FORGOTTEN;
import static dev.burst.internal.scheduler.SchedulerTaskState.MEMORY;
import static dev.burst.internal.scheduler.SchedulerTaskState.PROCESSING;
import static dev.burst.internal.scheduler.SchedulerTaskState.RELEASED;
import static dev.burst.internal.scheduler.SchedulerTaskState.WAITING;
import static org.assertj.core.api.Assertions.assertThat;

/** Failures: tasks that raise, workers that die, results that go missing, reports that come late. */
class SchedulerFailureTest {
    private final SchedulerDriver d = new SchedulerDriver();
    /** Every command of the test, to count what clients were told over the whole story. */
    private final List<SchedulerCommand> all = new ArrayList<>();

    private List<SchedulerCommand> log(List<SchedulerCommand> out) {
        all.addAll(out);
        return out;
    }

    private long told(Class<? extends SchedulerCommand> type, String client, TaskKey key) {
        return all.stream().filter(type::isInstance).filter(c -> switch (c) {
            case ReportDone r -> r.client().equals(new ClientId(client)) && r.key().equals(key);
            case ReportErred r -> r.client().equals(new ClientId(client)) && r.key().equals(key);
            default -> false;
        }).count();
    }

    // ---------------------------------------------------------------- retries

    @Test
    void aTaskWithTwoRetriesRunsThreeTimesThenErrsWithItsOwnErrorAndSoDoItsDependents() {
        TaskKey k = key("flaky", 1);
        TaskKey dep1 = key("use", 2);
        TaskKey dep2 = key("use", 3);
        d.join("a", 2);
        log(d.submit("c1", List.of(retried(k, 2), task(dep1, k), task(dep2, dep1)), k, dep2));
        log(d.submit("c2", List.of(retried(k, 2), task(dep1, k)), dep1));
        RuntimeException boom = new IllegalArgumentException("bad input row 7");

        for (int run = 1; run <= 2; run++) {
            var out = log(d.fail("a", k, boom));
            assertThat(computed(out)).as("re-run %d", run).containsExactly(k);
            assertThat(freed(out)).contains("a:" + k);
            assertThat(d.state.stateOf(k)).isEqualTo(PROCESSING);
            assertThat(only(out, ReportErred.class)).isEmpty();
        }
        var out = log(d.fail("a", k, boom));
        assertThat(computed(out)).isEmpty();
        assertThat(d.state.stateOf(k)).isEqualTo(ERRED);
        assertThat(d.state.stateOf(dep1)).isEqualTo(ERRED);
        assertThat(d.state.stateOf(dep2)).isEqualTo(ERRED);
        assertThat(only(out, ReportErred.class)).allSatisfy(e -> {
            assertThat(e.error().type()).isEqualTo("java.lang.IllegalArgumentException");
            assertThat(e.error().message()).isEqualTo("bad input row 7");
            assertThat(e.error().exception()).isSameAs(boom);
        });

        // A late duplicate and a new request for the same keys change nothing for those already told.
        log(d.fail("a", k, boom));
        log(d.submit("c2", List.of(retried(k, 2), task(dep1, k)), dep1));
        assertThat(told(ReportErred.class, "c1", k)).isEqualTo(1);
        assertThat(told(ReportErred.class, "c1", dep2)).isEqualTo(1);
        assertThat(told(ReportErred.class, "c2", dep1)).isEqualTo(1);
        assertThat(told(ReportErred.class, "c1", dep1)).isZero(); // c1 did not ask for it
        assertThat(told(ReportDone.class, "c1", k) + told(ReportDone.class, "c2", dep1)).isZero();
    }

    @Test
    void aRetryThatSucceedsIsReportedDoneOnce() {
        TaskKey k = key("flaky", 1);
        d.join("a", 1);
        log(d.submit("c", List.of(retried(k, 1)), k));
        log(d.fail("a", k, new RuntimeException("transient")));
        log(d.finish("a", k));
        assertThat(d.state.stateOf(k)).isEqualTo(MEMORY);
        assertThat(told(ReportDone.class, "c", k)).isEqualTo(1);
        assertThat(told(ReportErred.class, "c", k)).isZero();
    }

    @Test
    void aTaskWithSeveralErredInputsFailsOnce() {
        // t needs x (new, whose input e erred), y and z (both erred): t errs once, whichever is met first.
        TaskKey e = key("bad", 1);
        TaskKey y = key("mid", 2);
        TaskKey z = key("mid", 5);
        TaskKey x = key("mid", 3);
        TaskKey t = key("top", 4);
        d.join("a", 1);
        log(d.submit("c", List.of(task(e)), e));
        log(d.fail("a", e, new IllegalStateException("no")));
        log(d.submit("c", List.of(task(e), task(y, e), task(z, e)), y, z));
        assertThat(d.state.stateOf(y)).isEqualTo(ERRED);

        var out = log(d.submit("c", List.of(task(e), task(y, e), task(z, e), task(x, e), task(t, x, y, z)), t));
        assertThat(d.state.stateOf(t)).isEqualTo(ERRED);
        assertThat(only(out, ReportErred.class)).singleElement().satisfies(r -> {
            assertThat(r.key()).isEqualTo(t);
            assertThat(r.error().message()).isEqualTo("no");
        });
    }

    // ---------------------------------------------------------------- lost workers

    @Test
    void resultsLostWithAWorkerAreRecomputedBeforeTheDependentRuns() {
        TaskKey x = key("load", 1);
        TaskKey y = key("train", 2);
        d.join("a", 1);
        d.join("b", resources("cpu", 1, "gpu", 1));
        assertThat(computeOf(log(d.submit("c", List.of(task(x), task(y, resources("gpu", 1), x)), y)), x).worker())
                .isEqualTo(worker("a"));
        var out = log(d.finish("a", x));
        assertThat(computeOf(out, y).worker()).isEqualTo(worker("b"));
        assertThat(computeOf(out, y).whoHas()).isEqualTo(Map.of(x, List.of(worker("a"))));

        // a dies while b fetches x from it: b is told to drop y, x runs again (on b, the only one left).
        out = log(d.leave("a"));
        assertThat(freed(out)).containsExactly("b:" + y);
        assertThat(computed(out)).containsExactly(x);
        assertThat(d.state.stateOf(y)).isEqualTo(WAITING);

        out = log(d.finish("b", x));
        assertThat(computeOf(out, y).whoHas()).isEqualTo(Map.of(x, List.of(worker("b"))));
        log(d.finish("b", y));
        assertThat(told(ReportDone.class, "c", y)).isEqualTo(1);
    }

    @Test
    void resultsLostTogetherAreRecomputedInputsFirstWhateverOrderTheWorkerGotThem() {
        TaskKey x = key("load", 1);
        TaskKey y = key("use", 2);
        d.join("a", 1);
        log(d.submit("c1", List.of(task(x), task(y, x)), y));
        log(d.finish("a", x));
        log(d.finish("a", y));
        assertThat(d.state.stateOf(x)).isEqualTo(RELEASED); // kept for recomputing y
        // x is computed again for another client, so a now holds y first and x second.
        log(d.submit("c2", List.of(task(x)), x));
        log(d.finish("a", x));
        d.join("b", 1);

        var out = log(d.leave("a"));
        assertThat(computed(out)).containsExactly(x);
        assertThat(d.state.stateOf(y)).isEqualTo(WAITING);
        out = log(d.finish("b", x));
        assertThat(computeOf(out, y).whoHas()).isEqualTo(Map.of(x, List.of(worker("b"))));
    }

    @Test
    void aTaskThatWasRunningOnMoreWorkersThanAllowedThatAllDiedErrsWithWorkerLost() {
        SchedulerDriver s = new SchedulerDriver(SchedulerConfig.defaults().withAllowedFailures(1));
        TaskKey k = key("crash", 1);
        TaskKey dep = key("use", 2);
        s.join("a", 1);
        s.join("b", 1);
        all.addAll(s.submit("c", List.of(task(k), task(dep, k)), k, dep));
        assertThat(s.state.processingOn(k)).isEqualTo(worker("a"));
        var out = s.leave("a");
        assertThat(computeOf(out, k).worker()).isEqualTo(worker("b"));
        all.addAll(out);

        out = s.leave("b");
        all.addAll(out);
        assertThat(s.state.stateOf(k)).isEqualTo(ERRED);
        assertThat(s.state.stateOf(dep)).isEqualTo(ERRED);
        assertThat(only(out, ReportErred.class)).hasSize(2).allSatisfy(e -> {
            assertThat(e.error().type()).isEqualTo("dev.burst.WorkerLostException");
            assertThat(e.error().message()).contains(k.toString()).contains("[a, b]").contains("allowed failures: 1");
        });
        assertThat(computed(s.join("c", 1))).isEmpty();
        assertThat(told(ReportErred.class, "c", k)).isEqualTo(1);
    }

    @Test
    void aWorkerLossThatErrsOneTaskDoesNotReviveAnotherItReleased() {
        // p (lost once already) and r both run on a; top needs both. Losing a errs p, which errs top, which
        // releases r: r must stay released, not come back as WAITING to run for nobody.
        SchedulerDriver s = new SchedulerDriver(SchedulerConfig.defaults().withAllowedFailures(1));
        TaskKey p = key("p", 1);
        TaskKey r = key("r", 2);
        TaskKey top = key("top", 3);
        s.join("x", 1);
        s.join("a", 1);
        s.submit("c", List.of(task(p)), p);
        assertThat(s.state.processingOn(p)).isEqualTo(worker("x"));
        s.leave("x");
        s.submit("c", List.of(task(p), task(r), task(top, p, r)), top);
        assertThat(s.state.processingOn(p)).isEqualTo(worker("a"));
        assertThat(s.state.processingOn(r)).isEqualTo(worker("a"));
        s.join("b", 1);

        var out = s.leave("a");
        assertThat(s.state.stateOf(p)).isEqualTo(ERRED);
        assertThat(s.state.stateOf(top)).isEqualTo(ERRED);
        assertThat(s.state.stateOf(r)).isIn(RELEASED, FORGOTTEN);
        assertThat(computed(out)).isEmpty();
    }

    // ---------------------------------------------------------------- missing data and late reports

    @Test
    void aFailedFetchStopsCountingTheHolderAndReschedulesTheDependent() {
        TaskKey x = key("load", 1);
        TaskKey y = key("train", 2);
        TaskKey g1 = key("train", 3);
        TaskKey g2 = key("train", 4);
        d.join("a", 1);
        d.join("b", resources("cpu", 1, "gpu", 1));
        log(d.submit("c", List.of(task(x)), x));
        log(d.finish("a", x));
        // b is full: y (needs x from a) and g1; g2 waits in the queue.
        log(d.submit("c", List.of(task(x), task(y, resources("gpu", 1), x), task(g1, resources("gpu", 1)),
                task(g2, resources("gpu", 1))), y, g1, g2));
        assertThat(d.state.queuedCount()).isEqualTo(1);

        var out = log(d.dataMissing("b", y, x, "a"));
        assertThat(d.state.whoHas(x)).isEmpty();
        // a drops whatever it may still have of x (the books no longer count it), b drops y.
        assertThat(freed(out)).containsExactlyInAnyOrder("a:" + x, "b:" + y);
        assertThat(computed(out)).containsExactlyInAnyOrder(x, g2); // x again, and b's freed slot refilled
        assertThat(d.state.stateOf(y)).isEqualTo(WAITING);
    }

    @Test
    void aTaskMovedAwayAfterAFailedFetchFreesItsSlotForTheQueue() {
        TaskKey x = key("load", 1);
        TaskKey y = key("train", 2);
        TaskKey f1 = key("fpga", 3);
        TaskKey f2 = key("fpga", 4);
        var fpga = resources("fpga", 1);
        var low = new TaskPriority(-1, 0, 0);
        d.join("a", 1);
        d.join("b", resources("cpu", 1, "gpu", 1, "fpga", 1));
        log(d.submit("c", List.of(task(x)), x));
        log(d.finish("a", x));
        log(d.submit("c", List.of(task(x), task(y, resources("gpu", 1), x),
                new TaskSpec(f1, List.of(), fpga, low, 0, null), new TaskSpec(f2, List.of(), fpga, low, 0, null)), y, f1, f2));
        assertThat(d.state.processingOn(y)).isEqualTo(worker("b"));
        assertThat(d.state.stateOf(f2)).isEqualTo(SchedulerTaskState.QUEUED); // only b has an fpga, and b is full
        d.join("c", resources("cpu", 1, "gpu", 1));

        // b could not fetch x (no holder named, so a still counts): y moves to the idle c, f2 takes b's slot.
        var out = log(d.dataMissing("b", y, x, null));
        assertThat(freed(out)).containsExactly("b:" + y);
        assertThat(computeOf(out, y).worker()).isEqualTo(worker("c"));
        assertThat(computeOf(out, f2).worker()).isEqualTo(worker("b"));
    }

    @Test
    void aLateFinishFromAWorkerTheTaskWasTakenFromDoesNotCountItAsAHolder() {
        TaskKey k = key("f", 1);
        TaskKey other = key("g", 2);
        d.join("a", 1);
        d.join("b", 1);
        log(d.submit("c", List.of(task(k)), k));
        assertThat(d.state.processingOn(k)).isEqualTo(worker("a"));
        assertThat(freed(log(d.release("c", k)))).containsExactly("a:" + k);
        log(d.submit("c", List.of(task(other)), other)); // a busy again
        log(d.submit("c", List.of(task(k)), k));
        assertThat(d.state.processingOn(k)).isEqualTo(worker("b"));
        log(d.finish("b", k));

        var out = log(d.finish("a", k)); // a's first run, reported after a was told to free it
        assertThat(out).as("a was told to free that run already; nothing more to do").isEmpty();
        assertThat(d.state.whoHas(k)).containsExactly(worker("b"));
        assertThat(told(ReportDone.class, "c", k)).isEqualTo(1);
    }

    @Test
    void aLateReportOfAnEarlierRunOnTheSameWorkerDoesNotCountForTheCurrentRun() {
        TaskKey k = key("f", 1);
        d.join("a", 1);
        log(d.submit("c", List.of(task(k)), k));
        long first = d.runOf("a", k);
        assertThat(freed(log(d.release("c", k)))).containsExactly("a:" + k);
        log(d.submit("c", List.of(task(k)), k)); // the same key again, on the only worker
        long second = d.runOf("a", k);
        assertThat(second).isNotEqualTo(first);

        assertThat(log(d.finishRun("a", k, first, 100, 1_000_000))).isEmpty();
        assertThat(d.state.stateOf(k)).isEqualTo(PROCESSING);
        assertThat(told(ReportDone.class, "c", k)).isZero();

        log(d.finishRun("a", k, second, 100, 1_000_000));
        assertThat(d.state.stateOf(k)).isEqualTo(MEMORY);
        assertThat(told(ReportDone.class, "c", k)).isEqualTo(1);
    }

    @Test
    void reportsAboutARunThatAlreadyFinishedAreIgnored() {
        TaskKey x = key("load", 1);
        TaskKey k = key("use", 2);
        d.join("a", 1);
        log(d.submit("c", List.of(task(x), task(k, x)), k));
        log(d.finish("a", x));
        log(d.finish("a", k));
        assertThat(d.state.whoHas(k)).containsExactly(worker("a"));

        assertThat(log(d.fail("a", k, new RuntimeException("late")))).isEmpty();
        assertThat(log(d.dataMissing("a", k, x, null))).isEmpty();
        assertThat(d.state.stateOf(k)).isEqualTo(MEMORY);
        assertThat(d.state.whoHas(k)).containsExactly(worker("a"));
        assertThat(told(ReportErred.class, "c", k)).isZero();
    }
}
