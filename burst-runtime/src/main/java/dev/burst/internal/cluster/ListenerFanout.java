package dev.burst.internal.cluster;

import dev.burst.ClusterListener;
import dev.burst.internal.loop.LoopObserver;
import dev.burst.internal.loop.SchedulerLoop;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;

/**
 * Hands what the scheduler loop observed to a cluster's {@link ClusterListener}s, on a thread of
 * its own, so that a slow listener never holds up scheduling. The loop is observed only while
 * someone listens: without listeners it builds no records at all.
 *
 * <p>Deliveries are gathered for up to {@link #GATHER_MILLIS} ms: the loop flushes thousands of
 * times a second in a map of tiny tasks, and waking this thread for each flush cost the embedded
 * cluster about 3 µs per task on two cores (a context switch per flush), doubling its scheduling
 * overhead while a dashboard listened. Each task's record is built once for all listeners.
 */
final class ListenerFanout implements LoopObserver {
    private static final Logger log = LoggerFactory.getLogger(ListenerFanout.class);

    private final SchedulerLoop loop;
    /** How long observations gather before the listeners get them. */
    static final long GATHER_MILLIS = 20;

    private final List<ClusterListener> listeners = new CopyOnWriteArrayList<>();
    private final ScheduledExecutorService thread;
    /** Observations not delivered yet, with when they were made; guarded by itself. */
    private final List<Stamped> pending = new ArrayList<>();
    private boolean deliveryScheduled;

    private record Stamped(List<Observed> batch, Instant at) {
    }

    ListenerFanout(String clusterName, SchedulerLoop loop) {
        this.loop = loop;
        this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, clusterName + "-listeners");
            t.setDaemon(true);
            return t;
        });
    }

    synchronized void add(ClusterListener listener) {
        listeners.add(listener);
        loop.observe(this);
    }

    synchronized void remove(ClusterListener listener) {
        listeners.remove(listener);
        if (listeners.isEmpty()) {
            loop.observe(null);
        }
    }

    @Override
    public void observed(List<Observed> batch) {
        Stamped s = new Stamped(batch, Instant.now());
        synchronized (pending) {
            pending.add(s);
            if (deliveryScheduled) {
                return;
            }
            deliveryScheduled = true;
        }
        try {
            thread.schedule(this::deliverPending, GATHER_MILLIS, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            // closed: nobody listens any more
        }
    }

    private void deliverPending() {
        List<Stamped> due;
        synchronized (pending) {
            due = new ArrayList<>(pending);
            pending.clear();
            deliveryScheduled = false;
        }
        for (Stamped s : due) {
            deliver(s.batch(), s.at());
        }
    }

    private void deliver(List<Observed> batch, Instant at) {
        for (Observed o : batch) {
            switch (o) {
                case TaskEnded t -> {
                    ClusterListener.TaskRecord r = new ClusterListener.TaskRecord(t.key().toString(), t.key().prefix(),
                            t.worker().name(), t.failed(), Duration.ofNanos(t.durationNanos()), at);
                    each(l -> l.taskEnded(r));
                }
                case WorkerJoined j -> each(l -> l.workerJoined(j.worker().name()));
                case WorkerLeft w -> each(l -> l.workerLeft(w.worker().name()));
            }
        }
    }

    private void each(java.util.function.Consumer<ClusterListener> call) {
        for (ClusterListener l : listeners) {
            try {
                call.accept(l);
            } catch (RuntimeException e) {
                log.warn("a cluster listener failed: {}", e.toString());
            }
        }
    }

    /** Delivers what is queued (bounded wait), then stops. */
    void close() {
        loop.observe(null);
        try {
            thread.execute(this::deliverPending); // what gathered since the last delivery
        } catch (RejectedExecutionException e) {
            // closed already
        }
        thread.shutdown();
        try {
            thread.awaitTermination(2, java.util.concurrent.TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        thread.shutdownNow();
    }
}
