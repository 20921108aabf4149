package dev.burst.internal.cli;

import dev.burst.Cluster;
import dev.burst.ClusterStatus;

import java.util.Locale;
import java.util.function.Consumer;

/**
 * Reads a cluster's {@link ClusterStatus} a few times a second on a thread of its own and hands it
 * to a progress display: what {@code burst demo}'s and {@code burst map}'s bars show comes from the
 * same public snapshot a dashboard reads, not from private plumbing.
 */
final class StatusPoller implements AutoCloseable {
    private static final long INTERVAL_MS = 200;

    private final Cluster cluster;
    private final Consumer<ClusterStatus> display;
    private final Thread thread;
    private volatile boolean closed;

    StatusPoller(Cluster cluster, Consumer<ClusterStatus> display) {
        this.cluster = cluster;
        this.display = display;
        this.thread = Thread.ofPlatform().daemon().name("burst-progress").start(this::run);
    }

    private void run() {
        while (!closed) {
            try {
                if (!cluster.isClosed()) {
                    display.accept(cluster.status());
                }
                Thread.sleep(INTERVAL_MS); // a display's refresh interval, not a wait for a condition
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                return; // the cluster closed under us: the display keeps its last state
            }
        }
    }

    /** One line for a progress bar: {@code 2 running, 1 queued on 2 workers}: running means on a thread. */
    static String describe(ClusterStatus s) {
        int workers = s.workers().size();
        int queued = s.tasksQueuedOnWorkers();
        return String.format(Locale.ROOT, "%d running%s on %d worker%s", s.tasksRunning(), queued == 0 ? "" : ", " + queued + " queued",
                workers, workers == 1 ? "" : "s");
    }

    /** Stops polling and shows the final status once. */
    @Override
    public void close() {
        closed = true;
        thread.interrupt();
        try {
            thread.join(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (!cluster.isClosed()) {
            display.accept(cluster.status());
        }
    }
}
