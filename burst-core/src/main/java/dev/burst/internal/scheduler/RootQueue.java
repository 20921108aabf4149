package dev.burst.internal.scheduler;

import dev.burst.internal.core.ResourceAmounts;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Root tasks waiting for room on a worker (root-task queuing), in priority order, grouped by what
 * they ask for. A worker with room takes the best head among the groups it can run, so tasks it
 * cannot run (say, thousands asking for a gpu it lacks) never stand in front of ones it can.
 * There are few distinct requests in practice, so looking at every group's head is cheap.
 */
final class RootQueue {
    private final Comparator<SchedulerTask> order;
    private final Map<ResourceAmounts, TreeSet<SchedulerTask>> byRequest = new LinkedHashMap<>();
    private int size;

    RootQueue(Comparator<SchedulerTask> order) {
        this.order = order;
    }

    void add(SchedulerTask t) {
        if (byRequest.computeIfAbsent(t.spec.resources(), r -> new TreeSet<>(order)).add(t)) {
            size++;
        }
    }

    void remove(SchedulerTask t) {
        TreeSet<SchedulerTask> group = byRequest.get(t.spec.resources());
        if (group != null && group.remove(t)) {
            size--;
            if (group.isEmpty()) {
                byRequest.remove(t.spec.resources());
            }
        }
    }

    /** The best-priority queued task whose request fits in {@code supply}, or null. */
    SchedulerTask bestFitting(ResourceAmounts supply) {
        SchedulerTask best = null;
        for (Map.Entry<ResourceAmounts, TreeSet<SchedulerTask>> e : byRequest.entrySet()) {
            if (e.getKey().fitsIn(supply)) {
                SchedulerTask head = e.getValue().first();
                if (best == null || order.compare(head, best) < 0) {
                    best = head;
                }
            }
        }
        return best;
    }

    /** The distinct requests queued now. */
    List<ResourceAmounts> requests() {
        return new ArrayList<>(byRequest.keySet());
    }

    /** The queued tasks asking for {@code request}, best first (a copy). */
    List<SchedulerTask> asking(ResourceAmounts request) {
        TreeSet<SchedulerTask> group = byRequest.get(request);
        return group == null ? List.of() : new ArrayList<>(group);
    }

    int size() {
        return size;
    }

    boolean isEmpty() {
        return size == 0;
    }
}
