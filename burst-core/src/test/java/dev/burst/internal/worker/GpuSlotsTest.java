package dev.burst.internal.worker;

import dev.burst.internal.core.ResourceAmounts;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class GpuSlotsTest {
    private static ResourceAmounts gpu(double n) {
        return ResourceAmounts.of(Map.of("cpu", 1.0, "gpu", n));
    }

    @Test
    void tasksGetTheLowestFreeDevicesAndGiveThemBack() {
        GpuSlots slots = new GpuSlots(List.of(0, 1, 2));
        List<Integer> a = slots.acquire(gpu(1));
        List<Integer> b = slots.acquire(gpu(2));
        assertThat(a).containsExactly(0);
        assertThat(b).containsExactly(1, 2);
        assertThat(slots.freeCount()).isZero();
        slots.release(a);
        assertThat(slots.acquire(gpu(1))).containsExactly(0);
        slots.release(b);
        assertThat(slots.freeCount()).isEqualTo(2);
    }

    @Test
    void explicitIndicesAreHandedOutAsGiven() {
        GpuSlots slots = new GpuSlots(List.of(3, 5));
        assertThat(slots.acquire(gpu(1))).containsExactly(3);
        assertThat(slots.acquire(gpu(1))).containsExactly(5);
    }

    @Test
    void aTaskWithoutGpuOrAWorkerWithoutDevicesGetsNone() {
        assertThat(new GpuSlots(List.of(0)).acquire(ResourceAmounts.ONE_CPU)).isEmpty();
        assertThat(GpuSlots.none().acquire(gpu(1))).isEmpty();
        assertThat(GpuSlots.none().acquire(gpu(0.5))).isEmpty();
    }

    @Test
    void firstDevicesCountsWholeDevices() {
        assertThat(GpuSlots.firstDevices(2).devices()).containsExactly(0, 1);
        assertThat(GpuSlots.firstDevices(1.5).devices()).containsExactly(0);
        assertThat(GpuSlots.firstDevices(0).hasDevices()).isFalse();
        assertThatThrownBy(() -> GpuSlots.firstDevices(-1)).hasMessageContaining("-1");
    }

    @Test
    void badUseIsAClearError() {
        GpuSlots slots = new GpuSlots(List.of(0, 1));
        assertThatThrownBy(() -> slots.acquire(gpu(3))).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("asked for 3").hasMessageContaining("only 2");
        assertThatThrownBy(() -> slots.acquire(gpu(0.5))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("whole number").hasMessageContaining("gpu=0.5");
        assertThatThrownBy(() -> slots.release(List.of(0))).hasMessageContaining("not held");
        assertThatThrownBy(() -> slots.release(List.of(7))).hasMessageContaining("device 7");
        assertThatThrownBy(() -> new GpuSlots(List.of(0, 0))).hasMessageContaining("listed twice");
        assertThatThrownBy(() -> new GpuSlots(List.of(-1))).hasMessageContaining(">= 0");
        assertThatThrownBy(() -> new GpuSlots(null)).hasMessageContaining("null");
    }

    /**
     * Many tasks start and end in random order, each taking only what is free (as WorkerState
     * ensures): devices held at once never overlap, and all come back.
     */
    @Test
    void randomStartsAndEndsNeverShareADevice() {
        for (long seed = 0; seed < 200; seed++) {
            Random random = new Random(seed);
            int deviceCount = 1 + random.nextInt(8);
            List<Integer> devices = new ArrayList<>();
            int first = random.nextInt(3);
            for (int i = 0; i < deviceCount; i++) {
                devices.add(first + 2 * i); // not always 0..n-1
            }
            GpuSlots slots = new GpuSlots(devices);
            List<List<Integer>> running = new ArrayList<>();
            int freeAmount = deviceCount; // what WorkerState would track
            for (int step = 0; step < 500; step++) {
                boolean start = running.isEmpty() || random.nextBoolean();
                if (start) {
                    int want = random.nextInt(Math.min(3, deviceCount) + 1);
                    if (want > freeAmount) {
                        continue; // WorkerState would not start it
                    }
                    List<Integer> got = slots.acquire(gpu(want));
                    assertThat(got).hasSize(want).allMatch(devices::contains).doesNotHaveDuplicates();
                    freeAmount -= want;
                    running.add(got);
                } else {
                    List<Integer> done = running.remove(random.nextInt(running.size()));
                    slots.release(done);
                    freeAmount += done.size();
                }
                Set<Integer> held = new HashSet<>();
                for (List<Integer> r : running) {
                    for (Integer d : r) {
                        assertThat(held.add(d)).as("seed %d: device %d held by two tasks", seed, d).isTrue();
                    }
                }
                assertThat(slots.freeCount()).isEqualTo(freeAmount);
            }
            running.forEach(slots::release);
            assertThat(slots.freeCount()).as("seed %d: all devices back", seed).isEqualTo(deviceCount);
        }
    }
}
