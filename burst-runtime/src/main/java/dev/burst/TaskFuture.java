package dev.burst;

import dev.burst.internal.core.TaskKey;

import java.lang.ref.Cleaner;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * The result of a task that runs on a cluster. The cluster keeps the result while this future
 * is reachable (or until {@link #release()}), so it can be the input of later tasks.
 *
 * <p>{@link #get()} of a task that threw throws {@link ExecutionException} whose cause is the
 * task's own exception. {@link #cancel(boolean)} works for queued and running tasks (a running task
 * is interrupted), unless another request still needs the same task.
 */
public final class TaskFuture<T> implements Future<T> {
    private static final Cleaner CLEANER = Cleaner.create();

    private final TaskKey key;
    private final Client client;
    final CompletableFuture<T> result = new CompletableFuture<>();
    private final Cleaner.Cleanable cleanable;
    private final Client.KeyRelease releaser;
    private volatile String stallReason;
    /** How to bring the result from the worker holding it, once the task is done there (remote clusters). */
    private volatile Runnable fetch;
    /** Someone wants the value (get, gather, asCompleted, toCompletableFuture): fetch as soon as it is ready. */
    private volatile boolean demanded;
    private final java.util.concurrent.atomic.AtomicBoolean fetching = new java.util.concurrent.atomic.AtomicBoolean();

    TaskFuture(TaskKey key, Client client) {
        this.key = key;
        this.client = client;
        // Must not capture this future, or it would never become unreachable.
        this.releaser = client.releaseAction(key);
        this.cleanable = CLEANER.register(this, releaser);
    }

    /** The task's key, e.g. {@code simulate-42}; it appears in errors, logs and stories. */
    public String key() {
        return key.toString();
    }

    TaskKey taskKey() {
        return key;
    }

    Client client() {
        return client;
    }

    @Override
    public T get() throws InterruptedException, ExecutionException {
        demand();
        return result.get();
    }

    /**
     * Waits at most {@code timeout}. On timeout the message says why the task is stuck when the
     * scheduler knows (for example: no worker has the resources it asks for).
     */
    @Override
    public T get(long timeout, TimeUnit unit) throws InterruptedException, ExecutionException, TimeoutException {
        demand();
        try {
            return result.get(timeout, unit);
        } catch (TimeoutException e) {
            throw new TimeoutException(timeoutMessage(unit.toMillis(timeout)));
        }
    }

    String timeoutMessage(long waitedMillis) {
        String reason = stallReason;
        return "task " + key + " did not finish within " + waitedMillis + " ms"
                + (reason == null ? "" : ": " + reason);
    }

    /**
     * Cancels the task: this future completes with {@link CancellationException}, the cluster
     * forgets the task unless another request needs it, and a running task is interrupted
     * (whatever {@code mayInterruptIfRunning} says, since a worker thread must be freed).
     */
    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
        boolean cancelled = result.cancel(mayInterruptIfRunning);
        if (cancelled) {
            client.forget(this);
            cleanable.clean();
        }
        return cancelled;
    }

    /** Lets the cluster drop this result now rather than when this future is garbage-collected. */
    public void release() {
        cleanable.clean();
    }

    Client.KeyRelease releaser() {
        return releaser;
    }

    @Override
    public boolean isCancelled() {
        return result.isCancelled();
    }

    /**
     * True once the task has finished (or failed, or was cancelled). On a remote cluster the result
     * itself stays on its worker until asked for, so a {@code get()} right after may still take the
     * time of one fetch.
     */
    @Override
    public boolean isDone() {
        return result.isDone() || fetch != null;
    }

    /**
     * A {@link CompletableFuture} that completes with this future. Its callbacks run on the common
     * fork-join pool, never on Burst's scheduling thread. Cancelling it does not cancel the task.
     */
    public CompletableFuture<T> toCompletableFuture() {
        demand();
        return result.thenApplyAsync(Function.identity());
    }

    /** The value is wanted: fetch it now if the task is done, else as soon as it is. */
    void demand() {
        demanded = true;
        Runnable f = fetch;
        if (f != null && !result.isDone() && fetching.compareAndSet(false, true)) {
            f.run();
        }
    }

    /** The task is done on a worker; {@code how} fetches its result (again, if an earlier fetch failed). */
    void ready(Runnable how) {
        fetching.set(false);
        fetch = how;
        if (demanded) {
            demand();
        }
    }

    void complete(Object value) {
        @SuppressWarnings("unchecked")
        T v = (T) value;
        result.complete(v);
    }

    void fail(Throwable error) {
        result.completeExceptionally(error);
    }

    void stalled(String reason) {
        this.stallReason = reason;
    }

    @Override
    public String toString() {
        String s = result.isCancelled() ? "cancelled" : result.isCompletedExceptionally() ? "erred"
                : result.isDone() ? "finished" : "pending";
        return "TaskFuture{" + key + ", " + s + "}";
    }
}
