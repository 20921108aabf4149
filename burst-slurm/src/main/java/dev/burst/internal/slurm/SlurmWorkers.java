package dev.burst.internal.slurm;

import dev.burst.internal.slurm.SlurmCommands.JobStatus;
import dev.burst.internal.slurm.SlurmCommands.SlurmCommandException;
import dev.burst.spi.PoolWorker;
import dev.burst.spi.WorkerPool;
import dev.burst.spi.WorkerShape;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The Slurm pool ({@link WorkerPool}): one batch job per worker.
 *
 * <p>Design. {@link #start} only names the workers and hands each one's {@code sbatch} to a small
 * submitter pool, so that it returns at once; a refusal (bad partition or account) or an
 * unreachable Slurm comes back to the {@link WorkerPool.Events} as {@code startFailed} with sbatch's own
 * message. One poller thread asks {@code squeue} about every tracked job each poll interval and
 * moves each job PENDING → RUNNING → gone. A job that ends without being asked to (failed, timed
 * out, its node failed, cancelled by someone else, or simply vanished) is reported with the tail
 * of its log: as {@code startFailed} when it never ran or ran less than {@link #STARTUP_GRACE_NANOS},
 * else as {@code workerEnded}. Jobs asked to stop end quietly.
 *
 * <p>No orphans: {@link #close} waits for submissions in flight, cancels every job it still
 * tracks with one {@code scancel}, and waits (at most {@link #CLOSE_WAIT_NANOS}) until squeue shows
 * none of them active. While jobs exist a JVM shutdown hook does the same on Ctrl-C.
 *
 * <p>Lifetime. A job dies at its walltime; a worker should retire before, moving its results
 * away. This class does not retire anyone itself (the adaptive controller owns retirement, and
 * starts a replacement to keep its target): it tells when each worker started running and when it
 * should retire ({@link #retireAfterNanos}, {@link #dueForRetirement}). Each worker's lifetime is
 * the settings' lifetime less its own share of the stagger, so that workers started together
 * retire one after another instead of all at once.
 *
 * <p>Files: job scripts and logs go to the settings' work dir (a file system the compute nodes
 * share). Scripts are deleted when their job ends; logs too, except those of workers reported to
 * the listener, whose reason names the log.
 */
public final class SlurmWorkers implements WorkerPool {
    private static final Logger log = LoggerFactory.getLogger(SlurmWorkers.class);

    /** A worker whose job ends sooner after starting to run than this failed to start. */
    static final long STARTUP_GRACE_NANOS = TimeUnit.SECONDS.toNanos(30);
    /** How long {@link #close} waits for cancelled jobs to leave the queue. */
    static final long CLOSE_WAIT_NANOS = TimeUnit.SECONDS.toNanos(10);
    /** How long {@link #close} waits for sbatch calls in flight (each may take the command timeout). */
    private static final long SUBMIT_WAIT_SECONDS = 35;
    private static final int LOG_TAIL_LINES = 20;
    /** sbatch calls at once: a controller handles a few in parallel; hundreds would only queue there. */
    private static final int SUBMITTERS = 4;
    /** The golden ratio's fraction: worker n's stagger share is (n × it) mod 1, spread evenly for any count. */
    private static final double GOLDEN_FRACTION = 0.6180339887498949;

    /** Where a tracked job is, as far as this class knows. */
    private enum JobPhase {
        /** Its sbatch has not returned yet. */
        SUBMITTING,
        /** Submitted; squeue says it waits. */
        QUEUED,
        /** squeue says it runs. */
        RUNNING
    }

    /** One worker's job; fields guarded by the {@link SlurmWorkers} instance. */
    private static final class TrackedJob {
        final String name;
        final long requestedAtNanos;
        final long lifetimeNanos;
        final SlurmJobScript script;
        String jobId;
        JobPhase phase = JobPhase.SUBMITTING;
        long runningSinceNanos;
        boolean stopRequested;
        boolean cancelSent;

        TrackedJob(String name, long requestedAtNanos, long lifetimeNanos, SlurmJobScript script) {
            this.name = name;
            this.requestedAtNanos = requestedAtNanos;
            this.lifetimeNanos = lifetimeNanos;
            this.script = script;
        }
    }

    private final WorkerShape shape;
    private final SlurmSettings settings;
    private final WorkerPool.Events listener;
    private final SlurmCommands commands;
    private final ExecutorService submitter;
    private final ScheduledExecutorService poller;
    private final Map<String, TrackedJob> jobs = new ConcurrentHashMap<>();
    private final AtomicInteger workerNumbers = new AtomicInteger();
    /** Guarded by this. */
    private Thread shutdownHook;
    private volatile boolean closed;
    /** Last time a failing squeue was logged, so that a controller outage does not flood the log. */
    private volatile long lastPollWarningNanos;

    /**
     * A manager that submits workers of {@code shape} as Slurm jobs; it submits nothing until
     * {@link #start}. Creates the settings' work dir.
     *
     * @throws IllegalArgumentException if the work dir cannot be created (the message names it)
     */
    public SlurmWorkers(WorkerShape shape, SlurmSettings settings, WorkerPool.Events listener) {
        this.shape = Objects.requireNonNull(shape, "shape");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.listener = Objects.requireNonNull(listener, "listener");
        try {
            Files.createDirectories(settings.workDir());
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot create the Slurm work dir " + settings.workDir() + ": " + e.getMessage(), e);
        }
        this.commands = new SlurmCommands(settings);
        this.submitter = Executors.newFixedThreadPool(SUBMITTERS, daemon("burst-slurm-submit-" + settings.clusterName()));
        this.poller = Executors.newSingleThreadScheduledExecutor(daemon("burst-slurm-poll-" + settings.clusterName()));
        long interval = settings.pollInterval().toMillis();
        poller.scheduleWithFixedDelay(this::pollSafely, interval, interval, TimeUnit.MILLISECONDS);
    }

    @Override
    public WorkerShape shape() {
        return shape;
    }

    public SlurmSettings settings() {
        return settings;
    }

    @Override
    public List<String> start(int n) {
        if (n < 0) {
            throw new IllegalArgumentException("cannot start " + n + " workers");
        }
        List<String> names = new ArrayList<>(n);
        List<TrackedJob> started = new ArrayList<>(n);
        synchronized (this) {
            if (closed) {
                throw new IllegalStateException("Slurm workers of " + settings.clusterName() + " are closed");
            }
            long now = System.nanoTime();
            for (int i = 0; i < n; i++) {
                int number = workerNumbers.incrementAndGet();
                String name = settings.clusterName() + "-worker-" + number;
                double share = (number * GOLDEN_FRACTION) % 1.0;
                long lifetime = settings.lifetime().toNanos() - (long) (settings.lifetimeStagger().toNanos() * share);
                TrackedJob job = new TrackedJob(name, now, lifetime, SlurmJobScript.render(name, settings, shape));
                jobs.put(name, job);
                names.add(name);
                started.add(job);
            }
            if (n > 0) {
                addShutdownHook();
            }
        }
        for (TrackedJob job : started) {
            try {
                submitter.execute(() -> submit(job));
            } catch (java.util.concurrent.RejectedExecutionException e) {
                jobs.remove(job.name); // closed meanwhile: nothing was submitted
            }
        }
        return names;
    }

    private void submit(TrackedJob job) {
        synchronized (this) {
            if (closed || job.stopRequested) { // given up before its turn came
                jobs.remove(job.name);
                return;
            }
        }
        SlurmJobScript script = job.script;
        String reason;
        try {
            Files.writeString(script.scriptFile(), script.text());
            Files.setPosixFilePermissions(script.scriptFile(), PosixFilePermissions.fromString("rwxr-x---"));
            String id = commands.submit(script.scriptFile());
            boolean cancelNow;
            synchronized (this) {
                job.jobId = id;
                job.phase = JobPhase.QUEUED;
                cancelNow = closed || job.stopRequested;
                job.cancelSent = cancelNow;
            }
            log.info("submitted worker {} as Slurm job {}", job.name, id);
            if (cancelNow) {
                cancel(List.of(job));
            }
            return;
        } catch (SlurmCommandException e) {
            reason = switch (e.failure()) {
                case UNREACHABLE -> "Slurm is not reachable: " + e.getMessage();
                case REFUSED -> "sbatch refused the job" + refusedDetail() + ": " + e.getMessage();
            };
        } catch (IOException | UnsupportedOperationException e) {
            reason = "cannot write the job script " + script.scriptFile() + ": " + e.getMessage();
        }
        jobs.remove(job.name);
        deleteQuietly(script.scriptFile());
        if (!closed) {
            log.warn("worker {} not started: {}", job.name, reason);
            listener.startFailed(job.name, reason);
        }
    }

    /** What the refused job asked for that is most often the cause. */
    private String refusedDetail() {
        List<String> asked = new ArrayList<>();
        if (!settings.partition().isEmpty()) {
            asked.add("partition " + settings.partition());
        }
        if (!settings.account().isEmpty()) {
            asked.add("account " + settings.account());
        }
        return asked.isEmpty() ? "" : " (" + String.join(", ", asked) + ")";
    }

    @Override
    public void stop(Collection<String> workers) {
        List<TrackedJob> toCancel = new ArrayList<>();
        synchronized (this) {
            for (String name : workers) {
                TrackedJob job = jobs.get(name);
                if (job == null || job.stopRequested) {
                    continue;
                }
                job.stopRequested = true;
                if (job.jobId != null) { // else its submitter cancels it once sbatch returns
                    job.cancelSent = true;
                    toCancel.add(job);
                }
            }
        }
        if (!toCancel.isEmpty() && !closed) {
            try {
                poller.execute(() -> cancel(toCancel));
            } catch (java.util.concurrent.RejectedExecutionException e) {
                // closed meanwhile: close() cancels every job it still tracks
            }
        }
    }

    /** scancel; on failure the jobs are marked for the next poll to try again. */
    private void cancel(List<TrackedJob> toCancel) {
        List<String> ids = toCancel.stream().map(j -> j.jobId).toList();
        try {
            commands.cancel(ids);
        } catch (SlurmCommandException e) {
            log.warn("scancel {} failed ({}); trying again", ids, e.getMessage());
            synchronized (this) {
                toCancel.forEach(j -> j.cancelSent = false);
            }
        }
    }

    @Override
    public synchronized List<PoolWorker> workers() {
        List<PoolWorker> out = new ArrayList<>(jobs.size());
        for (TrackedJob job : jobs.values()) {
            PoolWorker.State state = job.stopRequested ? PoolWorker.State.STOPPING : switch (job.phase) {
                case SUBMITTING, QUEUED -> PoolWorker.State.PENDING;
                case RUNNING -> PoolWorker.State.RUNNING;
            };
            out.add(new PoolWorker(job.name, state, job.requestedAtNanos, job.jobId == null ? "" : job.jobId));
        }
        out.sort(java.util.Comparator.comparingLong(PoolWorker::requestedAtNanos).thenComparing(PoolWorker::name));
        return out;
    }

    @Override
    public OptionalLong runningSinceNanos(String worker) {
        return runningSince(worker);
    }

    /** When the worker's job started running ({@link System#nanoTime()}), or empty if it does not run (yet). */
    public synchronized OptionalLong runningSince(String worker) {
        TrackedJob job = jobs.get(worker);
        return job == null || job.phase != JobPhase.RUNNING ? OptionalLong.empty() : OptionalLong.of(job.runningSinceNanos);
    }

    /**
     * When the worker should retire ({@link System#nanoTime()}): when it started running plus its
     * staggered lifetime; empty if it does not run (yet).
     */
    @Override
    public synchronized OptionalLong retireAfterNanos(String worker) {
        TrackedJob job = jobs.get(worker);
        return job == null || job.phase != JobPhase.RUNNING ? OptionalLong.empty()
                : OptionalLong.of(job.runningSinceNanos + job.lifetimeNanos);
    }

    /** Running workers not asked to stop whose lifetime is up at {@code nowNanos}, longest-running first. */
    public synchronized List<String> dueForRetirement(long nowNanos) {
        return jobs.values().stream()
                .filter(j -> j.phase == JobPhase.RUNNING && !j.stopRequested && nowNanos - j.runningSinceNanos >= j.lifetimeNanos)
                .sorted(java.util.Comparator.comparingLong(j -> j.runningSinceNanos))
                .map(j -> j.name).toList();
    }

    /** The Slurm job id of a worker, or empty if it is not submitted (yet) or unknown. */
    public synchronized java.util.Optional<String> jobId(String worker) {
        TrackedJob job = jobs.get(worker);
        return java.util.Optional.ofNullable(job == null ? null : job.jobId);
    }

    private void pollSafely() {
        try {
            poll();
        } catch (RuntimeException e) { // a scheduled task that throws is never run again
            log.error("polling Slurm jobs failed", e);
        }
    }

    private void poll() {
        List<TrackedJob> submitted = new ArrayList<>();
        List<TrackedJob> cancelAgain = new ArrayList<>();
        synchronized (this) {
            if (closed) {
                return;
            }
            for (TrackedJob job : jobs.values()) {
                if (job.jobId != null) {
                    submitted.add(job);
                    if (job.stopRequested && !job.cancelSent) {
                        job.cancelSent = true;
                        cancelAgain.add(job);
                    }
                }
            }
        }
        if (!cancelAgain.isEmpty()) {
            cancel(cancelAgain);
        }
        if (submitted.isEmpty()) {
            return;
        }
        Map<String, JobStatus> statuses;
        try {
            statuses = commands.query(submitted.stream().map(j -> j.jobId).toList());
        } catch (SlurmCommandException e) {
            // jobs are not given up on a failed squeue: the controller may be restarting
            long now = System.nanoTime();
            if (now - lastPollWarningNanos > TimeUnit.SECONDS.toNanos(60)) {
                lastPollWarningNanos = now;
                log.warn("cannot ask Slurm about the jobs of {}: {}", settings.clusterName(), e.getMessage());
            }
            return;
        }
        long now = System.nanoTime();
        for (TrackedJob job : submitted) {
            JobStatus status = statuses.get(job.jobId);
            if (status == null) {
                ended(job, null, now);
                continue;
            }
            switch (status.state().phase()) {
                case WAITING -> {
                    // a requeued job that ran before waits again; a state this class does not know changes nothing
                    if (status.state() != SlurmJobState.UNKNOWN) {
                        synchronized (this) {
                            job.phase = JobPhase.QUEUED;
                        }
                    }
                }
                case RUNNING -> {
                    boolean first;
                    synchronized (this) {
                        first = job.phase != JobPhase.RUNNING;
                        if (first) {
                            job.phase = JobPhase.RUNNING;
                            job.runningSinceNanos = now;
                        }
                    }
                    if (first) {
                        listener.workerRunning(job.name, now); // allocated from now: the job's JVM start is paid for
                        log.info("worker {} (Slurm job {}) runs, {} ms after it was asked for", job.name, job.jobId,
                                TimeUnit.NANOSECONDS.toMillis(now - job.requestedAtNanos));
                    }
                }
                case ENDED -> ended(job, status, now);
            }
        }
    }

    /** The job ended or vanished ({@code status} null): forget it, and tell the listener if nobody asked. */
    private void ended(TrackedJob job, JobStatus status, long now) {
        boolean asked;
        boolean ranLong;
        synchronized (this) {
            if (jobs.get(job.name) != job) {
                return;
            }
            jobs.remove(job.name);
            asked = job.stopRequested || closed;
            ranLong = job.phase == JobPhase.RUNNING && now - job.runningSinceNanos >= STARTUP_GRACE_NANOS;
        }
        if (job.phase == JobPhase.RUNNING) {
            listener.workerStopped(job.name, now);
        }
        deleteQuietly(job.script.scriptFile());
        if (asked) {
            deleteQuietly(job.script.logFile());
            return;
        }
        String what = status == null ? "is no longer known to Slurm"
                : "ended " + status.state() + (status.reason().isBlank() || status.reason().equals("None") ? "" : " (" + status.reason() + ")");
        String reason = "Slurm job " + job.jobId + " of worker " + job.name + " " + what
                + (job.phase == JobPhase.RUNNING ? "" : " before it ran") + "; its log " + job.script.logFile()
                + " ends with:\n" + tail(job.script.logFile());
        if (ranLong) {
            log.warn("worker {} ended: {}", job.name, reason);
            listener.workerEnded(job.name, reason);
        } else {
            log.warn("worker {} failed to start: {}", job.name, reason);
            listener.startFailed(job.name, reason);
        }
    }

    static String tail(Path file) {
        try {
            if (!Files.exists(file)) {
                return "(no log: the job did not write " + file + ")";
            }
            List<String> lines = Files.readAllLines(file);
            String text = String.join("\n", lines.subList(Math.max(0, lines.size() - LOG_TAIL_LINES), lines.size()));
            return text.isBlank() ? "(the log is empty)" : text;
        } catch (IOException | java.io.UncheckedIOException e) {
            return "(cannot read the log: " + e.getMessage() + ")";
        }
    }

    /**
     * Cancels every job it submitted and still tracks, waits (at most 10 s) until squeue shows
     * none of them queued, running or completing, and deletes their scripts and logs. Idempotent.
     */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        cancelEverything(SUBMIT_WAIT_SECONDS, CLOSE_WAIT_NANOS);
        poller.shutdownNow();
        synchronized (this) {
            long now = System.nanoTime();
            for (TrackedJob job : jobs.values()) {
                if (job.phase == JobPhase.RUNNING) {
                    listener.workerStopped(job.name, now);
                }
                deleteQuietly(job.script.scriptFile());
                deleteQuietly(job.script.logFile());
            }
            jobs.clear();
            removeShutdownHook();
        }
        try {
            Files.deleteIfExists(settings.workDir()); // only if empty: failed workers' logs stay
        } catch (IOException e) {
            // not empty: kept for the logs the listener was told about
        }
    }

    /** Waits for sbatch calls in flight, scancels every tracked job, waits until they left the queue. */
    private void cancelEverything(long submitWaitSeconds, long queueWaitNanos) {
        submitter.shutdown();
        try {
            if (!submitter.awaitTermination(submitWaitSeconds, TimeUnit.SECONDS)) {
                log.warn("sbatch calls of {} still running after {} s; jobs they submit may be left", settings.clusterName(), submitWaitSeconds);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        List<String> ids;
        synchronized (this) {
            ids = jobs.values().stream().map(j -> j.jobId).filter(Objects::nonNull).toList();
        }
        if (ids.isEmpty()) {
            return;
        }
        try {
            commands.cancel(ids);
        } catch (SlurmCommandException e) {
            log.error("cannot cancel the Slurm jobs of {} ({}); cancel them by hand: scancel {}",
                    settings.clusterName(), e.getMessage(), String.join(" ", ids));
            return;
        }
        long deadline = System.nanoTime() + queueWaitNanos;
        while (System.nanoTime() < deadline) {
            try {
                // COMPLETING: Slurm is still killing the job's processes; its CPUs are not free yet
                boolean anyActive = commands.query(ids).values().stream()
                        .anyMatch(s -> s.state().phase() != SlurmJobState.Phase.ENDED || s.state() == SlurmJobState.COMPLETING);
                if (!anyActive) {
                    return;
                }
                Thread.sleep(Math.min(settings.pollInterval().toMillis(), 100)); // squeue is the only way to know
            } catch (SlurmCommandException e) {
                log.warn("cannot check that the Slurm jobs of {} are gone: {}", settings.clusterName(), e.getMessage());
                return;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        log.warn("Slurm jobs {} of {} were cancelled but still show in squeue after {} s", ids, settings.clusterName(),
                TimeUnit.NANOSECONDS.toSeconds(queueWaitNanos));
    }

    /** Guarded by this. Ctrl-C of the client JVM must not leave jobs holding nodes until their walltime. */
    private void addShutdownHook() {
        if (shutdownHook != null) {
            return;
        }
        Thread hook = new Thread(() -> {
            synchronized (this) {
                if (closed) {
                    return;
                }
                closed = true;
            }
            cancelEverything(2, TimeUnit.SECONDS.toNanos(2)); // a JVM that exits cannot wait long
        }, "burst-slurm-shutdown-" + settings.clusterName());
        try {
            Runtime.getRuntime().addShutdownHook(hook);
            shutdownHook = hook;
        } catch (IllegalStateException e) {
            // the JVM is already shutting down: close() is the only cleanup left
        }
    }

    /** Guarded by this. */
    private void removeShutdownHook() {
        if (shutdownHook == null || Thread.currentThread() == shutdownHook) {
            return;
        }
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException e) {
            // shutting down: the hook runs or ran, and finds the manager closed
        }
        shutdownHook = null;
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            log.debug("cannot delete {}: {}", file, e.toString());
        }
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
