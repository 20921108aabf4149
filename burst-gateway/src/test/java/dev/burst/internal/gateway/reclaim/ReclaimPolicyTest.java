package dev.burst.internal.gateway.reclaim;

import dev.burst.internal.gateway.ledger.StopReason;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

class ReclaimPolicyTest {
    static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");
    static final ReclaimTimeouts T = new ReclaimTimeouts(Duration.ofMinutes(20), Duration.ofMinutes(2), Duration.ofHours(8));

    static Instant at(Duration d) {
        return T0.plus(d);
    }

    @Test
    void aClusterWhoseClientNeverCameOrWentIsStoppedAfterTheNoClientTimeout() {
        ActivityTracker a = new ActivityTracker(T0, T0);
        a.observe(at(Duration.ofSeconds(119)), false, 0, 0, 0);
        assertThat(ReclaimPolicy.decide(a.observation(false, false), T, at(Duration.ofSeconds(119)))).isEmpty();
        assertThat(ReclaimPolicy.decide(a.observation(false, false), T, at(Duration.ofSeconds(120))))
                .hasValueSatisfying(d -> assertThat(d.reason()).isEqualTo(StopReason.NO_CLIENT));
        assertThat(ReclaimPolicy.decide(a.observation(false, true), T, at(Duration.ofSeconds(120)))).isEmpty();
    }

    @Test
    void aConnectedClientIsNotActivityButARunningTaskIs() {
        ActivityTracker a = new ActivityTracker(T0, T0);
        a.observe(at(Duration.ofSeconds(1)), false, 0, 0, 1);
        a.observe(at(Duration.ofMinutes(19)), false, 0, 0, 1);
        assertThat(ReclaimPolicy.decide(a.observation(false, false), T, at(Duration.ofMinutes(20))))
                .hasValueSatisfying(d -> {
                    assertThat(d.reason()).isEqualTo(StopReason.IDLE);
                    assertThat(d.detail()).contains("idle-timeout 1200 s");
                });
        ActivityTracker busy = new ActivityTracker(T0, T0);
        busy.observe(at(Duration.ofMinutes(1)), true, 1, 0, 1);
        busy.observe(at(Duration.ofMinutes(30)), true, 1, 0, 1);
        assertThat(ReclaimPolicy.decide(busy.observation(true, false), T, at(Duration.ofMinutes(30)))).isEmpty();
        busy.observe(at(Duration.ofMinutes(31)), false, 1, 1, 1);
        assertThat(ReclaimPolicy.decide(busy.observation(false, false), T, at(Duration.ofMinutes(50)))).isEmpty();
        assertThat(ReclaimPolicy.decide(busy.observation(false, false), T, at(Duration.ofMinutes(51))))
                .map(ReclaimDecision::reason).contains(StopReason.IDLE);
    }

    @Test
    void idleAndNoClientCountFromTheStartNotFromTheRequest() {
        ActivityTracker slowStart = new ActivityTracker(T0, at(Duration.ofSeconds(90)));
        assertThat(ReclaimPolicy.decide(slowStart.observation(false, false), T, at(Duration.ofSeconds(200)))).isEmpty();
        assertThat(ReclaimPolicy.decide(slowStart.observation(false, false), T, at(Duration.ofSeconds(210))))
                .map(ReclaimDecision::reason).contains(StopReason.NO_CLIENT);
    }

    @Test
    void maxLifetimeComesFirstAndAppliesToDetachedClusters() {
        ActivityTracker a = new ActivityTracker(T0, T0);
        a.observe(at(Duration.ofHours(8)), true, 5, 1, 0);
        assertThat(ReclaimPolicy.decide(a.observation(true, true), T, at(Duration.ofHours(8))))
                .map(ReclaimDecision::reason).contains(StopReason.MAX_LIFETIME);
    }

    @Test
    void theNextStopIsTheEarliestDeadlineAndDecideStopsThenForThatReason() {
        ActivityTracker a = new ActivityTracker(T0, T0);
        a.observe(at(Duration.ofSeconds(5)), false, 0, 0, 1); // a client connects
        a.observe(at(Duration.ofSeconds(10)), false, 1, 1, 1); // a task ran and ended
        var next = ReclaimPolicy.next(a.observation(false, false), T);
        assertThat(next).contains(new ReclaimPolicy.Scheduled(StopReason.IDLE, at(Duration.ofSeconds(10).plusMinutes(20))));
        assertThat(ReclaimPolicy.decide(a.observation(false, false), T, next.get().at().minusSeconds(1))).isEmpty();
        assertThat(ReclaimPolicy.decide(a.observation(false, false), T, next.get().at()))
                .hasValueSatisfying(d -> assertThat(d.reason()).isEqualTo(next.get().reason()));

        a.observe(at(Duration.ofSeconds(20)), false, 1, 1, 0); // the client left: two minutes
        assertThat(ReclaimPolicy.next(a.observation(false, false), T))
                .contains(new ReclaimPolicy.Scheduled(StopReason.NO_CLIENT, at(Duration.ofSeconds(20).plusMinutes(2))));
        // Working and detached: only the lifetime cap is left.
        assertThat(ReclaimPolicy.next(a.observation(true, true), T))
                .contains(new ReclaimPolicy.Scheduled(StopReason.MAX_LIFETIME, at(Duration.ofHours(8))));
        assertThat(ReclaimPolicy.next(a.observation(true, true), new ReclaimTimeouts(null, null, null))).isEmpty();
    }
}
