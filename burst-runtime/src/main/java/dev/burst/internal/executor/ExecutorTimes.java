package dev.burst.internal.executor;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Busy time, GPU time and tasks of a worker's executor slots, for the usage ledger: the durations
 * of the tasks that ended plus the time so far of the tasks running now. A task holds its core
 * whether it ends well, fails, is cancelled or is cut short by a close, so its time counts from
 * the moment it starts; a heartbeat or an in-process read in the middle of a long task already
 * includes it.
 *
 * <p>Design note: each slot is written only by its own executor thread, which publishes an
 * immutable {@link Sample} through one volatile field when a task starts and when it ends, so a
 * reader on any thread sees a consistent pair of "finished" and "running since" without a lock,
 * and a task costs two small allocations. The figures read are clamped to never go down: a reader
 * that caught a task between measuring its end and publishing it saw a few microseconds more than
 * the task's duration, and the scheduler and the ledger expect counters that only grow. After
 * {@link #freeze}, a task that is still running (it ignored the interrupt) counts only up to the
 * freeze, so a closed worker's figures stop growing with its allocation (should it end after all,
 * its whole duration counts then).
 */
final class ExecutorTimes {
    /** One slot's figures: what ended, and the task running now (if {@code running}). */
    private record Sample(long finishedNanos, long finishedGpuNanos, long tasks,
                          boolean running, long runningSince, int runningGpus) {
    }

    private static final class Slot {
        volatile Sample sample = new Sample(0, 0, 0, false, 0, 0);
    }

    private final Slot[] slots;
    private final AtomicLong busyShown = new AtomicLong();
    private final AtomicLong gpuShown = new AtomicLong();
    private volatile boolean frozen;
    private volatile long frozenAt;

    ExecutorTimes(int slotCount) {
        slots = new Slot[slotCount];
        for (int i = 0; i < slotCount; i++) {
            slots[i] = new Slot();
        }
    }

    /** A task starts on {@code slot} at {@code now}. Slot's own thread only. */
    void started(int slot, long now) {
        Sample s = slots[slot].sample;
        slots[slot].sample = new Sample(s.finishedNanos(), s.finishedGpuNanos(), s.tasks(), true, now, 0);
    }

    /** The task running on {@code slot} holds {@code gpus} devices (from its start). Slot's own thread only. */
    void holdsGpus(int slot, int gpus) {
        Sample s = slots[slot].sample;
        slots[slot].sample = new Sample(s.finishedNanos(), s.finishedGpuNanos(), s.tasks(), s.running(), s.runningSince(), gpus);
    }

    /** The task running on {@code slot} ended at {@code now}; returns its duration. Slot's own thread only. */
    long ended(int slot, long now) {
        Sample s = slots[slot].sample;
        long duration = Math.max(0, now - s.runningSince());
        slots[slot].sample = new Sample(s.finishedNanos() + duration, s.finishedGpuNanos() + duration * s.runningGpus(),
                s.tasks() + 1, false, 0, 0);
        return duration;
    }

    /** Tasks on the slots now. */
    int running() {
        int n = 0;
        for (Slot slot : slots) {
            if (slot.sample.running()) {
                n++;
            }
        }
        return n;
    }

    /** From now on, running tasks count only up to {@code now}. */
    void freeze(long now) {
        frozenAt = now;
        frozen = true;
    }

    /** Nanoseconds executors spent running tasks, those running at {@code now} included; never decreases. */
    long busyNanos(long now) {
        long end = frozen ? Math.min(now, frozenAt) : now;
        long sum = 0;
        for (Slot slot : slots) {
            Sample s = slot.sample;
            sum += s.finishedNanos();
            if (s.running()) {
                sum += Math.max(0, end - s.runningSince());
            }
        }
        return busyShown.accumulateAndGet(sum, Math::max);
    }

    /** Nanoseconds × devices that tasks held GPU devices, those running at {@code now} included; never decreases. */
    long gpuBusyNanos(long now) {
        long end = frozen ? Math.min(now, frozenAt) : now;
        long sum = 0;
        for (Slot slot : slots) {
            Sample s = slot.sample;
            sum += s.finishedGpuNanos();
            if (s.running()) {
                sum += Math.max(0, end - s.runningSince()) * s.runningGpus();
            }
        }
        return gpuShown.accumulateAndGet(sum, Math::max);
    }

    /** Tasks that ended (well or not). */
    long tasks() {
        long sum = 0;
        for (Slot slot : slots) {
            sum += slot.sample.tasks();
        }
        return sum;
    }
}
