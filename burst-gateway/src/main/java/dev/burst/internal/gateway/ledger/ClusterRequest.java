package dev.burst.internal.gateway.ledger;

/**
 * A cluster to reserve: its unique name, backend, the options as given (JSON), its shape, detached or
 * not, and the fewest workers it accepts when limits bind.
 *
 * @param fewestWorkers the reservation may shrink {@code shape}'s maximum down to this many workers
 *                      (an adaptive request's maximum is clamped to what fits, as a scale is); a fixed
 *                      size accepts nothing less than its count
 */
public record ClusterRequest(String name, String backend, String optionsJson, ClusterShape shape, boolean detached,
                             int fewestWorkers) {
    public ClusterRequest {
        if (fewestWorkers < 0 || fewestWorkers > shape.maxWorkers()) {
            throw new IllegalArgumentException("fewestWorkers " + fewestWorkers + " outside 0.." + shape.maxWorkers());
        }
    }

    /** A request for exactly {@code shape}: refused unless all of its workers fit. */
    public static ClusterRequest exactly(String name, String backend, String optionsJson, ClusterShape shape, boolean detached) {
        return new ClusterRequest(name, backend, optionsJson, shape, detached, shape.maxWorkers());
    }
}
