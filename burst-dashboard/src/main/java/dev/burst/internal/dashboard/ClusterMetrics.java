package dev.burst.internal.dashboard;

import dev.burst.ClusterListener;
import dev.burst.ClusterStatus;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * A cluster's Prometheus metrics, named after Dask's with a {@code burst_} prefix:
 * {@code burst_scheduler_tasks{state}}, {@code burst_scheduler_workers}, {@code burst_scheduler_clients},
 * {@code burst_worker_memory_bytes{worker,type}}, {@code burst_tasks_compute_seconds_total{prefix}},
 * {@code burst_tasks_ended_total{prefix,outcome}} and, beyond Dask,
 * {@code burst_user_core_seconds_allocated_total{user}} / {@code _busy_total} and the GPU pair.
 *
 * <p>Gauges read the status snapshot the dashboard's ticker keeps ({@code latest}), so a scrape
 * never waits on the scheduler; the counters per prefix are fed by the cluster's listener. The JVM
 * the scheduler runs in is there too (Micrometer's {@code jvm_*}, {@code process_*}, {@code system_*}):
 * for a gateway cluster that is its cluster process, for an embedded one the program's own JVM.
 */
final class ClusterMetrics implements ClusterListener {
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Map<String, Counter> computeSeconds = new ConcurrentHashMap<>();
    private final Map<String, Counter> ended = new ConcurrentHashMap<>();
    private final MultiGauge workerMemory;
    private final Supplier<ClusterStatus> latest;
    /** Listens to the JVM's GC notifications until closed. */
    private final JvmMetrics jvm;

    ClusterMetrics(String cluster, String user, Supplier<ClusterStatus> latest, java.util.function.IntSupplier pagesOpen) {
        this.latest = latest;
        registry.config().commonTags("cluster", cluster);
        Gauge.builder("burst.dashboard.pages.open", pagesOpen::getAsInt)
                .description("Dashboard pages receiving live updates now").register(registry);
        for (String state : List.of("released", "waiting", "queued", "no-worker", "processing", "memory", "erred")) {
            Gauge.builder("burst.scheduler.tasks", () -> tasksIn(state)).tag("state", state)
                    .description("Tasks the scheduler holds, per state").register(registry);
        }
        Gauge.builder("burst.scheduler.workers", () -> latest.get().workers().size())
                .description("Workers connected").register(registry);
        Gauge.builder("burst.scheduler.clients", () -> latest.get().clients())
                .description("Clients connected").register(registry);
        workerMemory = MultiGauge.builder("burst.worker.memory").baseUnit("bytes")
                .description("Bytes of results a worker holds in memory (stored) or spilled to disk").register(registry);
        FunctionCounter.builder("burst.user.core.seconds.allocated", this, m -> m.latest.get().usage().allocatedCoreSeconds())
                .tag("user", user).description("Core-seconds allocated to the user's workers (alive x cores)").register(registry);
        FunctionCounter.builder("burst.user.core.seconds.busy", this, m -> m.latest.get().usage().busyCoreSeconds())
                .tag("user", user).description("Core-seconds the user's tasks ran").register(registry);
        FunctionCounter.builder("burst.user.gpu.seconds.allocated", this, m -> m.latest.get().usage().allocatedGpuSeconds())
                .tag("user", user).description("GPU-seconds allocated to the user's workers").register(registry);
        FunctionCounter.builder("burst.user.gpu.seconds.busy", this, m -> m.latest.get().usage().busyGpuSeconds())
                .tag("user", user).description("GPU-seconds the user's tasks held GPUs").register(registry);
        jvm = new JvmMetrics(registry);
    }

    private double tasksIn(String state) {
        ClusterStatus.Tasks t = latest.get().tasks();
        return switch (state) {
            case "released" -> t.released();
            case "waiting" -> t.waiting();
            case "queued" -> t.queued();
            case "no-worker" -> t.noWorker();
            case "processing" -> t.processing();
            case "memory" -> t.memory();
            case "erred" -> t.erred();
            default -> throw new IllegalArgumentException(state);
        };
    }

    @Override
    public void taskEnded(TaskRecord task) {
        computeSeconds.computeIfAbsent(task.prefix(), p -> Counter.builder("burst.tasks.compute.seconds")
                        .tag("prefix", p).description("Seconds tasks of a prefix ran").register(registry))
                .increment(task.duration().toNanos() / 1e9);
        String outcome = task.failed() ? "failed" : "finished";
        ended.computeIfAbsent(task.prefix() + "\u0000" + outcome, k -> Counter.builder("burst.tasks.ended")
                        .tags("prefix", task.prefix(), "outcome", outcome).description("Tasks that ended").register(registry))
                .increment();
    }

    /** The text a Prometheus scrape gets; the per-worker gauges follow the workers connected now. */
    String scrape() {
        List<MultiGauge.Row<?>> rows = new ArrayList<>();
        for (ClusterStatus.Worker w : latest.get().workers()) {
            rows.add(MultiGauge.Row.of(Tags.of("worker", w.name(), "type", "stored"), w.storedBytes()));
            rows.add(MultiGauge.Row.of(Tags.of("worker", w.name(), "type", "spilled"), w.spilledBytes()));
        }
        workerMemory.register(rows, true);
        return registry.scrape();
    }

    void close() {
        jvm.close();
        registry.close();
    }
}
