package dev.burst.internal.adaptive;

/** A worker asked for and not connected yet: counted toward the size so it is not asked for twice. */
public record PendingWorker(String name, long requestedAtNanos) {
}
