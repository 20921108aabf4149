package dev.burst.internal.usage;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class UsageLedgerTest {
    private static final long S = 1_000_000_000L;
    /** An arbitrary monotonic origin, far from zero like System.nanoTime(). */
    private static final long T0 = 7_000_000_000_000L;

    private static UsageLedger ledger() {
        return UsageLedger.forRun("alice", "local", "demo", 1_700_000_000_000L, T0);
    }

    @Test
    void emptyRunHasWallTimeButNothingAllocated() {
        UsageTotals t = ledger().totals(T0 + 3 * S);
        assertThat(t.user()).isEqualTo("alice");
        assertThat(t.cluster()).isEqualTo("local");
        assertThat(t.job()).isEqualTo("demo");
        assertThat(t.startedAtEpochMillis()).isEqualTo(1_700_000_000_000L);
        assertThat(t.wallSeconds()).isEqualTo(3.0);
        assertThat(t.coreSecondsAllocated()).isZero();
        assertThat(t.efficiency()).isZero();
        assertThat(t.gpuEfficiency()).isZero();
        assertThat(t.workersStarted()).isZero();
        assertThat(t.peakWorkers()).isZero();
    }

    @Test
    void allocatedIsAliveTimeTimesCoresAndCountsLiveWorkersUpToNow() {
        UsageLedger l = ledger();
        l.workerStarted("w1", 4, 0, T0);
        l.workerStarted("w2", 2, 1, T0 + S);
        l.workerStopped("w1", T0 + 10 * S);
        UsageTotals t = l.totals(T0 + 11 * S);
        // w1: 10 s x 4 cores; w2 still alive: 10 s x 2 cores, 10 s x 1 GPU
        assertThat(t.coreSecondsAllocated()).isCloseTo(60.0, within(1e-9));
        assertThat(t.gpuSecondsAllocated()).isCloseTo(10.0, within(1e-9));
        assertThat(t.wallSeconds()).isEqualTo(11.0);
        assertThat(t.workersStarted()).isEqualTo(2);
        assertThat(t.peakWorkers()).isEqualTo(2);
        assertThat(l.liveWorkers()).isEqualTo(1);

        // Asked later, the live worker has been allocated longer; the stopped one has not.
        assertThat(l.totals(T0 + 21 * S).coreSecondsAllocated()).isCloseTo(80.0, within(1e-9));
    }

    @Test
    void busyCpuTasksAndSpillAreTheLatestCumulativeCountersSummedOverWorkers() {
        UsageLedger l = ledger();
        l.workerStarted("w1", 2, 1, T0);
        l.workerStarted("w2", 2, 0, T0);
        l.workerFigures("w1", 3 * S, S, 2 * S, 5, 100);
        l.workerFigures("w1", 8 * S, 2 * S, 7 * S, 12, 1024); // cumulative: replaces, not adds
        l.workerFigures("w2", 9 * S, 0, 9 * S, 10, 0);
        l.workerStopped("w1", T0 + 5 * S);
        l.workerStopped("w2", T0 + 5 * S);
        UsageTotals t = l.totals(T0 + 5 * S);
        assertThat(t.coreSecondsAllocated()).isCloseTo(20.0, within(1e-9));
        assertThat(t.coreSecondsBusy()).isCloseTo(17.0, within(1e-9));
        assertThat(t.gpuSecondsAllocated()).isCloseTo(5.0, within(1e-9));
        assertThat(t.gpuSecondsBusy()).isCloseTo(2.0, within(1e-9));
        assertThat(t.cpuSeconds()).isCloseTo(16.0, within(1e-9));
        assertThat(t.tasks()).isEqualTo(22);
        assertThat(t.bytesSpilled()).isEqualTo(1024);
        assertThat(t.efficiency()).isCloseTo(0.85, within(1e-9));
        assertThat(t.gpuEfficiency()).isCloseTo(0.4, within(1e-9));
    }

    @Test
    void aSmallerCounterThanBeforeIsIgnoredPerCounter() {
        UsageLedger l = ledger();
        l.workerStarted("w", 1, 0, T0);
        l.workerFigures("w", 5 * S, 0, 5 * S, 10, 500);
        // A reordered, older heartbeat: smaller busy and tasks, but a larger spill figure.
        l.workerFigures("w", 4 * S, 0, 4 * S, 8, 600);
        UsageTotals t = l.totals(T0 + 10 * S);
        assertThat(t.coreSecondsBusy()).isCloseTo(5.0, within(1e-9));
        assertThat(t.cpuSeconds()).isCloseTo(5.0, within(1e-9));
        assertThat(t.tasks()).isEqualTo(10);
        assertThat(t.bytesSpilled()).isEqualTo(600);
        // The same report twice is harmless.
        l.workerFigures("w", 5 * S, 0, 5 * S, 10, 600);
        assertThat(l.totals(T0 + 10 * S)).isEqualTo(t);
    }

    @Test
    void figuresAfterStopStillCountButAllocationDoesNotGrow() {
        UsageLedger l = ledger();
        l.workerStarted("w", 2, 0, T0);
        l.workerStopped("w", T0 + 4 * S);
        l.workerFigures("w", 7 * S, 0, 7 * S, 3, 0); // the last heartbeat came after the stop
        UsageTotals t = l.totals(T0 + 100 * S);
        assertThat(t.coreSecondsAllocated()).isCloseTo(8.0, within(1e-9));
        assertThat(t.coreSecondsBusy()).isCloseTo(7.0, within(1e-9));
        assertThat(t.tasks()).isEqualTo(3);
    }

    @Test
    void stoppingTwiceIsHarmlessAndAStopBeforeTheStartAllocatesNothing() {
        UsageLedger l = ledger();
        l.workerStarted("w", 2, 0, T0 + 5 * S);
        l.workerStopped("w", T0 + 3 * S); // another thread's clock reading, taken earlier
        l.workerStopped("w", T0 + 9 * S); // already stopped: ignored
        UsageTotals t = l.totals(T0 + 10 * S);
        assertThat(t.coreSecondsAllocated()).isZero();
        assertThat(l.liveWorkers()).isZero();
    }

    @Test
    void aRestartedWorkerIsANewIncarnationWhoseCountersAddToTheOldOnes() {
        UsageLedger l = ledger();
        l.workerStarted("w", 1, 0, T0);
        l.workerFigures("w", 2 * S, 0, 2 * S, 4, 10);
        l.workerStopped("w", T0 + 3 * S);
        l.workerStarted("w", 1, 0, T0 + 5 * S);
        l.workerFigures("w", S, 0, S, 1, 5); // counters of the new process start from zero
        l.workerStopped("w", T0 + 6 * S);
        UsageTotals t = l.totals(T0 + 6 * S);
        assertThat(t.coreSecondsAllocated()).isCloseTo(4.0, within(1e-9));
        assertThat(t.coreSecondsBusy()).isCloseTo(3.0, within(1e-9));
        assertThat(t.tasks()).isEqualTo(5);
        assertThat(t.bytesSpilled()).isEqualTo(15);
        assertThat(t.workersStarted()).isEqualTo(2);
        assertThat(t.peakWorkers()).isEqualTo(1);
    }

    @Test
    void allWorkersStoppedFreezesAllocation() {
        UsageLedger l = ledger();
        l.workerStarted("a", 2, 1, T0);
        l.workerStarted("b", 1, 0, T0 + S);
        l.workerStopped("b", T0 + 2 * S);
        l.allWorkersStopped(T0 + 4 * S);
        assertThat(l.liveWorkers()).isZero();
        UsageTotals atClose = l.totals(T0 + 4 * S);
        assertThat(atClose.coreSecondsAllocated()).isCloseTo(9.0, within(1e-9));
        assertThat(atClose.gpuSecondsAllocated()).isCloseTo(4.0, within(1e-9));
        UsageTotals later = l.totals(T0 + 100 * S);
        assertThat(later.coreSecondsAllocated()).isEqualTo(atClose.coreSecondsAllocated());
        assertThat(later.wallSeconds()).isEqualTo(100.0); // wall time is the caller's "now"
        l.workerStarted("a", 2, 1, T0 + 100 * S); // a worker may come back after
        assertThat(l.liveWorkers()).isEqualTo(1);
    }

    @Test
    void peakWorkersIsTheMostAliveAtOnce() {
        UsageLedger l = ledger();
        l.workerStarted("a", 1, 0, T0);
        l.workerStarted("b", 1, 0, T0);
        l.workerStopped("a", T0 + S);
        l.workerStarted("c", 1, 0, T0 + S);
        l.workerStarted("d", 1, 0, T0 + S);
        l.workerStopped("b", T0 + 2 * S);
        l.workerStopped("c", T0 + 2 * S);
        UsageTotals t = l.totals(T0 + 2 * S);
        assertThat(t.workersStarted()).isEqualTo(4);
        assertThat(t.peakWorkers()).isEqualTo(3);
        assertThat(l.liveWorkers()).isEqualTo(1);
    }

    @Test
    void longRunsOnManyCoresDoNotOverflow() {
        UsageLedger l = ledger();
        long year = 365L * 24 * 3600 * S;
        l.workerStarted("big", 10_000, 8, T0);
        UsageTotals t = l.totals(T0 + year);
        assertThat(t.coreSecondsAllocated()).isCloseTo(365.0 * 24 * 3600 * 10_000, within(1.0));
        assertThat(t.gpuSecondsAllocated()).isCloseTo(365.0 * 24 * 3600 * 8, within(1e-3));
    }

    @Test
    void badInputIsNamed() {
        assertThatThrownBy(() -> UsageLedger.forRun(" ", "local", "demo", 0, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("user must not be blank");
        assertThatThrownBy(() -> UsageLedger.forRun("alice", null, "demo", 0, 0))
                .isInstanceOf(NullPointerException.class).hasMessage("cluster must not be null");
        assertThatThrownBy(() -> UsageLedger.forRun("alice", "local", "a\nb", 0, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("job must not contain control characters");
        assertThatThrownBy(() -> UsageLedger.forRun("alice", "local", "demo", -1, 0))
                .hasMessageContaining("startedAtEpochMillis must be >= 0, got -1");
        UsageLedger l = ledger();
        assertThatThrownBy(() -> l.workerStarted("w", 0, 0, T0)).hasMessage("worker w: cores must be >= 1, got 0");
        assertThatThrownBy(() -> l.workerStarted("w", 1, -1, T0)).hasMessage("worker w: gpus must be >= 0, got -1");
        assertThatThrownBy(() -> l.workerStopped("nobody", T0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unknown worker nobody");
        assertThatThrownBy(() -> l.workerFigures("nobody", 0, 0, 0, 0, 0)).hasMessageContaining("unknown worker nobody");
        l.workerStarted("w", 1, 0, T0);
        assertThatThrownBy(() -> l.workerStarted("w", 1, 0, T0))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("worker w started twice");
        assertThatThrownBy(() -> l.workerFigures("w", -1, 0, 0, 0, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("counters must be >= 0, got busyNanos -1");
    }

    @Test
    void formatAndToStringShowTheHeadlineFigures() {
        UsageLedger l = ledger();
        l.workerStarted("w", 2, 0, T0);
        l.workerFigures("w", 3 * S, 0, 3 * S, 7, 3 * 1024 * 1024);
        l.workerStopped("w", T0 + 2 * S);
        UsageTotals t = l.totals(T0 + 2 * S);
        assertThat(t.format()).contains("alice ran demo on local: 1 worker (peak 1), wall 2.00 s")
                .contains("4.0 core-s allocated, 3.0 core-s busy, efficiency 0.750")
                .contains("3.0 cpu-s, 7 tasks, 3.0 MiB spilled")
                .doesNotContain("GPU"); // no GPU line when no GPU was used
        assertThat(t.toString()).contains("alice/local/demo").contains("efficiency 0.750").doesNotContain("\n");
        l.workerStarted("g", 1, 2, T0 + 2 * S);
        assertThat(l.totals(T0 + 3 * S).format()).contains("2.0 GPU-s allocated, 0.0 GPU-s busy");
    }

    @Test
    void totalsRejectImpossibleFigures() {
        assertThatThrownBy(() -> new UsageTotals("u", "c", "j", 0, Double.NaN, 0, 0, 0, 0, 0, 0, 0, 0, 0))
                .hasMessageContaining("wallSeconds must be a finite number >= 0, got NaN");
        assertThatThrownBy(() -> new UsageTotals("u", "c", "j", 0, 1, 0, 0, -1, 0, 0, 0, 0, 0, 0))
                .hasMessageContaining("coreSecondsAllocated must be a finite number >= 0, got -1.0");
        assertThatThrownBy(() -> new UsageTotals("u", "c", "j", 0, 1, 1, 2, 0, 0, 0, 0, 0, 0, 0))
                .hasMessageContaining("peakWorkers (2) cannot exceed workersStarted (1)");
        assertThatThrownBy(() -> new UsageTotals("u", "c", "j", 0, 1, 0, 0, 0, 0, 0, 0, 0, -5, 0))
                .hasMessageContaining("tasks -5");
    }

    @Test
    void humanBytes() {
        assertThat(UsageTotals.humanBytes(0)).isEqualTo("0 B");
        assertThat(UsageTotals.humanBytes(1023)).isEqualTo("1023 B");
        assertThat(UsageTotals.humanBytes(1536)).isEqualTo("1.5 KiB");
        assertThat(UsageTotals.humanBytes(5L << 30)).isEqualTo("5.0 GiB");
        assertThat(UsageTotals.humanBytes(Long.MAX_VALUE)).isEqualTo("8.0 EiB");
    }

    @Test
    void runsAddUpPerUserInOrderOfFirstAppearance() {
        UsageTotals a1 = new UsageTotals("bob", "c", "j1", 0, 1, 1, 1, 10, 8, 0, 0, 7, 3, 100);
        UsageTotals b1 = new UsageTotals("alice", "c", "j2", 0, 1, 1, 1, 4, 1, 2, 1, 1, 1, 0);
        UsageTotals a2 = new UsageTotals("bob", "c", "j3", 0, 1, 2, 2, 10, 10, 0, 0, 9, 5, 28);
        List<UserUsageTotals> sums = UserUsageTotals.byUser(List.of(a1, b1, a2));
        assertThat(sums).extracting(UserUsageTotals::user).containsExactly("bob", "alice");
        UserUsageTotals bob = sums.get(0);
        assertThat(bob.runs()).isEqualTo(2);
        assertThat(bob.coreSecondsAllocated()).isEqualTo(20.0);
        assertThat(bob.coreSecondsBusy()).isEqualTo(18.0);
        assertThat(bob.efficiency()).isCloseTo(0.9, within(1e-9));
        assertThat(bob.tasks()).isEqualTo(8);
        assertThat(bob.bytesSpilled()).isEqualTo(128);
        assertThat(bob.toString()).startsWith("bob: 2 runs, 20.0 core-s allocated, 18.0 core-s busy, efficiency 0.900");
        assertThat(bob.toString()).doesNotContain("GPU");
        assertThat(sums.get(1).gpuSecondsAllocated()).isEqualTo(2.0);
        assertThat(sums.get(1).toString()).contains("efficiency 0.250, 2.0 GPU-s allocated, 1.0 GPU-s busy, 1.0 cpu-s");
        assertThatThrownBy(() -> bob.plus(sums.get(1))).hasMessageContaining("cannot add usage of user alice to that of user bob");
        assertThat(UserUsageTotals.byUser(List.of())).isEmpty();
    }
}
