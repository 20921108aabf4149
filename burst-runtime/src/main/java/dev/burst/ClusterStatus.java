package dev.burst;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * What a cluster is doing, as of {@link #takenAt()}: an immutable snapshot that any thread may take
 * at any time ({@link Cluster#status()}) and keep. Its task figures are counted as tasks change state
 * rather than by walking them, so reading it at 10 Hz costs the scheduler next to nothing even while
 * it holds a million tasks. Progress bars, dashboards, notebook displays and idle culling read this;
 * {@link ClusterListener} tells of tasks and workers as they come and go.
 *
 * @param cluster      the cluster's name
 * @param takenAt      when the snapshot was taken
 * @param workers      the workers connected now, by name
 * @param tasks        the tasks the scheduler holds, per state
 * @param progress     per task prefix (the function or name tasks were submitted with), by prefix
 * @param lastActivity when a task was last submitted, finished or failed (the cluster's start if never)
 * @param clients      clients connected now
 * @param usage        core- and GPU-seconds allocated and busy so far
 */
public record ClusterStatus(String cluster, Instant takenAt, List<Worker> workers, Tasks tasks, List<Progress> progress,
                            Instant lastActivity, int clients, ClusterUsage usage) {
    public ClusterStatus {
        Objects.requireNonNull(cluster, "cluster");
        workers = List.copyOf(workers);
        progress = List.copyOf(progress);
    }

    /** True when no task is running or waiting to run. */
    public boolean idle() {
        return tasks.processing() == 0 && tasks.pending() == 0;
    }

    /** How long before {@link #takenAt()} the last task activity was. */
    public Duration sinceLastActivity() {
        Duration d = Duration.between(lastActivity, takenAt);
        return d.isNegative() ? Duration.ZERO : d;
    }

    /** Progress summed over every prefix. */
    public Progress total() {
        long total = 0;
        long done = 0;
        long erred = 0;
        int processing = 0;
        for (Progress p : progress) {
            total += p.total();
            done += p.done();
            erred += p.erred();
            processing += p.processing();
        }
        return new Progress("*", total, done, erred, processing);
    }

    /** Tasks on workers' threads now (see {@link Worker#tasksRunning()}). */
    public int tasksRunning() {
        return workers.stream().mapToInt(Worker::tasksRunning).sum();
    }

    /** Tasks sent to workers that wait there for a thread (see {@link Worker#tasksQueued()}). */
    public int tasksQueuedOnWorkers() {
        return workers.stream().mapToInt(Worker::tasksQueued).sum();
    }

    /**
     * One worker.
     *
     * @param name         its name (what {@link Client#retireWorkers} takes)
     * @param threads      executor threads (cores)
     * @param resources    what it offers besides its threads (e.g. {@code gpu})
     * @param tasksRunning tasks on its executor threads now (for a worker process, as of its last
     *                     heartbeat, up to a second behind)
     * @param tasksQueued  tasks sent to it that wait there for a thread (or for their inputs)
     * @param storedBytes  bytes of results it holds
     * @param spilledBytes bytes of results it spilled to disk
     * @param busySeconds  core-seconds its threads spent running tasks so far
     * @param cpuSeconds   CPU time its executor threads used so far
     * @param retiring     being retired (takes no new tasks)
     */
    public record Worker(String name, int threads, Resources resources, int tasksRunning, int tasksQueued, long storedBytes,
                         long spilledBytes, double busySeconds, double cpuSeconds, boolean retiring) {
    }

    /**
     * Tasks per state. {@code released}: known, not needed now; {@code waiting}: for inputs;
     * {@code queued}: runnable, held back while workers are saturated; {@code noWorker}: runnable,
     * but no worker has what they ask for; {@code processing}: on a worker; {@code memory}: done,
     * result held; {@code erred}: failed.
     */
    public record Tasks(int released, int waiting, int queued, int noWorker, int processing, int memory, int erred) {
        /** Tasks not finished that are not running: waiting, queued or without a worker. */
        public int pending() {
            return waiting + queued + noWorker;
        }
    }

    /**
     * Progress of one task prefix.
     *
     * @param total   tasks ever submitted
     * @param done    finished (a task recomputed after a worker died counts once)
     * @param erred   failed for good
     * @param processing sent to a worker and not finished: running there or queued there (per worker,
     *                   {@link Worker#tasksRunning()} and {@link Worker#tasksQueued()} tell them apart)
     */
    public record Progress(String prefix, long total, long done, long erred, int processing) {
        /** (done + erred) ÷ total, 1 when there are none. */
        public double fraction() {
            return total == 0 ? 1.0 : (double) (done + erred) / total;
        }
    }
}
