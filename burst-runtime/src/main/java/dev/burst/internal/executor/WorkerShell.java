package dev.burst.internal.executor;

import dev.burst.internal.core.StimulusId;
import dev.burst.internal.core.TaskError;
import dev.burst.internal.core.TaskKey;
import dev.burst.internal.core.WorkerId;
import dev.burst.internal.task.ExecutorThreadContext;
import dev.burst.internal.worker.GpuSlots;
import dev.burst.internal.worker.WorkerCommand;
import dev.burst.internal.worker.WorkerEvent;
import dev.burst.internal.worker.WorkerState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The shell around one {@link WorkerState}, shared by the embedded worker and the worker process
 * (as Dask's {@code BaseWorker} is): executor threads, the lock that guards the state, the
 * exhaustive switch that carries out its commands, cancellation, close, and the figures of the
 * usage ledger. What differs between the two comes in through a {@link WorkerEnvironment}.
 *
 * <p>Design note: the state is guarded by one lock, and whichever thread has news applies it: the
 * thread delivering a batch from the scheduler, an executor that just finished a task, a fetch
 * that answered. An executor that frees a slot therefore picks its next task itself, with no
 * hand-off to another thread; that is what keeps the per-task cost near a microsecond. A batch
 * from the scheduler is handed to an idle executor when there is one (so the deliverer goes back
 * to its own work), and applied by the deliverer when all executors are busy (so a cancel or a
 * fetch never waits for a long task). Nothing that can block happens under the lock: reports,
 * fetches and deferred spills are gathered there and carried out once it is released, reports
 * first. A result is stored before the scheduler hears of it, so a dependent or a client can
 * always read what it was told exists.
 *
 * <p>Busy time counts tasks while they run (see {@link ExecutorTimes}): a task that is cancelled,
 * fails, or is cut short by a close held its core all the same.
 */
public final class WorkerShell {
    private static final Logger log = LoggerFactory.getLogger(WorkerShell.class);
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    /** How often executors look again while the environment is paused: unpausing (a spill elsewhere) signals nobody. */
    private static final long PAUSED_POLL_MILLIS = 50;

    private final String workerName;
    private final WorkerState state;
    private final GpuSlots gpuSlots;
    private final WorkerEnvironment environment;
    private final FetchAnswers fetchAnswers = new FetchAnswers();

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition workAvailable = lock.newCondition();
    private final ArrayDeque<WorkerCommand.Execute> runQueue = new ArrayDeque<>();
    /** Batches from the scheduler waiting for an idle executor thread to apply them. */
    private final ArrayDeque<List<WorkerEvent>> inbox = new ArrayDeque<>();
    private int idleThreads;
    /** Execution attempt each executor thread runs now (0: none), indexed like {@link #threads}. */
    private final long[] runningAttempt;
    private final List<Thread> threads = new ArrayList<>();
    /** Under the lock: what to carry out once it is released. */
    private List<WorkerEnvironment.SchedulerReport> reports = new ArrayList<>();
    private List<WorkerCommand.Fetch> fetches = new ArrayList<>();
    private List<Runnable> deferred = new ArrayList<>();
    private volatile boolean closed;

    private final AtomicLong stimuli = new AtomicLong();
    private final ExecutorTimes times;
    /** CPU time of each executor thread once it ended (-1 while it runs), indexed like {@link #threads}. */
    private final java.util.concurrent.atomic.AtomicLongArray finalCpuNanos;

    /**
     * @param state            the worker's state machine; from now on only this shell touches it
     * @param threadCount      executor threads (the worker's cores)
     * @param threadNamePrefix executor threads are named this plus their index
     * @param gpuSlots         the devices handed to tasks that hold {@code gpu}
     * @param environment      what differs between an embedded worker and a worker process
     */
    public WorkerShell(WorkerState state, int threadCount, String threadNamePrefix, GpuSlots gpuSlots,
                       WorkerEnvironment environment) {
        if (threadCount < 1) {
            throw new IllegalArgumentException("a worker needs at least 1 executor thread, got " + threadCount);
        }
        this.workerName = state.id().name();
        this.state = state;
        this.gpuSlots = gpuSlots;
        this.environment = environment;
        this.runningAttempt = new long[threadCount];
        this.finalCpuNanos = new java.util.concurrent.atomic.AtomicLongArray(threadCount);
        for (int i = 0; i < threadCount; i++) {
            finalCpuNanos.set(i, -1);
        }
        this.times = new ExecutorTimes(threadCount);
        for (int i = 0; i < threadCount; i++) {
            int slot = i;
            Thread t = new Thread(() -> executorLoop(slot), threadNamePrefix + i);
            t.setDaemon(true);
            threads.add(t);
        }
    }

    /** Starts the executor threads. */
    public void start() {
        threads.forEach(Thread::start);
    }

    /**
     * Applies a batch of events from the scheduler. If an executor thread is idle, it is handed the
     * batch; if all are busy running tasks, the caller applies it at once. The shell keeps the
     * list: the caller must not change it afterwards.
     */
    public void deliver(List<WorkerEvent> events) {
        if (events.isEmpty()) {
            return;
        }
        Pending pending;
        lock.lock();
        try {
            if (closed) {
                return;
            }
            if (idleThreads > 0) {
                inbox.add(events);
                workAvailable.signal();
                return;
            }
            for (WorkerEvent e : events) {
                apply(e, null);
            }
            pending = takePending();
        } finally {
            lock.unlock();
        }
        carryOut(pending);
    }

    // ---------------------------------------------------------------- under the lock

    /** Applies batches handed over by {@link #deliver}. Caller holds the lock. */
    private void drainInbox() {
        List<WorkerEvent> batch;
        while ((batch = inbox.poll()) != null) {
            for (WorkerEvent e : batch) {
                apply(e, null);
            }
        }
    }

    private StimulusId stimulus(String kind) {
        return new StimulusId(kind, stimuli.incrementAndGet());
    }

    /** Handles one event and carries out its commands; {@code value} is the result it brings, if any. Caller holds the lock. */
    private void apply(WorkerEvent event, Object value) {
        List<WorkerCommand> commands = state.handle(event);
        boolean queued = false;
        for (WorkerCommand c : commands) {
            switch (c) {
                case WorkerCommand.StoreResult s -> {
                    Runnable later = environment.store(s.key(), value);
                    if (later != null) {
                        deferred.add(later);
                    }
                }
                case WorkerCommand.DropResult d -> environment.drop(d.key());
                case WorkerCommand.Execute x -> {
                    runQueue.add(x);
                    queued = true;
                }
                case WorkerCommand.CancelExecution x -> {
                    for (int i = 0; i < runningAttempt.length; i++) {
                        if (runningAttempt[i] == x.attempt()) {
                            threads.get(i).interrupt();
                        }
                    }
                }
                case WorkerCommand.Fetch f -> fetches.add(f);
                case WorkerCommand.Report r -> reports.add(new WorkerEnvironment.SchedulerReport(event.stimulusId(), r));
            }
        }
        if (queued) {
            workAvailable.signal();
        }
    }

    /** The next task for executor {@code slot}, if one may start now. Caller holds the lock. */
    private WorkerCommand.Execute takeNext(int slot) {
        if (runQueue.isEmpty() || environment.paused()) {
            return null;
        }
        WorkerCommand.Execute next = runQueue.poll();
        runningAttempt[slot] = next.attempt();
        return next;
    }

    /** What to carry out once the lock is released. */
    private record Pending(List<WorkerEnvironment.SchedulerReport> reports, List<WorkerCommand.Fetch> fetches,
                           List<Runnable> deferred) {
    }

    /** Takes what was gathered under the lock; null when nothing was. Caller holds the lock. */
    private Pending takePending() {
        if (reports.isEmpty() && fetches.isEmpty() && deferred.isEmpty()) {
            return null;
        }
        Pending p = new Pending(reports.isEmpty() ? List.of() : reports, fetches.isEmpty() ? List.of() : fetches,
                deferred.isEmpty() ? List.of() : deferred);
        if (!reports.isEmpty()) {
            reports = new ArrayList<>();
        }
        if (!fetches.isEmpty()) {
            fetches = new ArrayList<>();
        }
        if (!deferred.isEmpty()) {
            deferred = new ArrayList<>();
        }
        return p;
    }

    // ---------------------------------------------------------------- after the lock

    /** Sends reports, starts fetches and runs deferred work gathered under the lock. Caller must not hold it. */
    private void carryOut(Pending p) {
        if (p == null) {
            return;
        }
        if (!p.reports().isEmpty()) {
            environment.report(p.reports()); // first: a spill can take a while
        }
        if (!p.fetches().isEmpty()) {
            environment.fetch(p.fetches(), fetchAnswers);
        }
        for (Runnable later : p.deferred()) {
            try {
                later.run();
            } catch (RuntimeException e) {
                log.warn("worker {}: storing results failed: {}", workerName, e.toString());
            }
        }
    }

    /** Where the environment's fetches end: the answer is applied like any other news. */
    private final class FetchAnswers implements WorkerEnvironment.FetchAnswers {
        @Override
        public void fetched(TaskKey key, Object value, long nbytes) {
            applyNow(new WorkerEvent.FetchSucceeded(stimulus("fetch"), key, nbytes), value);
        }

        @Override
        public void notFetched(TaskKey key, WorkerId holder) {
            applyNow(new WorkerEvent.FetchFailed(stimulus("fetch-failed"), key, holder), null);
        }

        private void applyNow(WorkerEvent event, Object value) {
            Pending pending;
            lock.lock();
            try {
                if (closed) {
                    return;
                }
                apply(event, value);
                pending = takePending();
            } finally {
                lock.unlock();
            }
            carryOut(pending);
        }
    }

    // ---------------------------------------------------------------- executor threads

    private void executorLoop(int slot) {
        ExecutorThreadContext context = ExecutorThreadContext.install(workerName, gpuSlots);
        WorkerCommand.Execute next = null;
        try {
            while (true) {
                while (next == null) {
                    Pending pending;
                    lock.lock();
                    try {
                        while ((runQueue.isEmpty() || environment.paused()) && inbox.isEmpty() && !closed) {
                            idleThreads++;
                            try {
                                if (environment.paused()) {
                                    workAvailable.await(PAUSED_POLL_MILLIS, TimeUnit.MILLISECONDS);
                                } else {
                                    workAvailable.await();
                                }
                            } finally {
                                idleThreads--;
                            }
                        }
                        if (closed) {
                            return;
                        }
                        drainInbox();
                        next = takeNext(slot);
                        pending = takePending();
                    } finally {
                        lock.unlock();
                    }
                    carryOut(pending);
                }
                next = runAndReport(next, slot, context);
            }
        } catch (InterruptedException e) {
            // closing
        } finally {
            finalCpuNanos.set(slot, Math.max(0, THREADS.getCurrentThreadCpuTime()));
        }
    }

    /** Runs one task, reports it, and returns the next task for this thread, if any. */
    private WorkerCommand.Execute runAndReport(WorkerCommand.Execute x, int slot, ExecutorThreadContext context) {
        WorkerEnvironment.TaskResult result = null;
        Throwable error = null;
        times.started(slot, System.nanoTime());
        try {
            context.taskStarting(x.resources());
            if (!context.gpus().isEmpty()) {
                times.holdsGpus(slot, context.gpus().size());
            }
            result = environment.run(x);
        } catch (Throwable t) {
            error = t;
        } finally {
            context.taskEnded(); // devices back before the state frees the task's gpu amount
        }
        long duration = times.ended(slot, System.nanoTime());
        WorkerCommand.Execute next;
        Pending pending;
        lock.lock();
        try {
            runningAttempt[slot] = 0;
            Thread.interrupted(); // a cancel that arrived as the task ended must not leak into the next one
            if (closed) {
                return null;
            }
            if (error == null) {
                apply(new WorkerEvent.ExecutionSucceeded(stimulus("executed"), x.key(), x.attempt(), result.nbytes(), duration),
                        result.value());
            } else {
                apply(new WorkerEvent.ExecutionFailed(stimulus("execution-failed"), x.key(), x.attempt(),
                        TaskError.of(error), duration), null);
            }
            drainInbox();
            next = takeNext(slot);
            pending = takePending();
        } finally {
            lock.unlock();
        }
        carryOut(pending);
        return next;
    }

    // ---------------------------------------------------------------- close

    /**
     * Stops the executor threads, interrupting running tasks, and waits up to {@code wait} in all
     * for them to end. Events delivered and fetches answered from now on are ignored. Idempotent.
     *
     * @return false when it had been closed already
     */
    public boolean close(Duration wait) {
        lock.lock();
        try {
            if (closed) {
                return false;
            }
            closed = true;
            workAvailable.signalAll();
            for (int i = 0; i < runningAttempt.length; i++) {
                if (runningAttempt[i] != 0) {
                    threads.get(i).interrupt();
                }
            }
        } finally {
            lock.unlock();
        }
        long deadline = System.nanoTime() + wait.toNanos();
        for (Thread t : threads) {
            if (t == Thread.currentThread() || !t.isAlive()) {
                continue;
            }
            try {
                t.join(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        times.freeze(System.nanoTime());
        return true;
    }

    public boolean isClosed() {
        return closed;
    }

    // ---------------------------------------------------------------- figures (any thread)

    public int threadCount() {
        return threads.size();
    }

    /** Nanoseconds executors spent running tasks, those running now included; never decreases. */
    /** Tasks on the executor threads now (those sent and not started wait in the worker's ready queue). */
    public int executing() {
        return times.running();
    }

    public long busyNanos() {
        return times.busyNanos(System.nanoTime());
    }

    /** GPU-nanoseconds of tasks that held GPU devices (duration × devices), those running now included; never decreases. */
    public long gpuBusyNanos() {
        return times.gpuBusyNanos(System.nanoTime());
    }

    /** Tasks that ended here, well or not. */
    public long tasksRun() {
        return times.tasks();
    }

    /** CPU time of the executor threads: the CPU the tasks used, plus a little bookkeeping. */
    public long cpuNanos() {
        // Per slot, the final figure once a thread ended, else its live one: never both (a thread
        // that is ending would otherwise count twice, and the ledger keeps the larger figure).
        long sum = 0;
        for (int i = 0; i < threads.size(); i++) {
            long ended = finalCpuNanos.get(i);
            sum += ended >= 0 ? ended : Math.max(0, THREADS.getThreadCpuTime(threads.get(i).threadId()));
        }
        return sum;
    }
}
