package dev.burst.internal.scheduler;

import dev.burst.internal.core.ResourceAmounts;
import dev.burst.internal.core.WorkerId;

import java.util.LinkedHashSet;
import java.util.SequencedSet;
import java.util.Set;

/** The scheduler's book entry for one worker. Mutable, owned by {@link SchedulerState} alone. */
final class SchedulerWorker {
    final WorkerId id;
    final ResourceAmounts resources;
    final int threads;
    /** Tasks assigned here and not done, oldest first. */
    final SequencedSet<SchedulerTask> processing = new LinkedHashSet<>();
    final Set<SchedulerTask> hasWhat = new LinkedHashSet<>();
    /** Expected nanoseconds of work assigned and not finished. */
    double occupancy;
    long storedBytes;
    /** Being retired: takes no new tasks (see {@link Retirement}). */
    boolean retiring;

    SchedulerWorker(WorkerId id, ResourceAmounts resources) {
        this.id = id;
        this.resources = resources;
        this.threads = Math.max(1, (int) Math.floor(resources.get(ResourceAmounts.CPU)));
    }

    @Override
    public int hashCode() {
        return id.hashCode();
    }

    @Override
    public boolean equals(Object o) {
        return this == o; // one entry per worker id; identity is equality
    }

    @Override
    public String toString() {
        return id.name();
    }
}
