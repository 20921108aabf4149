package dev.burst.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;

/**
 * A user's usage as the gateway's ledger has it ({@link Gateway#usage(int)}): in total, per cluster
 * and per day (UTC) since {@code since}.
 */
public record GatewayUsage(String user, Instant since, Figures total, List<Cluster> clusters, List<Day> days) {
    public GatewayUsage {
        clusters = List.copyOf(clusters);
        days = List.copyOf(days);
    }

    /**
     * Core- and GPU-seconds, allocated (workers alive × their cores) and busy (tasks running), and tasks.
     *
     * @param efficiency busy ÷ allocated core-seconds (0 when nothing was allocated)
     */
    public record Figures(double allocatedCoreSeconds, double busyCoreSeconds, double allocatedGpuSeconds,
                          double busyGpuSeconds, long tasks, double efficiency) {
        public static final Figures ZERO = new Figures(0, 0, 0, 0, 0, 0);

        static Figures of(JsonNode n) {
            return new Figures(n.path("allocatedCoreSeconds").asDouble(), n.path("busyCoreSeconds").asDouble(),
                    n.path("allocatedGpuSeconds").asDouble(), n.path("busyGpuSeconds").asDouble(), n.path("tasks").asLong(),
                    n.path("efficiency").asDouble());
        }
    }

    /**
     * One cluster's usage.
     *
     * @param stoppedAt  null while it runs
     * @param stopReason why it stopped ({@code idle}, {@code user}, {@code budget}, ...), or null
     */
    public record Cluster(String name, String state, Instant createdAt, Instant stoppedAt, String stopReason, Figures usage) {
    }

    /** One day's usage (UTC). */
    public record Day(LocalDate day, Figures usage) {
    }

    static GatewayUsage of(JsonNode n) {
        List<Cluster> clusters = new ArrayList<>();
        for (JsonNode c : n.path("clusters")) {
            clusters.add(new Cluster(c.path("name").asText(), c.path("state").asText(), Gateway.instant(c.path("createdAt")),
                    Gateway.instant(c.path("stoppedAt")), Gateway.text(c.path("stopReason")), Figures.of(c.path("usage"))));
        }
        List<Day> days = new ArrayList<>();
        for (JsonNode d : n.path("days")) {
            days.add(new Day(LocalDate.parse(d.path("day").asText()), Figures.of(d.path("usage"))));
        }
        return new GatewayUsage(n.path("user").asText(), Gateway.instant(n.path("since")), Figures.of(n.path("total")), clusters, days);
    }
}
