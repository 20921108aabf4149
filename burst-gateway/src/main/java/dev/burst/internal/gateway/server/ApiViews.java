package dev.burst.internal.gateway.server;

import dev.burst.internal.gateway.clusterprocess.ControlStatus;
import dev.burst.internal.gateway.ledger.Budget;
import dev.burst.internal.gateway.ledger.ClusterRecord;
import dev.burst.internal.gateway.ledger.Limits;
import dev.burst.internal.gateway.ledger.TokenRecord;
import dev.burst.internal.gateway.ledger.UsageFigures;
import dev.burst.internal.gateway.ledger.UserRecord;
import dev.burst.internal.gateway.reclaim.ReclaimTimeouts;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/** The JSON shapes of the REST API (maps in a fixed key order; nulls left out). */
final class ApiViews {
    private ApiViews() {
    }

    static Map<String, Object> cluster(ClusterRecord r, LiveCluster live) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", r.name());
        m.put("user", r.user());
        m.put("state", r.state().name().toLowerCase(java.util.Locale.ROOT));
        m.put("backend", r.backend());
        put(m, "createdAt", r.createdAt());
        put(m, "startedAt", r.startedAt());
        put(m, "stoppedAt", r.stoppedAt());
        if (r.stopReason() != null) {
            m.put("stopReason", r.stopReason().label());
        }
        put(m, "stopDetail", r.stopDetail());
        if (live != null && live.windDown != null) {
            m.put("windDown", live.windDown); // takes no new work: why
        }
        ControlStatus now = live == null ? null : live.lastStatus;
        if (now != null) {
            var o = live.activity.observation(now.working(), r.detached());
            if (!now.working()) {
                m.put("idleSince", o.lastActivity().toString());
            }
            dev.burst.internal.gateway.reclaim.ReclaimPolicy.next(o, live.timeouts).ifPresent(next -> {
                m.put("reclaimAt", next.at().toString());
                m.put("reclaimReason", next.reason().label());
            });
            if (now.dashboardUrl() != null) {
                m.put("dashboard", "/clusters/" + r.name() + "/");
            }
        }
        m.put("detached", r.detached());
        Map<String, Object> workers = new LinkedHashMap<>();
        workers.put("max", r.shape().maxWorkers());
        workers.put("threads", r.shape().coresPerWorker());
        workers.put("memoryBytes", r.shape().memoryPerWorker());
        workers.put("gpus", r.shape().gpusPerWorker());
        ControlStatus s = live == null ? null : live.lastStatus;
        if (s != null) {
            workers.put("connected", s.workers().size());
        }
        m.put("workers", workers);
        if (s != null) {
            Map<String, Object> tasks = new LinkedHashMap<>();
            tasks.put("pending", s.pending());
            tasks.put("processing", s.processing());
            tasks.put("inMemory", s.inMemory());
            tasks.put("submitted", s.submitted());
            tasks.put("finished", s.finished());
            m.put("tasks", tasks);
            m.put("clients", s.clients());
            m.put("usage", usage(LiveCluster.usageOf(s)));
        } else {
            m.put("usage", usage(r.usage()));
        }
        return m;
    }

    /**
     * When a new cluster is reclaimed, from the timeouts it runs under: a cluster made over REST has
     * no client yet, and one that is not detached goes after the no-client timeout unless a client
     * connects (a notebook's or a script's {@code Client.connect}).
     */
    static Map<String, Object> reclaim(boolean detached, ReclaimTimeouts t) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("detached", detached);
        Long noClient = detached || t.noClient() == null ? null : t.noClient().toSeconds();
        put(m, "afterSecondsWithoutClient", noClient);
        put(m, "afterSecondsIdle", t.idle() == null ? null : t.idle().toSeconds());
        put(m, "maxLifetimeSeconds", t.maxLifetime() == null ? null : t.maxLifetime().toSeconds());
        StringBuilder notice = new StringBuilder();
        if (noClient != null) {
            notice.append("this cluster is stopped once it has been without a connected client for ").append(noClient)
                    .append(" s (the clock runs from now until a client connects); create it with \"detached\": true to keep it ")
                    .append("without one");
        } else {
            notice.append(detached ? "detached: this cluster outlives its clients" : "this gateway keeps clusters without a client");
        }
        if (t.idle() != null) {
            notice.append("; with no tasks for ").append(t.idle().toSeconds()).append(" s it is stopped either way");
        }
        if (t.maxLifetime() != null) {
            notice.append("; it lives at most ").append(t.maxLifetime().toSeconds()).append(" s");
        }
        m.put("notice", notice.toString());
        return m;
    }

    static Map<String, Object> usage(UsageFigures u) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("allocatedCoreSeconds", round(u.allocatedCoreSeconds()));
        m.put("busyCoreSeconds", round(u.busyCoreSeconds()));
        m.put("allocatedGpuSeconds", round(u.allocatedGpuSeconds()));
        m.put("busyGpuSeconds", round(u.busyGpuSeconds()));
        m.put("tasks", u.tasks());
        m.put("efficiency", round(u.efficiency()));
        return m;
    }

    static Map<String, Object> limits(Limits l) {
        Map<String, Object> m = new LinkedHashMap<>();
        put(m, "maxClusters", l.maxClusters());
        put(m, "maxCores", l.maxCores());
        put(m, "maxMemoryBytes", l.maxMemoryBytes());
        put(m, "maxGpus", l.maxGpus());
        put(m, "maxWorkersPerCluster", l.maxWorkersPerCluster());
        if (l.maxLifetime() != null) {
            m.put("maxLifetimeSeconds", l.maxLifetime().toSeconds());
        }
        return m;
    }

    static Map<String, Object> budget(Budget b, UsageFigures used) {
        Map<String, Object> m = new LinkedHashMap<>();
        if (b.period() != null) {
            m.put("periodSeconds", b.period().toSeconds());
        }
        if (b.coreSeconds() != null) {
            m.put("coreSeconds", b.coreSeconds());
            m.put("coreSecondsLeft", round(Math.max(0, b.coreSeconds() - used.allocatedCoreSeconds())));
        }
        if (b.gpuSeconds() != null) {
            m.put("gpuSeconds", b.gpuSeconds());
            m.put("gpuSecondsLeft", round(Math.max(0, b.gpuSeconds() - used.allocatedGpuSeconds())));
        }
        m.put("used", usage(used));
        return m;
    }

    static Map<String, Object> user(UserRecord u) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", u.name());
        m.put("admin", u.admin());
        put(m, "group", u.groupName());
        m.put("limits", limits(u.limits()));
        if (u.budget().coreSeconds() != null) {
            m.put("budgetCoreSeconds", u.budget().coreSeconds());
        }
        put(m, "createdAt", u.createdAt());
        put(m, "removedAt", u.removedAt());
        return m;
    }

    static Map<String, Object> token(TokenRecord t) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", t.id());
        m.put("label", t.label());
        put(m, "createdAt", t.createdAt());
        put(m, "expiresAt", t.expiresAt());
        put(m, "lastUsedAt", t.lastUsedAt());
        put(m, "revokedAt", t.revokedAt());
        return m;
    }

    private static void put(Map<String, Object> m, String key, Object value) {
        if (value != null) {
            m.put(key, value instanceof Instant i ? i.toString() : value);
        }
    }

    static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }
}
