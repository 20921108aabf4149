package dev.burst.internal.executor;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Busy and GPU time per executor slot, with times given explicitly. */
class ExecutorTimesTest {
    private final ExecutorTimes times = new ExecutorTimes(2);

    @Test
    void aRunningTaskCountsUpToNowAndAnEndedOneItsDuration() {
        assertThat(times.busyNanos(1_000)).isZero();
        times.started(0, 1_000);
        times.started(1, 1_500);
        assertThat(times.busyNanos(2_000)).isEqualTo(1_000 + 500);
        assertThat(times.tasks()).isZero();

        assertThat(times.ended(0, 3_000)).isEqualTo(2_000);
        assertThat(times.busyNanos(4_000)).isEqualTo(2_000 + 2_500);
        assertThat(times.tasks()).isEqualTo(1);
        times.ended(1, 4_000);
        assertThat(times.busyNanos(9_000)).as("idle slots add nothing").isEqualTo(2_000 + 2_500);
        assertThat(times.tasks()).isEqualTo(2);
    }

    @Test
    void gpuTimeIsDurationTimesDevicesHeld() {
        times.started(0, 0);
        times.holdsGpus(0, 2);
        times.started(1, 0); // no devices
        assertThat(times.gpuBusyNanos(100)).isEqualTo(200);
        times.ended(0, 300);
        assertThat(times.gpuBusyNanos(1_000)).isEqualTo(600);
        times.started(0, 1_000); // the next task holds none
        assertThat(times.gpuBusyNanos(2_000)).isEqualTo(600);
    }

    @Test
    void figuresNeverGoDown() {
        times.started(0, 0);
        assertThat(times.busyNanos(500)).isEqualTo(500);
        // A reader whose clock is behind (it read the time before the slot published) sees no drop.
        assertThat(times.busyNanos(400)).isEqualTo(500);
        times.ended(0, 450);
        assertThat(times.busyNanos(600)).isEqualTo(500);
        assertThat(times.busyNanos(700)).isEqualTo(500);
    }

    @Test
    void afterAFreezeATaskStillRunningCountsOnlyUpToIt() {
        times.started(0, 0);
        times.freeze(1_000);
        assertThat(times.busyNanos(5_000)).isEqualTo(1_000);
        // should it end after all, it held its core until then
        times.ended(0, 2_000);
        assertThat(times.busyNanos(6_000)).isEqualTo(2_000);
    }
}
