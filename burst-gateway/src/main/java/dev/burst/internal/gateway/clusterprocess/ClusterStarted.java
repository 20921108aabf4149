package dev.burst.internal.gateway.clusterprocess;

/**
 * A cluster process's answer to {@code POST /start}: where its scheduler listens and the
 * cluster's token file (token and certificate pin) that clients need.
 */
public record ClusterStarted(String schedulerAddress, String tokenFile) {
}
