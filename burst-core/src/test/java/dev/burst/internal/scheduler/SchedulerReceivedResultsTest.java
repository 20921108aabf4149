package dev.burst.internal.scheduler;

import dev.burst.internal.core.TaskKey;
import dev.burst.internal.scheduler.SchedulerCommand.CopyKeys;
import dev.burst.internal.scheduler.SchedulerCommand.LogWarning;
import dev.burst.internal.scheduler.SchedulerCommand.ReportDone;
import dev.burst.internal.scheduler.SchedulerCommand.RetireWorker;
import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.burst.internal.scheduler.SchedulerDriver.client;
import static dev.burst.internal.scheduler.SchedulerDriver.computeOf;
import static dev.burst.internal.scheduler.SchedulerDriver.computed;
import static dev.burst.internal.scheduler.SchedulerDriver.freed;
import static dev.burst.internal.scheduler.SchedulerDriver.key;
import static dev.burst.internal.scheduler.SchedulerDriver.only;
import static dev.burst.internal.scheduler.SchedulerDriver.resources;
import static dev.burst.internal.scheduler.SchedulerDriver.task;
import static dev.burst.internal.scheduler.SchedulerDriver.worker;
import static dev.burst.internal.scheduler.SchedulerTaskState.FORGOTTEN;
import static dev.burst.internal.scheduler.SchedulerTaskState.MEMORY;
import static dev.burst.internal.scheduler.SchedulerTaskState.RELEASED;
import static dev.burst.internal.scheduler.SchedulerTaskState.WAITING;
import static org.assertj.core.api.Assertions.assertThat;

/** Results clients hold themselves ({@link SchedulerEvent.ResultsReceived}) are not recomputed when lost. */
class SchedulerReceivedResultsTest {
    private final SchedulerDriver d = new SchedulerDriver();
    private final TaskKey x = key("load", 1);
    private final TaskKey y = key("use", 2);
    private final TaskKey z = key("load", 3);

    /** x computed on a for c1 and in memory; b stays. */
    private void xDoneOnA(String... receivedBy) {
        d.join("a", 2);
        d.join("b", 2);
        assertThat(computeOf(d.submit("c1", List.of(task(x)), x), x).worker()).isEqualTo(worker("a"));
        d.finish("a", x);
        for (String c : receivedBy) {
            assertThat(d.received(c, x)).isEmpty();
        }
    }

    @Test
    void aResultItsClientHoldsIsNotRecomputedWhenItsWorkerDies() {
        xDoneOnA("c1");
        var out = d.leave("a");
        assertThat(out).isEmpty();
        assertThat(d.state.stateOf(x)).isEqualTo(RELEASED); // still known: c1's future lives
        assertThat(d.state.whoHas(x)).isEmpty();
        assertThat(d.state.story(x)).last().satisfies(t -> {
            assertThat(t.from()).isEqualTo(MEMORY);
            assertThat(t.to()).isEqualTo(RELEASED);
        });
    }

    @Test
    void aResultNotYetReceivedIsRecomputed() {
        xDoneOnA();
        var out = d.leave("a");
        assertThat(computeOf(out, x).worker()).isEqualTo(worker("b"));
        assertThat(only(d.finish("b", x), ReportDone.class)).isEmpty(); // c1 was told once already
    }

    @Test
    void aResultOnlySomeOfItsClientsHoldIsRecomputed() {
        xDoneOnA("c1");
        assertThat(only(d.submit("c2", List.of(task(x)), x), ReportDone.class)).hasSize(1);
        assertThat(computed(d.leave("a"))).containsExactly(x);
    }

    @Test
    void aResultAnUnfinishedDependentNeedsIsRecomputed() {
        d.join("a", 2);
        d.join("b", 2);
        var out = d.submit("c1", List.of(task(x), task(z), task(y, x, z)), x, y);
        assertThat(computeOf(out, x).worker()).isEqualTo(worker("a"));
        assertThat(computeOf(out, z).worker()).isEqualTo(worker("b"));
        d.finish("a", x);
        d.received("c1", x);

        out = d.leave("a");
        assertThat(computeOf(out, x).worker()).isEqualTo(worker("b"));
        assertThat(d.state.stateOf(y)).isEqualTo(WAITING);
        d.finish("b", z);
        assertThat(computeOf(d.finish("b", x), y).worker()).isEqualTo(worker("b"));
    }

    @Test
    void aLaterDependentBringsBackAResultReleasedAfterLossAndItIsComputedAndReported() {
        xDoneOnA("c1");
        d.leave("a");

        var out = d.submit("c2", List.of(task(x), task(y, x)), y);
        assertThat(computed(out)).containsExactly(x);
        assertThat(d.state.stateOf(y)).isEqualTo(WAITING);
        out = d.finish("b", x);
        assertThat(only(out, ReportDone.class)).isEmpty(); // c1 was told already; c2 does not want x
        assertThat(computeOf(out, y).worker()).isEqualTo(worker("b"));
        out = d.finish("b", y);
        assertThat(only(out, ReportDone.class)).containsExactly(new ReportDone(client("c2"), y, List.of(worker("b"))));
        assertThat(d.state.stateOf(x)).isEqualTo(MEMORY); // c1 still wants it: kept
    }

