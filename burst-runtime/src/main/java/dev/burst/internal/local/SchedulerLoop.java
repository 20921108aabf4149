package dev.burst.internal.local;

import dev.burst.internal.core.ClientId;
import dev.burst.internal.core.StimulusId;
import dev.burst.internal.core.TaskError;
import dev.burst.internal.core.TaskKey;
import dev.burst.internal.core.WorkerId;
import dev.burst.internal.runtime.ClientListener;
import dev.burst.internal.runtime.SchedulerEndpoint;
import dev.burst.internal.scheduler.SchedulerCommand;
import dev.burst.internal.scheduler.SchedulerEvent;
import dev.burst.internal.scheduler.SchedulerState;
import dev.burst.internal.scheduler.TaskSpec;
import dev.burst.internal.worker.WorkerEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The shell around {@link SchedulerState} for the embedded cluster. One thread owns the state and
 * runs the loop: drain the inbox → handle each event → carry out the commands. Any thread may post
 * events (clients submitting, workers reporting); they never touch the state.
 *
 * <p>Commands for workers are buffered per worker and delivered in batches when the inbox runs dry
 * (or every {@value #BATCH} events), so a 20,000-task map costs a few hundred worker-lock
 * acquisitions rather than 20,000. Throughput comes from this batching, not from a faster queue.
 */
final class SchedulerLoop implements SchedulerEndpoint {
    private static final Logger log = LoggerFactory.getLogger(SchedulerLoop.class);
    private static final int BATCH = 512;

    private final SchedulerState state;
    private final ConcurrentLinkedQueue<Object> inbox = new ConcurrentLinkedQueue<>();
    private final Map<WorkerId, InProcessWorker> workers = new ConcurrentHashMap<>();
    private final Map<ClientId, ClientListener> clients = new ConcurrentHashMap<>();
    private final Map<InProcessWorker, List<WorkerEvent>> outgoing = new HashMap<>();
    private final AtomicLong stimuli = new AtomicLong();
    private final AtomicLong clientIds = new AtomicLong();
    private final Thread thread;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile boolean parked;
    private volatile boolean closed;

    /** A request to run code on the loop thread (used for queries and orderly shutdown). */
    private record OnLoop(Runnable action) {
    }

    SchedulerLoop(SchedulerState state, String name) {
        this.state = state;
        this.thread = new Thread(this::run, name + "-scheduler");
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    StimulusId stimulus(String kind) {
        return new StimulusId(kind, stimuli.incrementAndGet());
    }

    void addWorker(InProcessWorker worker) {
        workers.put(worker.id(), worker);
        post(new SchedulerEvent.WorkerJoined(stimulus("worker-joined"), worker.id(), worker.resources()));
    }

    void removeWorker(InProcessWorker worker) {
        post(new SchedulerEvent.WorkerLeft(stimulus("worker-left"), worker.id()));
    }

    /** Posts an event for the loop thread. Safe from any thread; never blocks. */
    void post(SchedulerEvent event) {
        inbox.add(event);
        if (parked) {
            LockSupport.unpark(thread);
        }
    }

    /** Runs {@code action} on the loop thread and waits for it; used by tests and shutdown. */
    void runOnLoop(Runnable action) throws InterruptedException {
        CountDownLatch done = new CountDownLatch(1);
        inbox.add(new OnLoop(() -> {
            try {
                action.run();
            } finally {
                done.countDown();
            }
        }));
        LockSupport.unpark(thread);
        if (!done.await(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("scheduler loop did not answer within 30 s");
        }
    }

    SchedulerState state() {
        return state;
    }

    InProcessWorker worker(WorkerId id) {
        return workers.get(id);
    }

    // ---------------------------------------------------------------- SchedulerEndpoint

    @Override
    public ClientId connect(ClientListener listener) {
        ClientId id = new ClientId("client-" + clientIds.incrementAndGet());
        clients.put(id, listener);
        return id;
    }

    @Override
    public void submit(ClientId client, List<TaskSpec> tasks, Collection<TaskKey> wanted) {
        post(new SchedulerEvent.GraphSubmitted(stimulus("submit"), client, tasks, wanted));
    }

    @Override
    public void release(ClientId client, Collection<TaskKey> keys) {
        post(new SchedulerEvent.KeysReleased(stimulus("release"), client, keys));
    }

    @Override
    public void disconnect(ClientId client) {
        clients.remove(client);
        post(new SchedulerEvent.ClientLeft(stimulus("client-left"), client));
    }

    @Override
    public boolean isClosed() {
        return closed;
    }

    // ---------------------------------------------------------------- the loop

    private void run() {
        try {
            while (!closed) {
                int handled = 0;
                Object item;
                while (handled < BATCH && (item = inbox.poll()) != null) {
                    handle(item);
                    handled++;
                }
                flushToWorkers();
                if (handled == 0) {
                    parked = true;
                    if (inbox.isEmpty() && !closed) {
                        LockSupport.park(this);
                    }
                    parked = false;
                }
            }
        } catch (Throwable t) {
            log.error("scheduler loop crashed; the cluster can no longer schedule", t);
            for (ClientListener c : clients.values()) {
                c.clusterClosed("the scheduler crashed: " + t);
            }
        } finally {
            stopped.countDown();
        }
    }

    private void handle(Object item) {
        if (item instanceof OnLoop q) {
            q.action().run();
            return;
        }
        SchedulerEvent event = (SchedulerEvent) item;
        List<SchedulerCommand> commands = state.handle(event);
        for (SchedulerCommand c : commands) {
            carryOut(c);
        }
        if (event instanceof SchedulerEvent.WorkerLeft left) {
            // Only now: reports handled before this event may still read the worker's results.
            InProcessWorker gone = workers.remove(left.worker());
            if (gone != null) {
                gone.dropStore();
            }
        }
    }

    private void carryOut(SchedulerCommand command) {
        switch (command) {
            case SchedulerCommand.ComputeTask c -> toWorker(c.worker(), new WorkerEvent.ComputeRequested(
                    c.stimulusId(), c.key(), c.runId(), c.payload(), c.dependencies(), c.whoHas(), c.resources(), c.priority()));
            case SchedulerCommand.FreeKeys c -> toWorker(c.worker(), new WorkerEvent.KeysFreed(c.stimulusId(), c.keys()));
            case SchedulerCommand.ReportDone c -> {
                ClientListener listener = clients.get(c.client());
                if (listener != null) {
                    deliverResult(listener, c.key(), c.holders());
                }
            }
            case SchedulerCommand.ReportErred c -> {
                ClientListener listener = clients.get(c.client());
                if (listener != null) {
                    listener.erred(c.key(), c.error());
                }
            }
            case SchedulerCommand.ReportStalled c -> {
                ClientListener listener = clients.get(c.client());
                if (listener != null) {
                    listener.stalled(c.key(), c.reason());
                }
            }
            case SchedulerCommand.LogWarning c -> log.warn(c.message());
        }
    }

    /**
     * The result of {@code key} from one of its holders. In-process this is a reference copy; the
     * worker's stores are concurrent maps, so no worker lock is taken. Results reported here are
     * not freed before the client has them: the scheduler frees a wanted key only after the client
     * releases it.
     */
    private void deliverResult(ClientListener listener, TaskKey key, List<WorkerId> holders) {
        for (WorkerId h : holders) {
            InProcessWorker w = workers.get(h);
            Object entry = w == null ? null : w.storedEntry(key);
            if (entry != null) {
                listener.done(key, InProcessWorker.unwrap(entry));
                return;
            }
        }
        // Should not happen (stores outlive their reports); never let it stop the loop.
        log.error("result of {} is on none of its holders {}; failing it for the client", key, holders);
        listener.erred(key, new TaskError("dev.burst.WorkerLostException",
                "the result of " + key + " was lost with its worker before it could be read", null));
    }

    private void toWorker(WorkerId id, WorkerEvent event) {
        InProcessWorker w = workers.get(id);
        if (w == null) {
            return; // removed meanwhile; the scheduler learns of it through WorkerLeft
        }
        outgoing.computeIfAbsent(w, k -> new ArrayList<>()).add(event);
    }

    private void flushToWorkers() {
        if (outgoing.isEmpty()) {
            return;
        }
        for (Map.Entry<InProcessWorker, List<WorkerEvent>> e : outgoing.entrySet()) {
            e.getKey().deliver(e.getValue());
        }
        outgoing.clear();
    }

    /** Stops the loop; tells connected clients the cluster is gone. */
    void close(String reason) {
        closed = true;
        LockSupport.unpark(thread);
        try {
            if (!stopped.await(10, TimeUnit.SECONDS)) {
                log.warn("scheduler loop did not stop within 10 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (ClientListener c : clients.values()) {
            c.clusterClosed(reason);
        }
        clients.clear();
    }
}
