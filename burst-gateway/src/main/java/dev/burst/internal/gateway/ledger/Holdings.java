package dev.burst.internal.gateway.ledger;

/** What a user's (or a group's) starting and running clusters hold together. */
public record Holdings(int clusters, long cores, long memoryBytes, long gpus) {
    public static final Holdings NONE = new Holdings(0, 0, 0, 0);

    public Holdings plus(ClusterShape s) {
        return new Holdings(clusters + 1, cores + s.cores(), memoryBytes + s.memoryBytes(), gpus + s.gpus());
    }
}