    @Test
    void theSameKeySubmittedByAClientThatDoesNotHoldItIsRecomputedAndReportedToIt() {
        xDoneOnA("c1");
        d.leave("a");
        assertThat(d.submit("c1", List.of(task(x)), x)).isEmpty(); // c1 holds it: nothing to do

        var out = d.submit("c2", List.of(task(x)), x);
        assertThat(computeOf(out, x).worker()).isEqualTo(worker("b"));
        out = d.finish("b", x);
        assertThat(only(out, ReportDone.class)).containsExactly(new ReportDone(client("c2"), x, List.of(worker("b"))));
    }

    @Test
    void aResultReleasedAfterLossIsForgottenWhenReleasedOrItsClientLeaves() {
        d.join("a", 2);
        d.submit("c1", List.of(task(z), task(y, z)), y);
        d.submit("c2", List.of(task(x)), x);
        d.finish("a", z);
        d.finish("a", y);
        d.finish("a", x);
        d.received("c1", y);
        d.received("c2", x);
        assertThat(d.leave("a")).isEmpty();
        assertThat(d.state.stateOf(y)).isEqualTo(RELEASED);
        assertThat(d.state.stateOf(z)).isEqualTo(RELEASED); // kept as y's input

        assertThat(d.release("c1", y)).isEmpty();
        assertThat(d.state.stateOf(y)).isEqualTo(FORGOTTEN);
        assertThat(d.state.stateOf(z)).isEqualTo(FORGOTTEN);
        assertThat(d.clientLeft("c2")).isEmpty();
        assertThat(d.state.stateOf(x)).isEqualTo(FORGOTTEN);
        assertThat(d.state.taskCount()).isZero();
    }

    @Test
    void aClientThatReleasedAndWantsAgainDoesNotHoldItAnyMore() {
        xDoneOnA("c1");
        d.submit("c2", List.of(task(x)), x); // keeps x in memory while c1 lets go
        d.received("c2", x);
        d.release("c1", x);
        d.submit("c1", List.of(task(x)), x);
        assertThat(computed(d.leave("a"))).containsExactly(x);
    }

    @Test
    void receiptsThatCannotCountAreIgnored() {
        d.join("a", 1);
        d.submit("c1", List.of(task(x)), x);
        assertThat(d.received("c1", x)).isEmpty(); // not in memory yet: a receipt cannot be true
        assertThat(d.received("c1", key("ghost", 9))).isEmpty();
        assertThat(d.received("c9", x)).isEmpty();
        d.finish("a", x);
        assertThat(d.received("c9", x)).isEmpty(); // c9 does not want it
        d.join("b", 1);
        assertThat(computed(d.leave("a"))).containsExactly(x);
    }

    @Test
    void aResultFoundMissingAfterItsLastDependentWasCancelledIsNotRecomputed() {
        d.join("a", 2);
        d.join("b", resources("cpu", 2, "gpu", 1));
        assertThat(computeOf(d.submit("c1", List.of(task(x)), x), x).worker()).isEqualTo(worker("a"));
        d.finish("a", x);
        d.received("c1", x);
        var out = d.submit("c2", List.of(task(x), task(y, resources("gpu", 1), x)), y);
        assertThat(computeOf(out, y).worker()).isEqualTo(worker("b"));
        d.release("c2", y);

        // b's late report of that run: a no longer counts as x's holder, and nobody but c1 (who has it) wants x.
        out = d.dataMissing("b", y, x, "a");
        assertThat(computed(out)).isEmpty();
        assertThat(freed(out)).containsExactly("a:" + x);
        assertThat(d.state.stateOf(x)).isEqualTo(RELEASED);
    }

    // ---------------------------------------------------------------- retirement

    /**
     * Retirement still copies what clients hold: a task submitted later may take it as an input,
     * and a copy now is cheaper than a recompute then (unlike a death, a retirement can choose).
     */
    @Test
    void aResultItsClientsHoldIsStillCopiedOffARetiringWorker() {
        xDoneOnA("c1");
        var out = d.retire("a");
        assertThat(only(out, CopyKeys.class)).singleElement().satisfies(c -> assertThat(c.keys()).containsExactly(x));
        assertThat(only(out, RetireWorker.class)).isEmpty();
    }

    @Test
    void aResultAnUnfinishedDependentNeedsIsCopiedOffARetiringWorkerEvenIfItsClientsHoldIt() {
        d.join("a", 1);
        d.join("b", 1);
        var out = d.submit("c1", List.of(task(x), task(z), task(y, x, z)), x, y);
        assertThat(computeOf(out, x).worker()).isEqualTo(worker("a"));
        d.finish("a", x);
        d.received("c1", x);
        assertThat(only(d.retire("a"), CopyKeys.class)).singleElement()
                .satisfies(c -> assertThat(c.keys()).containsExactly(x));
    }

    @Test
    void aReceiptWhileACopyIsPendingDoesNotCutTheRetirementShort() {
        xDoneOnA();
        assertThat(only(d.retire("a"), CopyKeys.class)).hasSize(1);
        assertThat(only(d.received("c1", x), RetireWorker.class)).isEmpty();
    }
}
