package dev.burst.internal.local;

import dev.burst.internal.core.ResourceAmounts;
import dev.burst.internal.core.StimulusId;
import dev.burst.internal.core.TaskError;
import dev.burst.internal.core.TaskKey;
import dev.burst.internal.core.WorkerId;
import dev.burst.internal.runtime.ExecutorThreadContext;
import dev.burst.internal.runtime.TaskCall;
import dev.burst.internal.runtime.SchedulerLoop;
import dev.burst.internal.runtime.SizeEstimate;
import dev.burst.internal.runtime.WorkerLink;
import dev.burst.internal.scheduler.SchedulerCommand;
import dev.burst.internal.scheduler.SchedulerEvent;
import dev.burst.internal.worker.WorkerCommand;
import dev.burst.internal.worker.GpuSlots;
import dev.burst.internal.worker.WorkerEvent;
import dev.burst.internal.worker.WorkerState;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The shell around one {@link WorkerState} in the embedded cluster: executor threads, an object
 * store, and the routing of commands.
 *
 * <p>Design note: the state is guarded by one lock, and whichever thread has news applies it —
 * the scheduler thread delivering a batch of assignments, or an executor thread that just finished
 * a task. An executor thread that frees a slot therefore picks its next task itself, with no
 * hand-off to another thread; that is what keeps the per-task cost near a microsecond. Results go
 * into the store before the scheduler hears of them, so a dependent or a client can always read
 * what it was told exists.
 */
final class InProcessWorker implements WorkerLink {
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private final WorkerId id;
    private final ResourceAmounts resources;
    private final WorkerState state;
    /** Devices 0..gpu-1 of the cluster's {@code gpu} resource, handed to tasks that hold gpu. */
    private final GpuSlots gpuSlots;
    private final AtomicLong gpuBusyNanos = new AtomicLong();
    private final SchedulerLoop scheduler;
    private final InProcessCluster cluster;
    private final Map<TaskKey, Object> store = new ConcurrentHashMap<>();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition workAvailable = lock.newCondition();
    private final ArrayDeque<WorkerCommand.Execute> runQueue = new ArrayDeque<>();
    /** Batches from the scheduler waiting for an idle executor thread to apply them. */
    private final ArrayDeque<List<WorkerEvent>> inbox = new ArrayDeque<>();
    private int idleThreads;
    /** Execution attempt each executor thread runs now (0: none), indexed like {@link #threads}. */
    private final long[] runningAttempt;
    private final List<Thread> threads = new ArrayList<>();
    private final AtomicLong stimuli = new AtomicLong();
    private final long startedNanos = System.nanoTime();
    /** Busy nanoseconds per executor thread, each written only by its own thread. */
    private final AtomicLong[] busyNanos;
    private final AtomicLong tasksRun = new AtomicLong();
    private final AtomicLong cpuNanosOfEndedThreads = new AtomicLong();
    private volatile boolean closed;
    private volatile long stoppedNanos;

    /** Commands for the scheduler, gathered under the lock and posted after. */
    private final List<SchedulerEvent> toScheduler = new ArrayList<>();
    /** What the scheduler loop sent since its last flush; loop thread only. */
    private List<WorkerEvent> fromScheduler = new ArrayList<>();

    InProcessWorker(WorkerId id, ResourceAmounts resources, int threadCount, SchedulerLoop scheduler,
                    InProcessCluster cluster, int storyCapacity) {
        this.id = id;
        this.resources = resources;
        this.state = new WorkerState(id, resources, storyCapacity);
        this.gpuSlots = new GpuSlots(dev.burst.internal.node.GpuDetection.inProcessDevices(resources.get(GpuSlots.GPU)));
        this.scheduler = scheduler;
        this.cluster = cluster;
        this.busyNanos = new AtomicLong[threadCount];
        this.runningAttempt = new long[threadCount];
        for (int i = 0; i < threadCount; i++) {
            busyNanos[i] = new AtomicLong();
            int slot = i;
            Thread t = new Thread(() -> executorLoop(slot), id.name() + "-thread-" + i);
            t.setDaemon(true);
            threads.add(t);
        }
    }

    void start() {
        threads.forEach(Thread::start);
    }

    WorkerId id() {
        return id;
    }

    ResourceAmounts resources() {
        return resources;
    }

    /** The raw store entry: null only when absent. */
    Object storedEntry(TaskKey key) {
        return store.get(key);
    }

    int storedCount() {
        return store.size();
    }

    // ---------------------------------------------------------------- WorkerLink (scheduler loop thread)

