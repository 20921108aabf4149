package dev.burst.internal.gateway.ledger;

/** A cluster to reserve: its unique name, backend, the options as given (JSON), its shape, detached or not. */
public record ClusterRequest(String name, String backend, String optionsJson, ClusterShape shape, boolean detached) {
}
