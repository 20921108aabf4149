package dev.burst.internal.adaptive;

import dev.burst.internal.adaptive.SimulatedCluster.SimTask;
import dev.burst.internal.adaptive.SimulatedCluster.StartOutcome;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static dev.burst.internal.adaptive.SimulatedCluster.S;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link AdaptivePolicy} running a {@link SimulatedCluster} on a virtual clock, seeded, with the
 * policy's invariants checked at every decision (target in bounds, never more than maximum
 * connected + pending, never up and down at once, never the last worker holding sole results).
 */
class AdaptiveSimulationTest {
    /** targetDuration 10 s, idleTimeout 2 s, scaleDownDelay 2 s, back-off 1 s doubling to 16 s, arrival timeout 30 s. */
    private static AdaptiveSettings settings(int minimum, int maximum) {
        return new AdaptiveSettings(minimum, maximum, 10 * S, 2 * S, 2 * S, S, 16 * S, 30 * S);
    }

    /** {@code n} tasks of {@code seconds} ± 50 %; every 50th result is kept until the client fetches it. */
    private static List<SimTask> burst(SplittableRandom rng, int n, double seconds) {
        List<SimTask> tasks = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            long duration = (long) (seconds * S * (0.5 + rng.nextDouble()));
            tasks.add(new SimTask(duration, i % 50 == 49 ? (long) (S * (0.5 + rng.nextDouble() * 2)) : 0));
        }
        return tasks;
    }

    private static SimulatedCluster bursty(long seed) {
        SimulatedCluster c = new SimulatedCluster(seed, settings(0, 10), 2, S / 2);
        SplittableRandom rng = new SplittableRandom(seed + 1);
        c.submit(0, burst(rng, 400, 1.0));
        c.submit(150 * S, burst(rng, 200, 2.0));
        c.submit(300 * S, burst(rng, 600, 0.5));
        c.runUntil(450 * S);
        return c;
    }

    private static int activeAt(SimulatedCluster c, long fromNanos, long toNanos, boolean max) {
        int result = max ? 0 : Integer.MAX_VALUE;
        for (long[] s : c.sizes) {
            if (s[0] >= fromNanos && s[0] <= toNanos) {
                result = max ? Math.max(result, (int) s[1]) : Math.min(result, (int) s[1]);
            }
        }
        return result;
    }

    @Test
    void burstsScaleUpAtOnceAndBackToTheMinimumBetweenThemEfficiently() {
        SimulatedCluster c = bursty(42);
        assertThat(c.tasksDone).isEqualTo(1200);
        assertThat(c.resultsLost).isZero();
        for (long burstAt : new long[] {0, 150 * S, 300 * S}) {
            // Up to the maximum within seconds of each burst (arrivals take 1–3 s)...
            assertThat(activeAt(c, burstAt, burstAt + 5 * S, true)).as("workers after the burst at %d s", burstAt / S)
                    .isEqualTo(10);
            // ...and down to the minimum, 0, well before the next one.
            assertThat(activeAt(c, burstAt + 100 * S, burstAt + 150 * S, true)).as("workers in the gap").isZero();
        }
        // Measured 0.872–0.877 over seeds 1–6 and 42: allocated time is lost only to the tail of each
        // burst and to idleTimeout before the workers go.
        assertThat(c.efficiency()).isGreaterThanOrEqualTo(0.85);
        assertThat(c.maxWorkers).isEqualTo(10);
    }

    @Test
    void theSameSeedReplaysTheSameRun() {
        SimulatedCluster a = bursty(7);
        SimulatedCluster b = bursty(7);
        assertThat(a.startRequests).isEqualTo(b.startRequests);
        assertThat(a.allocatedNanos).isEqualTo(b.allocatedNanos);
        assertThat(a.decisionLog).isEqualTo(b.decisionLog);
    }

    @Test
    void aLongTailKeepsOneWorkerAndItStaysWhileItHoldsTheOnlyCopyOfAResult() {
        SimulatedCluster c = new SimulatedCluster(3, settings(0, 10), 2, S / 2);
        List<SimTask> tasks = new ArrayList<>(burst(new SplittableRandom(4), 100, 1.0));
        tasks.add(new SimTask(60 * S, -1)); // the long one, last; its result is never fetched
        c.submit(0, tasks);
        c.runUntil(200 * S);

        assertThat(c.tasksDone).isEqualTo(101);
        assertThat(activeAt(c, 0, 10 * S, true)).isGreaterThanOrEqualTo(8);
        // From shortly after the short tasks until the end, only the worker with the long task stays;
        // after it finished, it holds the only copy of a wanted result, so it is not retired.
        assertThat(activeAt(c, 25 * S, 200 * S, true)).isEqualTo(1);
        assertThat(activeAt(c, 25 * S, 200 * S, false)).isEqualTo(1);
        assertThat(c.connectedNow()).isEqualTo(1);
        assertThat(c.resultsLost).isZero();
        assertThat(c.decisionLog.getLast().reason()).contains("keeping", "exist nowhere else");
    }

    @Test
    void workersThatNeverArriveAreCancelledWithBackOffAndNoTightLoop() {
        SimulatedCluster c = new SimulatedCluster(5, settings(0, 4), 2, S / 2);
        c.startOutcome = n -> StartOutcome.NEVER_ARRIVES;
        c.submit(0, burst(new SplittableRandom(6), 50, 1.0));
        c.runUntil(600 * S);

        assertThat(c.tasksDone).isZero();
        // Each round waits out the arrival timeout (30 s) and then a back-off: at most 21 rounds in 600 s.
        assertThat(c.startTimes.size()).isBetween(600 / (30 + 16), 600 / 30 + 1);
        assertThat(c.startRequests).isLessThanOrEqualTo(4 * (600 / 30 + 1));
        assertThat(c.cancelled).isGreaterThanOrEqualTo(c.startRequests - 4);
        assertThat(c.backoffNow()).isEqualTo(16 * S);
        assertThat(c.decisionLog).anySatisfy(d -> assertThat(d.reason()).contains("backing off"));
    }

    @Test
    void workersThatStartArrivingAfterFailuresRunTheWorkAndTheBackOffResets() {
        SimulatedCluster c = new SimulatedCluster(8, settings(0, 4), 2, S / 2);
        c.startOutcome = n -> n <= 8 ? StartOutcome.NEVER_ARRIVES : StartOutcome.ARRIVES;
        c.submit(0, burst(new SplittableRandom(9), 50, 1.0));
        c.runUntil(300 * S);
        assertThat(c.tasksDone).isEqualTo(50);
        assertThat(c.backoffNow()).isZero();
        assertThat(c.connectedNow()).isZero();
    }

    @Test
    void failedStartsBackOffDoublingThenAWorkerArrives() {
        SimulatedCluster c = new SimulatedCluster(10, settings(0, 1), 2, S / 2);
        c.startOutcome = n -> n <= 6 ? StartOutcome.FAILS : StartOutcome.ARRIVES;
        c.submit(0, burst(new SplittableRandom(11), 20, 1.0));
        c.runUntil(200 * S);

        assertThat(c.startFailures).isEqualTo(6);
        assertThat(c.backoffs).containsExactly(S, 2 * S, 4 * S, 8 * S, 16 * S, 16 * S);
        // One request per round, spaced by at least the back-off in force.
        assertThat(c.startRequests).isEqualTo(7);
        for (int i = 1; i < c.startTimes.size(); i++) {
            long gap = c.startTimes.get(i) - c.startTimes.get(i - 1);
            assertThat(gap).as("gap before start %d", i).isGreaterThanOrEqualTo(c.backoffs.get(i - 1));
        }
        assertThat(c.tasksDone).isEqualTo(20);
        assertThat(c.backoffNow()).isZero();
    }
}
