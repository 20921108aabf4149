package dev.burst.internal.sim;

import dev.burst.internal.core.TaskKey;

/** What a simulated task raises; carries the key so a client-side error can be traced to its cause. */
final class SimulatedTaskException extends RuntimeException {
    final TaskKey key;

    SimulatedTaskException(TaskKey key, long attempt, String worker) {
        super("simulated failure of " + key + " (attempt " + attempt + " on " + worker + ")", null, false, false);
        this.key = key;
    }
}