    @Override
    public void send(SchedulerCommand command) {
        switch (command) {
            case SchedulerCommand.ComputeTask c -> fromScheduler.add(new WorkerEvent.ComputeRequested(
                    c.stimulusId(), c.key(), c.runId(), c.payload(), c.dependencies(), c.whoHas(), c.resources(), c.priority()));
            case SchedulerCommand.FreeKeys c -> fromScheduler.add(new WorkerEvent.KeysFreed(c.stimulusId(), c.keys()));
            case SchedulerCommand.CopyKeys c -> fromScheduler.add(new WorkerEvent.CopyRequested(c.stimulusId(), c.keys(), c.whoHas()));
            // Closing joins threads: not on the scheduler's thread.
            case SchedulerCommand.RetireWorker c -> Thread.ofPlatform().daemon().name(id.name() + "-retire")
                    .start(() -> cluster.retire(id));
            default -> throw new IllegalArgumentException("not a command for a worker: " + command);
        }
    }

    @Override
    public void flush() {
        if (!fromScheduler.isEmpty()) {
            List<WorkerEvent> batch = fromScheduler;
            fromScheduler = new ArrayList<>();
            deliver(batch);
        }
    }

    @Override
    public void removed() {
        dropStore();
        cluster.forget(id);
    }

    /**
     * Applies a batch of events from the scheduler. If an executor thread is idle, it is handed the
     * batch (so the scheduler thread goes back to scheduling); if all are busy running tasks, the
     * caller applies it at once, so that a cancel or a fetch is never held up by a long task.
     */
    private void deliver(List<WorkerEvent> events) {
        List<SchedulerEvent> reports;
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
            reports = drainReports();
        } finally {
            lock.unlock();
        }
        reports.forEach(scheduler::post);
    }

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

    /** Handles one event and carries out its commands. Caller holds the lock. */
    private void apply(WorkerEvent event, Object value) {
        List<WorkerCommand> commands = state.handle(event);
        Object carried = value;
        boolean queued = false;
        for (WorkerCommand c : commands) {
            switch (c) {
                case WorkerCommand.StoreResult s -> store.put(s.key(), carried == null ? NULL : carried);
                case WorkerCommand.DropResult d -> store.remove(d.key());
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
                case WorkerCommand.Fetch f -> fetch(f);
                case WorkerCommand.SendFinished f -> toScheduler.add(
                        new SchedulerEvent.TaskFinished(event.stimulusId(), id, f.key(), f.runId(), f.nbytes(), f.durationNanos()));
                case WorkerCommand.SendFailed f -> toScheduler.add(
                        new SchedulerEvent.TaskFailed(event.stimulusId(), id, f.key(), f.runId(), f.error()));
                case WorkerCommand.SendKeysCopied k -> toScheduler.add(
                        new SchedulerEvent.KeysCopied(event.stimulusId(), id, k.keys(), k.nbytes()));
                case WorkerCommand.SendDataMissing m -> toScheduler.add(
                        new SchedulerEvent.DataMissing(event.stimulusId(), id, m.key(), m.runId(), m.dependency(), m.holder()));
            }
        }
        if (queued) {
            workAvailable.signal();
        }
    }

    /** In-process transfer: a reference copy from a peer's store. */
    private void fetch(WorkerCommand.Fetch f) {
        for (WorkerId h : f.holders()) {
            Object v = cluster.resultOn(h, f.key());
            if (v != null) {
                apply(new WorkerEvent.FetchSucceeded(stimulus("fetch"), f.key(), SizeEstimate.of(unwrap(v))), unwrap(v));
                return;
            }
        }
        apply(new WorkerEvent.FetchFailed(stimulus("fetch-failed"), f.key(),
                f.holders().isEmpty() ? null : f.holders().get(0)), null);
    }

    private List<SchedulerEvent> drainReports() {
        if (toScheduler.isEmpty()) {
            return List.of();
        }
        List<SchedulerEvent> r = new ArrayList<>(toScheduler);
        toScheduler.clear();
        return r;
    }

    private void executorLoop(int slot) {
        AtomicLong busy = busyNanos[slot];
        ExecutorThreadContext.install(id.name(), gpuSlots, gpuBusyNanos);
        WorkerCommand.Execute next = null;
        try {
            while (true) {
                while (next == null) {
                    List<SchedulerEvent> reports;
                    lock.lock();
                    try {
                        while (runQueue.isEmpty() && inbox.isEmpty() && !closed) {
                            idleThreads++;
                            try {
                                workAvailable.await();
                            } finally {
                                idleThreads--;
                            }
                        }
                        if (closed) {
                            return;
                        }
                        drainInbox();
                        next = runQueue.poll();
                        if (next != null) {
                            runningAttempt[slot] = next.attempt();
                        }
                        reports = drainReports();
                    } finally {
                        lock.unlock();
                    }
                    reports.forEach(scheduler::post);
                }
                next = runAndReport(next, busy, slot);
            }
        } catch (InterruptedException e) {
            // closing
        } finally {
            cpuNanosOfEndedThreads.addAndGet(Math.max(0, THREADS.getCurrentThreadCpuTime()));
        }
    }

    /** Runs one task, reports it, and returns the next task for this thread, if any. */
    private WorkerCommand.Execute runAndReport(WorkerCommand.Execute x, AtomicLong busy, int slot) {
        Object value = null;
        Throwable error = null;
        long t0 = System.nanoTime();
        ExecutorThreadContext context = ExecutorThreadContext.current();
        try {
            context.taskStarting(x.resources());
            Object[] inputs = new Object[x.dependencies().size()];
            for (int i = 0; i < inputs.length; i++) {
                Object v = store.get(x.dependencies().get(i));
                if (v == null) {
                    throw new IllegalStateException("input " + x.dependencies().get(i) + " of " + x.key() + " is not in the store");
                }
                inputs[i] = unwrap(v);
            }
            value = ((TaskCall) x.payload()).invoke(inputs);
        } catch (Throwable t) {
            error = t;
        } finally {
            context.taskEnded(); // devices back before the state frees the task's gpu amount
        }
        long duration = System.nanoTime() - t0;
        busy.lazySet(busy.get() + duration);
        tasksRun.incrementAndGet();
        WorkerCommand.Execute next = null;
        List<SchedulerEvent> reports;
        lock.lock();
        try {
            runningAttempt[slot] = 0;
            Thread.interrupted(); // a cancel that arrived as the task ended must not leak into the next one
            if (closed) {
                return null;
            }
            if (error == null) {
                apply(new WorkerEvent.ExecutionSucceeded(stimulus("executed"), x.key(), x.attempt(),
                        SizeEstimate.of(value), duration), value);
            } else {
                apply(new WorkerEvent.ExecutionFailed(stimulus("execution-failed"), x.key(), x.attempt(),
                        TaskError.of(error), duration), null);
            }
            drainInbox();
            if (!runQueue.isEmpty()) {
                next = runQueue.poll();
                runningAttempt[slot] = next.attempt();
            }
            reports = drainReports();
        } finally {
            lock.unlock();
        }
        for (SchedulerEvent r : reports) {
            scheduler.post(r);
        }
        return next;
    }

    /** Frees the results; the scheduler calls this once it has processed the worker's removal. */
    void dropStore() {
        store.clear();
    }

    /**
     * Stops the executor threads, interrupting running tasks. The store is kept until
     * {@link #dropStore()}: reports the scheduler has not handled yet may still read from it.
     */
    void close() {
        lock.lock();
        try {
            closed = true;
            stoppedNanos = System.nanoTime();
            workAvailable.signalAll();
            for (int i = 0; i < runningAttempt.length; i++) {
                if (runningAttempt[i] != 0) {
                    threads.get(i).interrupt();
                }
            }
        } finally {
            lock.unlock();
        }
        for (Thread t : threads) {
            try {
                t.join(TimeUnit.SECONDS.toMillis(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
    }

    // ---------------------------------------------------------------- usage

    int threadCount() {
        return threads.size();
    }

    long allocatedNanos() {
        long end = closed ? stoppedNanos : System.nanoTime();
        return (end - startedNanos) * threads.size();
    }

    long busyNanos() {
        long sum = 0;
        for (AtomicLong b : busyNanos) {
            sum += b.get();
        }
        return sum;
    }

    long tasksRun() {
        return tasksRun.get();
    }

    /** CPU time of the executor threads: the CPU the tasks used, plus a little bookkeeping. */
    /** GPU-nanoseconds of tasks that held GPUs (duration × GPUs held). */
    long gpuBusyNanos() {
        return gpuBusyNanos.get();
    }

    long cpuNanos() {
        long sum = cpuNanosOfEndedThreads.get();
        for (Thread t : threads) {
            if (t.isAlive()) {
                sum += Math.max(0, THREADS.getThreadCpuTime(t.threadId()));
            }
        }
        return sum;
    }

    /** Stand-in for a null result: the store is a concurrent map, which cannot hold null. */
    private static final Object NULL = new Object();

    static Object unwrap(Object stored) {
        return stored == NULL ? null : stored;
    }
}
