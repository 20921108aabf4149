package dev.burst.internal.embedded;

import dev.burst.internal.core.ResourceAmounts;
import dev.burst.internal.core.TaskKey;
import dev.burst.internal.core.WorkerId;
import dev.burst.internal.executor.WorkerEnvironment;
import dev.burst.internal.executor.WorkerShell;
import dev.burst.internal.loop.SchedulerLoop;
import dev.burst.internal.loop.WorkerLink;
import dev.burst.internal.resources.GpuDetection;
import dev.burst.internal.scheduler.SchedulerCommand;
import dev.burst.internal.scheduler.SchedulerEvent;
import dev.burst.internal.task.SizeEstimate;
import dev.burst.internal.task.TaskCall;
import dev.burst.internal.worker.GpuSlots;
import dev.burst.internal.worker.WorkerCommand;
import dev.burst.internal.worker.WorkerEvent;
import dev.burst.internal.worker.WorkerState;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One worker of the embedded cluster: a {@link WorkerShell} whose results are references in a
 * concurrent map, whose tasks are {@link TaskCall}s invoked as they are, whose fetches copy a
 * reference from a peer's map, and whose reports are events posted to the {@link SchedulerLoop}.
 * It is also the scheduler's {@link WorkerLink} to this worker.
 *
 * <p>Design note: the stores are concurrent maps so that the cluster reads results for clients
 * and peers without taking any worker's lock; a result goes into the map before the scheduler
 * hears of it (the shell reports only after storing), so a reader always finds what it was told
 * exists.
 */
final class InProcessWorker implements WorkerLink {
    /** How long closing waits for each executor to stop after interrupting its task. */
    private static final Duration CLOSE_WAIT = Duration.ofSeconds(5);

    private final WorkerId id;
    private final ResourceAmounts resources;
    private final SchedulerLoop scheduler;
    private final InProcessCluster cluster;
    private final Map<TaskKey, Object> store = new ConcurrentHashMap<>();
    private final WorkerShell shell;

    /** What the scheduler loop sent since its last flush; loop thread only. */
    private List<WorkerEvent> fromScheduler = new ArrayList<>();

    InProcessWorker(WorkerId id, ResourceAmounts resources, int threadCount, SchedulerLoop scheduler,
                    InProcessCluster cluster, int storyCapacity) {
        this.id = id;
        this.resources = resources;
        this.scheduler = scheduler;
        this.cluster = cluster;
        this.shell = new WorkerShell(new WorkerState(id, resources, storyCapacity), threadCount, id.name() + "-thread-",
                new GpuSlots(GpuDetection.inProcessDevices(resources.get(GpuSlots.GPU))), new Embedded());
    }

    void start() {
        shell.start();
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
            case SchedulerCommand.StealRequest c -> fromScheduler.add(new WorkerEvent.StealRequested(c.stimulusId(), c.key(), c.runId()));
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
            shell.deliver(batch);
        }
    }

    @Override
    public void removed() {
        dropStore();
        cluster.forget(id);
    }

    /** What is particular to the embedded worker; the shell calls it. */
    private final class Embedded implements WorkerEnvironment {
        @Override
        public Runnable store(TaskKey key, Object value) {
            store.put(key, value == null ? NULL : value);
            return null;
        }

        @Override
        public void drop(TaskKey key) {
            store.remove(key);
        }

        @Override
        public TaskResult run(WorkerCommand.Execute x) throws Exception {
            Object[] inputs = new Object[x.dependencies().size()];
            for (int i = 0; i < inputs.length; i++) {
                Object v = store.get(x.dependencies().get(i));
                if (v == null) {
                    throw new IllegalStateException("input " + x.dependencies().get(i) + " of " + x.key() + " is not in the store");
                }
                inputs[i] = unwrap(v);
            }
            Object value = ((TaskCall) x.payload()).invoke(inputs);
            return new TaskResult(value, SizeEstimate.of(value));
        }

        /** A reference copy from a peer's store, answered at once on the calling thread. */
        @Override
        public void fetch(List<WorkerCommand.Fetch> fetches, FetchAnswers answers) {
            for (WorkerCommand.Fetch f : fetches) {
                Object found = null;
                for (WorkerId h : f.holders()) {
                    found = cluster.resultOn(h, f.key());
                    if (found != null) {
                        break;
                    }
                }
                if (found != null) {
                    Object value = unwrap(found);
                    answers.fetched(f.key(), value, SizeEstimate.of(value));
                } else {
                    answers.notFetched(f.key(), f.holders().isEmpty() ? null : f.holders().get(0));
                }
            }
        }

        @Override
        public void report(List<SchedulerReport> reports) {
            for (SchedulerReport r : reports) {
                scheduler.post(switch (r.command()) {
                    case WorkerCommand.SendFinished f -> new SchedulerEvent.TaskFinished(
                            r.stimulusId(), id, f.key(), f.runId(), f.nbytes(), f.durationNanos());
                    case WorkerCommand.SendFailed f -> new SchedulerEvent.TaskFailed(r.stimulusId(), id, f.key(), f.runId(), f.error());
                    case WorkerCommand.SendKeysCopied k -> new SchedulerEvent.KeysCopied(r.stimulusId(), id, k.keys(), k.nbytes());
                    case WorkerCommand.SendStealAnswer a -> new SchedulerEvent.StealAnswered(r.stimulusId(), id, a.key(), a.runId(), a.released());
                    case WorkerCommand.SendDataMissing m -> new SchedulerEvent.DataMissing(
                            r.stimulusId(), id, m.key(), m.runId(), m.dependency(), m.holder());
                });
            }
        }
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
        shell.close(CLOSE_WAIT.multipliedBy(shell.threadCount()));
    }

    // ---------------------------------------------------------------- usage

    int threadCount() {
        return shell.threadCount();
    }

    /** Nanoseconds executors ran tasks, those running now included. */
    int executing() {
        return shell.executing();
    }

    long busyNanos() {
        return shell.busyNanos();
    }

    long tasksRun() {
        return shell.tasksRun();
    }

    /** GPU-nanoseconds of tasks that held GPUs (duration × GPUs held), those running now included. */
    long gpuBusyNanos() {
        return shell.gpuBusyNanos();
    }

    /** CPU time of the executor threads: the CPU the tasks used, plus a little bookkeeping. */
    long cpuNanos() {
        return shell.cpuNanos();
    }

    /** Stand-in for a null result: the store is a concurrent map, which cannot hold null. */
    private static final Object NULL = new Object();

    static Object unwrap(Object stored) {
        return stored == NULL ? null : stored;
    }
}
