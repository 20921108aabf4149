package dev.burst.internal.sim;

import dev.burst.internal.core.TaskKey;

/** An invariant of the simulated cluster broke; names the invariant and the task involved. */
final class InvariantViolation extends AssertionError {
    final String invariant;
    final TaskKey key;

    InvariantViolation(String invariant, TaskKey key, String detail) {
        super(invariant + (key == null ? "" : " [" + key + "]") + ": " + detail);
        this.invariant = invariant;
        this.key = key;
    }
}
