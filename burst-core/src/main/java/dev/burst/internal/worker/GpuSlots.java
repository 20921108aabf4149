package dev.burst.internal.worker;

import dev.burst.internal.core.ResourceAmounts;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Which of a worker's GPU devices are free: a task that holds {@code gpu=k} takes {@code k} device
 * indices of its own when it starts and gives them back when it ends, so no two running tasks share
 * a device.
 *
 * <p>Design note: {@link WorkerState} decides <em>whether</em> a task may start (its {@code gpu}
 * amount fits what is free); this class only decides <em>which</em> devices it gets. Executors take
 * devices as a task starts and return them before reporting its end, i.e. before WorkerState frees
 * the amount, so a task WorkerState lets start always finds enough free devices. Lowest free
 * indices first, so assignments are predictable. Thread-safe (executor threads call it without the
 * worker's lock); the common case, a task that holds no GPU, costs no locking.
 *
 * <p>A worker without devices (an empty list) assigns none: {@code gpu} there is a plain label.
 * On a worker with devices, a task's {@code gpu} must be a whole number: a fraction of a device
 * cannot be given to one task alone.
 */
public final class GpuSlots {
    /** The resource name whose amount is a number of devices. */
    public static final String GPU = "gpu";

    private static final GpuSlots NONE = new GpuSlots(List.of());

    private final List<Integer> devices;
    private final Set<Integer> free;

    /** @param devices the worker's device indices (e.g. {@code [0, 1]}), distinct and >= 0 */
    public GpuSlots(List<Integer> devices) {
        if (devices == null) {
            throw new IllegalArgumentException("device indices must not be null (use an empty list for none)");
        }
        Set<Integer> seen = new HashSet<>();
        for (Integer d : devices) {
            if (d == null || d < 0) {
                throw new IllegalArgumentException("a GPU device index must be an integer >= 0, got " + d + " in " + devices);
            }
            if (!seen.add(d)) {
                throw new IllegalArgumentException("GPU device " + d + " is listed twice in " + devices);
            }
        }
        this.devices = List.copyOf(devices);
        this.free = new HashSet<>(devices);
    }

    /** A worker without GPU devices. */
    public static GpuSlots none() {
        return NONE;
    }

    /**
     * Devices {@code 0 .. n-1} for a worker that offers {@code gpu=n} and has no explicit device
     * list (an in-process worker, or a worker process told only {@code --resources gpu=n}); a
     * fractional amount counts its whole devices only.
     */
    public static GpuSlots firstDevices(double gpuAmount) {
        if (!(gpuAmount >= 0) || Double.isInfinite(gpuAmount)) {
            throw new IllegalArgumentException("gpu amount must be a finite number >= 0, got " + gpuAmount);
        }
        int n = (int) Math.floor(gpuAmount + 1e-9);
        List<Integer> d = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            d.add(i);
        }
        return n == 0 ? NONE : new GpuSlots(d);
    }

    /** All of the worker's device indices, in the order given. */
    public List<Integer> devices() {
        return devices;
    }

    public boolean hasDevices() {
        return !devices.isEmpty();
    }

    /** How many devices are free now. */
    public synchronized int freeCount() {
        return free.size();
    }

    /**
     * Takes the devices for a task that holds {@code request}: none when it holds no {@code gpu} or
     * this worker has no devices, else {@code gpu} free devices, lowest indices first.
     *
     * @throws IllegalArgumentException when {@code gpu} is not a whole number on a worker with devices
     * @throws IllegalStateException    when fewer devices are free than asked for
     */
    public List<Integer> acquire(ResourceAmounts request) {
        double amount = request.get(GPU);
        if (amount <= 0 || devices.isEmpty()) {
            return List.of();
        }
        long count = Math.round(amount);
        if (Math.abs(amount - count) > 1e-9) {
            throw new IllegalArgumentException("a task on a worker with GPU devices " + devices
                    + " must hold a whole number of GPUs, got gpu=" + amount);
        }
        return acquire((int) count);
    }

    /** Takes {@code count} free devices, lowest indices first. */
    public synchronized List<Integer> acquire(int count) {
        if (count < 0) {
            throw new IllegalArgumentException("device count must be >= 0, got " + count);
        }
        if (count == 0) {
            return List.of();
        }
        if (count > free.size()) {
            throw new IllegalStateException("a task asked for " + count + " GPU device(s) but only " + free.size()
                    + " of " + devices + " are free " + freeList() + "; the worker's gpu amount and its devices disagree");
        }
        List<Integer> taken = new ArrayList<>(count);
        for (Integer d : freeList()) {
            if (taken.size() == count) {
                break;
            }
            taken.add(d);
        }
        free.removeAll(taken);
        return List.copyOf(taken);
    }

    /** Gives back devices a task held; an empty list is a no-op. */
    public void release(List<Integer> held) {
        if (held.isEmpty()) {
            return;
        }
        synchronized (this) {
            for (Integer d : held) {
                if (!devices.contains(d)) {
                    throw new IllegalStateException("GPU device " + d + " is not one of this worker's " + devices);
                }
                if (free.contains(d)) {
                    throw new IllegalStateException("GPU device " + d + " was released but is not held");
                }
            }
            free.addAll(held);
        }
    }

    private List<Integer> freeList() {
        return free.stream().sorted().toList();
    }

    @Override
    public synchronized String toString() {
        return "GpuSlots{devices=" + devices + ", free=" + freeList() + "}";
    }
}
