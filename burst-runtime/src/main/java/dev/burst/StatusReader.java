package dev.burst;

import dev.burst.internal.cluster.ClusterRuntime;
import dev.burst.internal.cluster.ClusterScheduler.WorkerCounters;
import dev.burst.internal.core.ResourceAmounts;
import dev.burst.internal.core.WorkerId;
import dev.burst.internal.scheduler.SchedulerStatus;
import dev.burst.internal.scheduler.SchedulerTaskState;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/** Puts a {@link ClusterStatus} together from the scheduler's status, the workers' counters and the ledger. */
final class StatusReader {
    private StatusReader() {
    }

    static ClusterStatus read(ClusterRuntime runtime) {
        Instant now = Instant.now();
        long nowNanos = System.nanoTime();
        SchedulerStatus s = runtime.isClosed() ? null : runtime.schedulerStatus();
        Map<WorkerId, WorkerCounters> counters = runtime.isClosed() ? Map.of() : runtime.scheduler().workerCounters();
        List<ClusterStatus.Worker> workers = new ArrayList<>();
        List<ClusterStatus.Progress> progress = new ArrayList<>();
        ClusterStatus.Tasks tasks = new ClusterStatus.Tasks(0, 0, 0, 0, 0, 0, 0);
        if (s != null) {
            for (SchedulerStatus.WorkerLoad w : s.workers()) {
                WorkerCounters c = counters.getOrDefault(w.id(), new WorkerCounters(0, 0, 0, 0));
                // The scheduler knows what it sent (processing); the worker what is on its threads. A
                // heartbeat's count may be a second old: never more than what is sent, nor than threads.
                int running = Math.min(Math.min(c.executing(), w.processing()), w.threads());
                workers.add(new ClusterStatus.Worker(w.id().name(), w.threads(), resources(w.resources()), running,
                        w.processing() - running, w.storedBytes(), c.spilledBytes(), c.busyNanos() / 1e9, c.cpuNanos() / 1e9,
                        w.retiring()));
            }
            workers.sort(Comparator.comparing(ClusterStatus.Worker::name));
            for (SchedulerStatus.PrefixProgress p : s.prefixes()) {
                progress.add(new ClusterStatus.Progress(p.prefix(), p.total(), p.finished(), p.erred(), p.processing()));
            }
            tasks = new ClusterStatus.Tasks(s.count(SchedulerTaskState.RELEASED), s.count(SchedulerTaskState.WAITING),
                    s.count(SchedulerTaskState.QUEUED), s.count(SchedulerTaskState.NO_WORKER),
                    s.count(SchedulerTaskState.PROCESSING), s.count(SchedulerTaskState.MEMORY), s.count(SchedulerTaskState.ERRED));
        }
        long idleNanos = Math.max(0, nowNanos - runtime.scheduler().loop().lastActivityNanos());
        return new ClusterStatus(runtime.name(), now, workers, tasks, progress, now.minusNanos(idleNanos),
                runtime.scheduler().loop().clientCount(), ClusterUsage.of(runtime.usage(), runtime.coresNow()));
    }

    private static Resources resources(ResourceAmounts amounts) {
        Resources r = Resources.none();
        for (Map.Entry<String, Double> e : amounts.amounts().entrySet()) {
            if (!e.getKey().equals(ResourceAmounts.CPU)) {
                r = r.and(e.getKey(), e.getValue());
            }
        }
        return r;
    }
}
