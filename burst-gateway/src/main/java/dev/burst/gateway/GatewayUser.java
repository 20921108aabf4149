package dev.burst.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;

/**
 * The caller as the gateway knows them ({@link Gateway#me()}): limits, budget and what their running
 * clusters hold now.
 *
 * @param group     the user's group, or null
 * @param clusters  clusters of theirs running now
 * @param workers   workers those clusters have now
 * @param liveUsage the running clusters' usage so far
 */
public record GatewayUser(String name, boolean admin, String group, Limits limits, Budget budget, int clusters, int workers,
                          GatewayUsage.Figures liveUsage) {

    /** The user's limits; a null component is no limit. */
    public record Limits(Integer maxClusters, Integer maxCores, Long maxMemoryBytes, Integer maxGpus, Integer maxWorkersPerCluster,
                         Duration maxLifetime) {
        static Limits of(JsonNode n) {
            return new Limits(integer(n.path("maxClusters")), integer(n.path("maxCores")),
                    n.path("maxMemoryBytes").isNumber() ? n.path("maxMemoryBytes").asLong() : null, integer(n.path("maxGpus")),
                    integer(n.path("maxWorkersPerCluster")),
                    n.path("maxLifetimeSeconds").isNumber() ? Duration.ofSeconds(n.path("maxLifetimeSeconds").asLong()) : null);
        }
    }

    /**
     * The user's budget: a null amount is no budget set (unlimited), not a spent one.
     *
     * @param period the window the budget counts over (e.g. 30 days), or null for all time
     * @param used   what counts against it in that window
     */
    public record Budget(Double coreSeconds, Double coreSecondsLeft, Double gpuSeconds, Double gpuSecondsLeft, Duration period,
                         GatewayUsage.Figures used) {
        /** True when a core- or GPU-second budget is set. */
        public boolean isSet() {
            return coreSeconds != null || gpuSeconds != null;
        }

        static Budget of(JsonNode n) {
            return new Budget(decimal(n.path("coreSeconds")), decimal(n.path("coreSecondsLeft")), decimal(n.path("gpuSeconds")),
                    decimal(n.path("gpuSecondsLeft")),
                    n.path("periodSeconds").isNumber() ? Duration.ofSeconds(n.path("periodSeconds").asLong()) : null,
                    GatewayUsage.Figures.of(n.path("used")));
        }
    }

    static GatewayUser of(JsonNode n) {
        return new GatewayUser(n.path("name").asText(), n.path("admin").asBoolean(), Gateway.text(n.path("group")),
                Limits.of(n.path("limits")), Budget.of(n.path("budget")), n.path("clusters").asInt(), n.path("workers").asInt(),
                GatewayUsage.Figures.of(n.path("liveUsage")));
    }

    private static Integer integer(JsonNode n) {
        return n.isNumber() ? n.asInt() : null;
    }

    private static Double decimal(JsonNode n) {
        return n.isNumber() ? n.asDouble() : null;
    }
}
