package dev.burst.internal.gateway.server;

import dev.burst.internal.dashboard.JvmMetrics;
import dev.burst.internal.gateway.ledger.GatewayDatabase;
import dev.burst.internal.gateway.ledger.UsageFigures;
import dev.burst.internal.gateway.ledger.UserRecord;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The gateway's Prometheus metrics ({@code GET /metrics}, for an admin's token): per user, the
 * ledger's core- and GPU-seconds allocated and busy ({@code burst_user_core_seconds_allocated_total{user}},
 * {@code _busy_total}, the GPU pair) and the clusters running ({@code burst_gateway_clusters{user}}).
 * Figures are read from the ledger at each scrape, so they survive restarts as the ledger does.
 * The gateway's own JVM and process are there too (Micrometer's {@code jvm_*}, {@code process_*},
 * {@code system_*}): a gateway that runs out of memory or file descriptors shows it before it falls over.
 */
final class GatewayMetrics implements AutoCloseable {
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    /** Listens to the JVM's GC notifications until closed. */
    private final JvmMetrics jvm;
    private final GatewayDatabase db;
    private final ClusterFleet fleet;
    private final Set<String> registered = ConcurrentHashMap.newKeySet();
    /** The ledger's totals per user as of the last scrape. */
    private volatile Map<String, UsageFigures> totals = Map.of();

    GatewayMetrics(GatewayDatabase db, ClusterFleet fleet) {
        this.db = db;
        this.fleet = fleet;
        Gauge.builder("burst.gateway.clusters.running", () -> fleet.running().size())
                .description("Clusters running on the gateway").register(registry);
        jvm = new JvmMetrics(registry);
    }

    @Override
    public void close() {
        jvm.close();
        registry.close();
    }

    private UsageFigures of(String user) {
        return totals.getOrDefault(user, UsageFigures.ZERO);
    }

    synchronized String scrape() {
        Map<String, UsageFigures> now = new ConcurrentHashMap<>();
        for (UserRecord u : db.accounts().users()) {
            now.put(u.name(), db.usage().since(u.id(), Instant.EPOCH));
            if (registered.add(u.name())) {
                String name = u.name();
                FunctionCounter.builder("burst.user.core.seconds.allocated", this, m -> m.of(name).allocatedCoreSeconds())
                        .tag("user", name).description("Core-seconds allocated to the user's workers").register(registry);
                FunctionCounter.builder("burst.user.core.seconds.busy", this, m -> m.of(name).busyCoreSeconds())
                        .tag("user", name).description("Core-seconds the user's tasks ran").register(registry);
                FunctionCounter.builder("burst.user.gpu.seconds.allocated", this, m -> m.of(name).allocatedGpuSeconds())
                        .tag("user", name).description("GPU-seconds allocated to the user's workers").register(registry);
                FunctionCounter.builder("burst.user.gpu.seconds.busy", this, m -> m.of(name).busyGpuSeconds())
                        .tag("user", name).description("GPU-seconds the user's tasks held GPUs").register(registry);
                Gauge.builder("burst.gateway.clusters", () -> fleet.running().stream()
                                .filter(c -> c.record.user().equals(name)).count())
                        .tag("user", name).description("The user's clusters running now").register(registry);
            }
        }
        totals = now;
        return registry.scrape();
    }
}
