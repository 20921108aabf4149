package dev.burst.internal.cluster;

import dev.burst.ClusterListener;
import dev.burst.internal.loop.LoopObserver;
import dev.burst.internal.loop.SchedulerLoop;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;

/**
 * Hands what the scheduler loop observed to a cluster's {@link ClusterListener}s, on a thread of
 * its own, so that a slow listener never holds up scheduling. The loop is observed only while
 * someone listens: without listeners it builds no records at all.
 */
final class ListenerFanout implements LoopObserver {
    private static final Logger log = LoggerFactory.getLogger(ListenerFanout.class);

    private final SchedulerLoop loop;
    private final List<ClusterListener> listeners = new CopyOnWriteArrayList<>();
    private final ExecutorService thread;

    ListenerFanout(String clusterName, SchedulerLoop loop) {
        this.loop = loop;
        this.thread = Executors.newSingleThreadExecutor(r -> {
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
        Instant at = Instant.now();
        try {
            thread.execute(() -> deliver(batch, at));
        } catch (RejectedExecutionException e) {
            // closed: nobody listens any more
        }
    }

    private void deliver(List<Observed> batch, Instant at) {
        for (Observed o : batch) {
            for (ClusterListener l : listeners) {
                try {
                    switch (o) {
                        case TaskEnded t -> l.taskEnded(new ClusterListener.TaskRecord(t.key().toString(), t.key().prefix(),
                                t.worker().name(), t.failed(), Duration.ofNanos(t.durationNanos()), at));
                        case WorkerJoined j -> l.workerJoined(j.worker().name());
                        case WorkerLeft w -> l.workerLeft(w.worker().name());
                    }
                } catch (RuntimeException e) {
                    log.warn("a cluster listener failed: {}", e.toString());
                }
            }
        }
    }

    /** Delivers what is queued (bounded wait), then stops. */
    void close() {
        loop.observe(null);
        thread.shutdown();
        try {
            thread.awaitTermination(2, java.util.concurrent.TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        thread.shutdownNow();
    }
}
