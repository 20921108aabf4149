package dev.burst;

import dev.burst.internal.task.ExecutorThreadContext;

import java.util.List;
import java.util.Optional;

/**
 * What a running task can ask about where it runs. Call it from the task's own thread (the thread
 * that runs the task function); other threads, including threads the task starts, see no task.
 *
 * <pre>{@code
 * client.submit(() -> {
 *     int device = TaskContext.gpus().get(0);   // this task's own GPU
 *     return train(device);
 * }, TaskOptions.builder().resources(Resources.of("gpu", 1)).build());
 * }</pre>
 *
 * <p>A task that holds {@code gpu=k} on a worker with GPU devices gets {@code k} device indices that
 * no other running task holds until it ends. A {@link Command} receives them as
 * {@code CUDA_VISIBLE_DEVICES}.
 */
public final class TaskContext {
    private TaskContext() {
    }

    /**
     * The GPU device indices the task running on this thread holds, lowest first; empty outside a
     * task, for a task that holds no {@code gpu}, or on a worker without GPU devices.
     */
    public static List<Integer> gpus() {
        ExecutorThreadContext c = ExecutorThreadContext.current();
        return c == null ? List.of() : c.gpus();
    }

    /** The name of the worker running the task on this thread; empty outside a task. */
    public static Optional<String> workerName() {
        ExecutorThreadContext c = ExecutorThreadContext.current();
        return c == null ? Optional.empty() : Optional.of(c.workerName());
    }

    /** True when the calling thread is a worker's executor thread (so it runs a task). */
    public static boolean inTask() {
        return ExecutorThreadContext.current() != null;
    }
}
