package dev.burst.internal.usage;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The usage ledger of one run: a user's job on one cluster. It answers "what did this run pay for,
 * and how much of it did work?": core-seconds allocated (each worker's alive time × its cores),
 * core-seconds busy (time tasks executed), the same for GPUs, CPU time, tasks and bytes spilled.
 * The headline is {@link UsageTotals#efficiency()} = busy ÷ allocated.
 *
 * <h2>Design</h2>
 * <ul>
 *   <li>Pure: no clock, no threads, no I/O. Every call that depends on time takes {@code nowNanos}
 *       from the caller's monotonic clock ({@link System#nanoTime()} in the runtime, a virtual clock
 *       in simulations); the run's wall-clock start is given once, for the record only.</li>
 *   <li>One ledger per run keeps jobs apart: the runtime makes one with {@link #forRun} when a
 *       cluster (or a job on it) starts and asks it for {@link #totals} at the end. Runs are added
 *       up per user only when reported ({@link UserUsageTotals#byUser}).</li>
 *   <li>Allocation is computed, not counted: the ledger keeps when each worker started and stopped,
 *       so {@link #totals} includes live workers up to {@code nowNanos} and can be asked at any time.</li>
 *   <li>Busy time, CPU time, tasks and spilled bytes come from the workers as <em>cumulative</em>
 *       counters ({@link #workerFigures}), because that is what heartbeats carry and a lost or
 *       repeated heartbeat then costs nothing. Each counter only grows: a smaller value than the one
 *       already seen (a late, reordered heartbeat) is ignored, never subtracted.</li>
 *   <li>A worker name that starts again after it stopped is a new incarnation (a restarted process
 *       whose counters start from zero): the old incarnation's figures are kept and the new one's are
 *       added to them.</li>
 *   <li>Thread-safe by a plain monitor: the runtime feeds it from worker and heartbeat threads while
 *       the CLI may read totals; every call is short and uncontended.</li>
 * </ul>
 */
public final class UsageLedger {
    private final String user;
    private final String cluster;
    private final String job;
    private final long startedAtEpochMillis;
    private final long startNanos;

    /** The current incarnation of every worker seen, by name, in start order. */
    private final Map<String, WorkerAccount> workers = new LinkedHashMap<>();
    /** Figures of incarnations replaced by a restart under the same name, already folded in. */
    private final UsageSum replaced = new UsageSum();
    private int workersStarted;
    private int liveWorkers;
    private int peakWorkers;

    private UsageLedger(String user, String cluster, String job, long startedAtEpochMillis, long startNanos) {
        this.user = user;
        this.cluster = cluster;
        this.job = job;
        this.startedAtEpochMillis = startedAtEpochMillis;
        this.startNanos = startNanos;
    }

    /**
     * A ledger for one run.
     *
     * @param user                  who runs it, not blank
     * @param cluster               the cluster's name, not blank
     * @param job                   the job's label, not blank
     * @param startedAtEpochMillis  the wall-clock start, for the record ({@link System#currentTimeMillis()})
     * @param startNanos            the same moment on the monotonic clock that later calls use
     */
    public static UsageLedger forRun(String user, String cluster, String job, long startedAtEpochMillis,
                                     long startNanos) {
        UsageTotals.requireName("user", user);
        UsageTotals.requireName("cluster", cluster);
        UsageTotals.requireName("job", job);
        if (startedAtEpochMillis < 0) {
            throw new IllegalArgumentException("startedAtEpochMillis must be >= 0, got " + startedAtEpochMillis);
        }
        return new UsageLedger(user, cluster, job, startedAtEpochMillis, startNanos);
    }

    public String user() {
        return user;
    }

    public String cluster() {
        return cluster;
    }

    public String job() {
        return job;
    }

    /**
     * A worker joined the run with this many cores (executor threads) and GPUs; from now on it is
     * allocated.
     *
     * @throws IllegalArgumentException if the name is blank or cores &lt; 1 or gpus &lt; 0
     * @throws IllegalStateException    if a worker of this name is already alive
     */
    public synchronized void workerStarted(String worker, int cores, int gpus, long nowNanos) {
        UsageTotals.requireName("worker", worker);
        if (cores < 1) {
            throw new IllegalArgumentException("worker " + worker + ": cores must be >= 1, got " + cores);
        }
        if (gpus < 0) {
            throw new IllegalArgumentException("worker " + worker + ": gpus must be >= 0, got " + gpus);
        }
        WorkerAccount previous = workers.get(worker);
        if (previous != null) {
            if (previous.alive()) {
                throw new IllegalStateException("worker " + worker + " started twice without stopping in between");
            }
            replaced.add(previous, nowNanos);
        }
        workers.put(worker, new WorkerAccount(cores, gpus, nowNanos));
        workersStarted++;
        liveWorkers++;
        peakWorkers = Math.max(peakWorkers, liveWorkers);
    }

    /**
     * A worker left (retired, killed or lost); it is no longer allocated. Stopping a worker that has
     * already stopped does nothing, since both the cluster manager and a lost heartbeat may report it.
     *
     * @throws IllegalArgumentException if no worker of this name ever started
     */
    public synchronized void workerStopped(String worker, long nowNanos) {
        WorkerAccount account = account(worker);
        if (account.alive()) {
            // A stop stamped before the start (clocks of different threads) allocates nothing, never less.
            account.stoppedNanos = Math.max(nowNanos, account.startedNanos);
            liveWorkers--;
        }
    }

    /**
     * The cluster shut down: every worker still alive stops now. Call it before the final
     * {@link #totals} so that a record asked for later does not keep growing.
     */
    public synchronized void allWorkersStopped(long nowNanos) {
        for (WorkerAccount account : workers.values()) {
            if (account.alive()) {
                account.stoppedNanos = Math.max(nowNanos, account.startedNanos);
            }
        }
        liveWorkers = 0;
    }

    /**
     * The worker's cumulative counters since it started, as its heartbeat or its in-process counters
     * report them. Each counter that is smaller than the one already recorded (a late or reordered
     * report) is ignored; the others are taken. Figures that arrive after the worker stopped still
     * count: its last heartbeat may come after the cluster manager reported it gone.
     *
     * @param busyNanos     core-nanoseconds its executor threads spent running tasks
     * @param gpuBusyNanos  GPU-nanoseconds tasks held its GPUs
     * @param cpuNanos      CPU time its executor threads consumed
     * @param tasks         tasks it finished
     * @param bytesSpilled  bytes it spilled to disk
     * @throws IllegalArgumentException if a counter is negative or no worker of this name ever started
     */
    public synchronized void workerFigures(String worker, long busyNanos, long gpuBusyNanos, long cpuNanos, long tasks,
                                           long bytesSpilled) {
        if (busyNanos < 0 || gpuBusyNanos < 0 || cpuNanos < 0 || tasks < 0 || bytesSpilled < 0) {
            throw new IllegalArgumentException("worker " + worker + ": counters must be >= 0, got busyNanos " + busyNanos
                    + ", gpuBusyNanos " + gpuBusyNanos + ", cpuNanos " + cpuNanos + ", tasks " + tasks
                    + ", bytesSpilled " + bytesSpilled);
        }
        WorkerAccount account = account(worker);
        account.busyNanos = Math.max(account.busyNanos, busyNanos);
        account.gpuBusyNanos = Math.max(account.gpuBusyNanos, gpuBusyNanos);
        account.cpuNanos = Math.max(account.cpuNanos, cpuNanos);
        account.tasks = Math.max(account.tasks, tasks);
        account.bytesSpilled = Math.max(account.bytesSpilled, bytesSpilled);
    }

    /** True if a worker of this name ever started in this ledger. */
    public synchronized boolean knows(String worker) {
        return workers.containsKey(worker);
    }

    /** True if a worker of this name started and has not stopped. */
    public synchronized boolean liveWorker(String worker) {
        WorkerAccount account = workers.get(worker);
        return account != null && account.alive();
    }

    /** Workers alive now. */
    public synchronized int liveWorkers() {
        return liveWorkers;
    }

    /**
     * The run's figures as of {@code nowNanos}: live workers count as allocated up to then, and the
     * wall time is from the run's start to then. Asked at the end of a run, after every worker
     * stopped, it is the run's final record.
     */
    public synchronized UsageTotals totals(long nowNanos) {
        UsageSum sum = new UsageSum();
        sum.add(replaced);
        for (WorkerAccount account : workers.values()) {
            sum.add(account, nowNanos);
        }
        return new UsageTotals(user, cluster, job, startedAtEpochMillis, seconds(Math.max(0, nowNanos - startNanos)),
                workersStarted, peakWorkers, sum.coreSecondsAllocated, sum.coreSecondsBusy, sum.gpuSecondsAllocated,
                sum.gpuSecondsBusy, sum.cpuSeconds, sum.tasks, sum.bytesSpilled);
    }

    @Override
    public String toString() {
        return "UsageLedger[" + user + "/" + cluster + "/" + job + ", " + liveWorkers() + " live workers]";
    }

    private WorkerAccount account(String worker) {
        WorkerAccount account = workers.get(worker);
        if (account == null) {
            throw new IllegalArgumentException("unknown worker " + worker + " (report workerStarted before its figures or stop)");
        }
        return account;
    }

    private static double seconds(long nanos) {
        return nanos / 1e9;
    }

    /** One worker incarnation: when it was alive, on how many cores and GPUs, and its latest counters. */
    private static final class WorkerAccount {
        final int cores;
        final int gpus;
        final long startedNanos;
        /** {@link Long#MIN_VALUE} while alive. */
        long stoppedNanos = Long.MIN_VALUE;
        long busyNanos;
        long gpuBusyNanos;
        long cpuNanos;
        long tasks;
        long bytesSpilled;

        WorkerAccount(int cores, int gpus, long startedNanos) {
            this.cores = cores;
            this.gpus = gpus;
            this.startedNanos = startedNanos;
        }

        boolean alive() {
            return stoppedNanos == Long.MIN_VALUE;
        }
    }

    /**
     * Figures of several incarnations added up. Seconds are doubles because nanoseconds × cores summed
     * over a long-lived shared cluster overflow a long (1,000 cores for four months do).
     */
    private static final class UsageSum {
        double coreSecondsAllocated;
        double gpuSecondsAllocated;
        double coreSecondsBusy;
        double gpuSecondsBusy;
        double cpuSeconds;
        long tasks;
        long bytesSpilled;

        /** Adds an incarnation, a live one counted as allocated up to {@code nowNanos}. */
        void add(WorkerAccount account, long nowNanos) {
            double aliveSeconds = seconds(Math.max(0, (account.alive() ? nowNanos : account.stoppedNanos)
                    - account.startedNanos));
            coreSecondsAllocated += aliveSeconds * account.cores;
            gpuSecondsAllocated += aliveSeconds * account.gpus;
            coreSecondsBusy += seconds(account.busyNanos);
            gpuSecondsBusy += seconds(account.gpuBusyNanos);
            cpuSeconds += seconds(account.cpuNanos);
            tasks += account.tasks;
            bytesSpilled += account.bytesSpilled;
        }

        void add(UsageSum other) {
            coreSecondsAllocated += other.coreSecondsAllocated;
            gpuSecondsAllocated += other.gpuSecondsAllocated;
            coreSecondsBusy += other.coreSecondsBusy;
            gpuSecondsBusy += other.gpuSecondsBusy;
            cpuSeconds += other.cpuSeconds;
            tasks += other.tasks;
            bytesSpilled += other.bytesSpilled;
        }
    }
}
