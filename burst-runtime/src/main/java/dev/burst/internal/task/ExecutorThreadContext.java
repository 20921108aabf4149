package dev.burst.internal.task;

import dev.burst.internal.core.ResourceAmounts;
import dev.burst.internal.worker.GpuSlots;

import java.util.List;

/**
 * What {@link dev.burst.TaskContext} tells the task running on an executor thread: the worker's
 * name and devices, and the GPU devices the current task holds.
 *
 * <p>Design note: one instance per executor thread, installed in a thread-local once when the thread
 * starts, and updated per task with plain field writes (only its own thread reads or writes it), so
 * the per-task cost for a task without GPUs is two field writes. Executors call
 * {@link #taskStarting} before running a task and {@link #taskEnded} in a {@code finally} before
 * reporting its end, which gives the devices back before the worker's state frees the task's amount.
 */
public final class ExecutorThreadContext {
    private static final ThreadLocal<ExecutorThreadContext> CURRENT = new ThreadLocal<>();

    private final String workerName;
    private final GpuSlots slots;
    private List<Integer> gpus = List.of();

    private ExecutorThreadContext(String workerName, GpuSlots slots) {
        this.workerName = workerName;
        this.slots = slots;
    }

    /**
     * Makes the calling thread an executor of the worker {@code workerName} with devices {@code slots}.
     * The GPU-seconds its tasks hold are counted by the worker's shell (it knows when a task starts
     * and ends, and counts a running one too), not here.
     */
    public static ExecutorThreadContext install(String workerName, GpuSlots slots) {
        ExecutorThreadContext c = new ExecutorThreadContext(workerName, slots);
        CURRENT.set(c);
        return c;
    }

    /** The calling executor thread's context, or null on a thread that is not a worker's executor. */
    public static ExecutorThreadContext current() {
        return CURRENT.get();
    }

    /**
     * Takes the devices a task holding {@code resources} gets. Throws (and holds nothing) when the
     * request cannot be assigned; the executor then fails the task with that error.
     */
    public void taskStarting(ResourceAmounts resources) {
        gpus = slots.acquire(resources);
    }

    /** Gives back the current task's devices; safe to call when {@link #taskStarting} threw. */
    public void taskEnded() {
        List<Integer> held = gpus;
        gpus = List.of();
        slots.release(held);
    }

    /** The GPU devices the running task holds (empty when none). */
    public List<Integer> gpus() {
        return gpus;
    }

    /** All GPU devices of this worker, held or not. */
    public List<Integer> workerGpus() {
        return slots.devices();
    }

    public String workerName() {
        return workerName;
    }
}
