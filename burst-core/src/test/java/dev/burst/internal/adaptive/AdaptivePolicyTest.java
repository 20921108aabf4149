package dev.burst.internal.adaptive;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The rules of {@link AdaptivePolicy}, one at a time, on hand-made snapshots. */
class AdaptivePolicyTest {
    private static final long S = 1_000_000_000L;

    /** targetDuration 5 s, idleTimeout 10 s, scaleDownDelay 5 s, back-off 1 s doubling to 8 s, arrival timeout 60 s. */
    private static AdaptiveSettings settings(int minimum, int maximum) {
        return new AdaptiveSettings(minimum, maximum, 5 * S, 10 * S, 5 * S, S, 8 * S, 60 * S);
    }

    private static ClusterSnapshot waiting(int tasks, double secondsEach, WorkerView... workers) {
        return new ClusterSnapshot(List.of(workers), tasks, tasks * secondsEach * S);
    }

    private static WorkerView idle(String name, int threads) {
        return new WorkerView(name, threads, 0, 0, 0, 0, false);
    }

    private static WorkerView busy(String name, int threads, int tasks, double seconds) {
        return new WorkerView(name, threads, tasks, seconds * S, 0, 0, false);
    }

    private static WorkerView holding(String name, long bytes, int soleResults) {
        return new WorkerView(name, 1, 0, 0, bytes, soleResults, false);
    }

    // ---------------------------------------------------------------- the target

    @Test
    void aBurstOfWorkScalesUpOnTheFirstDecision() {
        AdaptivePolicy policy = new AdaptivePolicy(settings(0, 2), 1);
        AdaptiveDecision d = policy.decide(waiting(20, 0.5), List.of(), 0);
        assertThat(d.target()).isEqualTo(2);
        assertThat(d.start()).isEqualTo(2);
        assertThat(d.retire()).isEmpty();
        assertThat(d.reason()).contains("20 tasks waiting", "10.0 s of work", "0 → 2 workers");
    }

    @Test
    void threadsWantedAreTheWorkOverTheTargetDuration() {
        AdaptivePolicy policy = new AdaptivePolicy(settings(0, 100), 1);
        // 20 × 0.5 s = 10 s of work in 5 s: 2 threads, not 20.
        assertThat(policy.decide(waiting(20, 0.5), List.of(), 0).target()).isEqualTo(2);
    }

    @Test
    void threadsPerWorkerAreCountedSoEightTasksOnFourThreadWorkersNeedTwoWorkers() {
        AdaptivePolicy policy = new AdaptivePolicy(settings(0, 100), 4);
        // 80 s of work would want 16 threads, but 8 tasks can use only 8: two 4-thread workers.
        AdaptiveDecision d = policy.decide(waiting(8, 10), List.of(), 0);
        assertThat(d.target()).isEqualTo(2);
        assertThat(d.start()).isEqualTo(2);
    }

    @Test
    void processingWorkCountsAndATaskAlwaysGetsAThread() {
        AdaptivePolicy policy = new AdaptivePolicy(settings(0, 100), 2);
        // 3 tasks on a, 30 s of work; 2 waiting tasks with no expected work yet.
        AdaptiveDecision d = policy.decide(new ClusterSnapshot(List.of(busy("a", 2, 3, 30)), 2, 0), List.of(), 0);
        assertThat(d.target()).isEqualTo(3); // min(5 tasks, 6 threads) = 5 threads → 3 workers
        assertThat(d.start()).isEqualTo(2);
        assertThat(new AdaptivePolicy(settings(0, 100), 1).decide(waiting(1, 0), List.of(), 0).target()).isEqualTo(1);
    }

    @Test
    void theTargetIsClampedToMinimumAndMaximum() {
        AdaptivePolicy small = new AdaptivePolicy(settings(2, 3), 1);
        AdaptiveDecision none = small.decide(waiting(0, 0), List.of(), 0);
        assertThat(none.target()).isEqualTo(2);
        assertThat(none.start()).isEqualTo(2);
        AdaptivePolicy capped = new AdaptivePolicy(settings(2, 3), 1);
        AdaptiveDecision lots = capped.decide(waiting(1000, 10), List.of(), 0);
        assertThat(lots.target()).isEqualTo(3);
        assertThat(lots.start()).isEqualTo(3);
    }

    // ---------------------------------------------------------------- scaling up

    @Test
    void pendingWorkersCountSoRepeatedDecisionsDoNotAskTwice() {
        AdaptivePolicy policy = new AdaptivePolicy(settings(0, 10), 1);
        assertThat(policy.decide(waiting(20, 1), List.of(), 0).start()).isEqualTo(4);
        List<PendingWorker> pending = List.of(new PendingWorker("p1", 0), new PendingWorker("p2", 0),
                new PendingWorker("p3", 0), new PendingWorker("p4", 0));
        AdaptiveDecision again = policy.decide(waiting(20, 1), pending, S);
        assertThat(again.start()).isZero();
        assertThat(again.reason()).contains("steady at 4 workers");
        // Two arrived while the controller still lists them as pending: not counted twice.
        AdaptiveDecision arrived = policy.decide(waiting(20, 1, idle("p1", 1), idle("p2", 1)), pending, 2 * S);
        assertThat(arrived.start()).isZero();
        assertThat(arrived.target()).isEqualTo(4);
    }

    @Test
    void retiringWorkersAreLeavingAndDoNotCount() {
        AdaptivePolicy policy = new AdaptivePolicy(settings(0, 10), 1);
        WorkerView leaving = new WorkerView("old", 1, 0, 0, 0, 0, true);
        AdaptiveDecision d = policy.decide(waiting(2, 5, leaving), List.of(), 0);
        assertThat(d.start()).isEqualTo(2);
        assertThat(d.retire()).isEmpty();
    }

    @Test
    void aDecisionNeverScalesUpAndDownAtOnce() {
        AdaptivePolicy policy = new AdaptivePolicy(new AdaptiveSettings(0, 10, 5 * S, 10 * S, 0, S, 8 * S, 60 * S), 1);
        // Long-idle workers and a burst of work at once: start, and retire nothing.
        assertThat(policy.decide(waiting(2, 5, idle("a", 1), idle("b", 1)), List.of(), 0).reason()).contains("steady");
        AdaptiveDecision d = policy.decide(waiting(40, 1, idle("a", 1), idle("b", 1)), List.of(), 100 * S);
        assertThat(d.start()).isEqualTo(6);
        assertThat(d.retire()).isEmpty();
        assertThatThrownBy(() -> new AdaptiveDecision(2, 1, List.of("a"), List.of(), "both"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    // ---------------------------------------------------------------- scaling down

    @Test
    void scaleDownWaitsForTheDelayAndTheIdleTimeout() {
        AdaptivePolicy policy = new AdaptivePolicy(settings(1, 10), 1);
        WorkerView[] three = {holding("a", 300, 0), holding("b", 100, 0), holding("c", 200, 0)};
        AdaptiveDecision first = policy.decide(waiting(0, 0, three), List.of(), 0);
        assertThat(first.retire()).isEmpty();
        assertThat(first.reason()).contains("want 1 workers, have 3", "scaling down in 5.0 s");
        // Delay over, but nobody idle for 10 s yet.
        AdaptiveDecision delayed = policy.decide(waiting(0, 0, three), List.of(), 6 * S);
        assertThat(delayed.retire()).isEmpty();
        assertThat(delayed.reason()).contains("none idle for 10.0 s yet");
        // Both over: the two storing fewest bytes go, the minimum stays.
        AdaptiveDecision down = policy.decide(waiting(0, 0, three), List.of(), 10 * S);
        assertThat(down.target()).isEqualTo(1);
        assertThat(down.retire()).containsExactly("b", "c");
        assertThat(down.reason()).contains("3 → 1 workers", "retiring b, c");
    }

    @Test
    void workArrivingDuringTheDelayStartsItAgain() {
        AdaptivePolicy policy = new AdaptivePolicy(new AdaptiveSettings(0, 10, 5 * S, 0, 5 * S, S, 8 * S, 60 * S), 1);
        WorkerView a = idle("a", 1);
        WorkerView b = idle("b", 1);
        policy.decide(waiting(0, 0, a, b), List.of(), 0);
        // At 4 s, 10 s of work: the target meets the size again, the lull is over.
        assertThat(policy.decide(waiting(2, 5, a, b), List.of(), 4 * S).reason()).contains("steady at 2 workers");
        assertThat(policy.decide(waiting(0, 0, a, b), List.of(), 6 * S).retire()).isEmpty();
        assertThat(policy.decide(waiting(0, 0, a, b), List.of(), 10 * S).retire()).isEmpty();
        assertThat(policy.decide(waiting(0, 0, a, b), List.of(), 11 * S).retire()).containsExactly("a", "b");
    }

    @Test
    void busyWorkersAreNotRetiredAndIdlenessRestartsWhenAWorkerGetsWork() {
        AdaptivePolicy policy = new AdaptivePolicy(new AdaptiveSettings(0, 10, 100 * S, 10 * S, 0, S, 8 * S, 60 * S), 1);
        policy.decide(waiting(0, 0, idle("a", 1), idle("b", 1)), List.of(), 0);
        policy.decide(waiting(0, 0, busy("a", 1, 1, 1), idle("b", 1)), List.of(), 5 * S);
        AdaptiveDecision d = policy.decide(waiting(0, 0, idle("a", 1), busy("b", 1, 1, 1)), List.of(), 10 * S);
        assertThat(d.retire()).isEmpty(); // a idle since 10 s only, b busy
        assertThat(policy.decide(waiting(0, 0, idle("a", 1), busy("b", 1, 1, 1)), List.of(), 20 * S).retire())
                .containsExactly("a");
    }

    @Test
    void workersHoldingFewerSoleResultsGoFirst() {
        AdaptivePolicy policy = new AdaptivePolicy(new AdaptiveSettings(1, 10, 5 * S, 0, 0, S, 8 * S, 60 * S), 1);
        AdaptiveDecision d = policy.decide(waiting(0, 0, holding("a", 10, 2), holding("b", 1000, 0),
                holding("c", 5, 1)), List.of(), 0);
        assertThat(d.retire()).containsExactly("b", "c");
    }

    @Test
    void theLastWorkerHoldingResultsThatExistNowhereElseStays() {
        AdaptiveSettings noWait = new AdaptiveSettings(0, 10, 5 * S, 0, 0, S, 8 * S, 60 * S);
        AdaptiveDecision one = new AdaptivePolicy(noWait, 1).decide(waiting(0, 0, holding("a", 100, 1)), List.of(), 0);
        assertThat(one.retire()).isEmpty();
        assertThat(one.reason()).contains("keeping a", "exist nowhere else");
        // Two such workers: one goes (its results are copied to the other), the one holding more stays.
        AdaptiveDecision two = new AdaptivePolicy(noWait, 1).decide(
                waiting(0, 0, holding("a", 100, 3), holding("b", 100, 1)), List.of(), 0);
        assertThat(two.retire()).containsExactly("b");
        // Results held elsewhere too (none sole): the last worker may go to reach minimum 0.
        assertThat(new AdaptivePolicy(noWait, 1).decide(waiting(0, 0, holding("a", 100, 0)), List.of(), 0).retire())
                .containsExactly("a");
        // A busy worker stays anyway, so the idle one holding sole results may go.
        AdaptiveDecision withStayer = new AdaptivePolicy(noWait, 1).decide(
                waiting(0, 0, holding("a", 100, 5), busy("b", 1, 1, 1), idle("c", 1)), List.of(), 0);
        assertThat(withStayer.retire()).containsExactly("c", "a");
    }

    @Test
    void surplusPendingWorkersAreCancelledFirstNewestFirst() {
        AdaptivePolicy policy = new AdaptivePolicy(new AdaptiveSettings(1, 10, 5 * S, 0, 0, S, 8 * S, 60 * S), 1);
        List<PendingWorker> pending = List.of(new PendingWorker("p-old", 0), new PendingWorker("p-new", S));
        AdaptiveDecision d = policy.decide(waiting(0, 0, idle("a", 1), idle("b", 1)), pending, 2 * S);
        assertThat(d.cancel()).containsExactly("p-new", "p-old");
        assertThat(d.retire()).containsExactly("a");
        assertThat(d.reason()).contains("4 → 1 workers", "cancelling pending p-new, p-old", "retiring a");
        // The controller has not caught up yet: nothing is cancelled or retired twice.
        AdaptiveDecision again = policy.decide(waiting(0, 0, idle("a", 1), idle("b", 1)), pending, 3 * S);
        assertThat(again.cancel()).isEmpty();
        assertThat(again.retire()).isEmpty();
        assertThat(again.target()).isEqualTo(1);
    }

    // ---------------------------------------------------------------- failures and back-off

    @Test
    void workersThatDoNotArriveAreCancelledAndBackedOffFromWithDoublingUntilOneArrives() {
        AdaptivePolicy policy = new AdaptivePolicy(settings(0, 1), 1);
        long t = 0;
        assertThat(policy.decide(waiting(5, 1), List.of(), t).start()).isEqualTo(1);
        List<Long> backoffs = new ArrayList<>();
        for (int round = 0; round < 5; round++) {
            long requested = t;
            t += 60 * S; // overdue
            AdaptiveDecision late = policy.decide(waiting(5, 1), List.of(new PendingWorker("w" + round, requested)), t);
            assertThat(late.cancel()).containsExactly("w" + round);
            assertThat(late.start()).isZero();
            assertThat(late.reason()).contains("backing off", "did not arrive within 60.0 s");
            backoffs.add(policy.backoffNanos());
            t += policy.backoffNanos() - 1;
            assertThat(policy.decide(waiting(5, 1), List.of(), t).start()).as("still backing off").isZero();
            t += 1;
            assertThat(policy.decide(waiting(5, 1), List.of(), t).start()).isEqualTo(1);
        }
        assertThat(backoffs).containsExactly(S, 2 * S, 4 * S, 8 * S, 8 * S);
        // One arrives: the back-off is forgotten.
        policy.decide(waiting(5, 1, busy("w5", 1, 1, 1)), List.of(), t + S);
        assertThat(policy.backoffNanos()).isZero();
    }

    @Test
    void aFailedStartBacksOffOncePerRoundAndDoubles() {
        AdaptivePolicy policy = new AdaptivePolicy(settings(0, 3), 1);
        assertThat(policy.decide(waiting(30, 1), List.of(), 0).start()).isEqualTo(3);
        // All three fail at once: one round, 1 s.
        policy.startFailed("a", "sbatch: error: invalid partition", S);
        policy.startFailed("b", "sbatch: error: invalid partition", S);
        policy.startFailed("c", "sbatch: error: invalid partition", S);
        assertThat(policy.backoffNanos()).isEqualTo(S);
        // The controller still lists them: they are not counted, and nothing starts during the back-off.
        List<PendingWorker> stale = List.of(new PendingWorker("a", 0), new PendingWorker("b", 0));
        AdaptiveDecision during = policy.decide(waiting(30, 1), stale, S + S / 2);
        assertThat(during.start()).isZero();
        assertThat(during.cancel()).isEmpty();
        assertThat(during.reason()).contains("backing off 0.5 s", "invalid partition", "want 3 workers, have 0");
        assertThat(policy.decide(waiting(30, 1), List.of(), 2 * S).start()).isEqualTo(3);
        policy.startFailed("d", "no", 2 * S);
        assertThat(policy.backoffNanos()).isEqualTo(2 * S);
        assertThat(policy.decide(waiting(30, 1), List.of(), 3 * S).start()).isZero();
        assertThat(policy.decide(waiting(30, 1), List.of(), 4 * S).start()).isEqualTo(3);
    }

    @Test
    void everyDecisionSaysWhy() {
        AdaptivePolicy policy = new AdaptivePolicy(settings(0, 4), 1);
        assertThat(policy.decide(waiting(0, 0), List.of(), 0).reason()).isNotBlank().contains("steady at 0 workers");
        assertThat(policy.decide(waiting(3, 1), List.of(), S).reason()).isNotBlank();
    }

    @Test
    void invalidArgumentsAreRejected() {
        assertThatThrownBy(() -> new AdaptivePolicy(settings(0, 1), 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> settings(3, 2)).isInstanceOf(IllegalArgumentException.class);
        assertThat(AdaptiveSettings.localProcesses(0, 8).maximum()).isEqualTo(8);
        assertThat(AdaptiveSettings.slurm(1, 50).withBounds(2, 60).minimum()).isEqualTo(2);
    }
}
