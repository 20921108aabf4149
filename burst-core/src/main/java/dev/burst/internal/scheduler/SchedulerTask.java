package dev.burst.internal.scheduler;

import dev.burst.internal.core.ClientId;
import dev.burst.internal.core.TaskError;
import dev.burst.internal.core.WorkerId;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The scheduler's book entry for one task. Mutable, owned by {@link SchedulerState} alone.
 * Sets that most tasks never use are created on first use, to keep a task's footprint small.
 */
final class SchedulerTask {
    /** Priority order, then creation order; written out because it runs on every queue operation. */
    static final java.util.Comparator<SchedulerTask> BY_PRIORITY = (a, b) -> {
        int c = a.spec.priority().compareTo(b.spec.priority());
        return c != 0 ? c : Long.compare(a.seq, b.seq);
    };

    final TaskSpec spec;
    SchedulerTaskState state = SchedulerTaskState.RELEASED;
    final List<SchedulerTask> dependencies;
    /** Live tasks that take this one's result as input. */
    Set<SchedulerTask> dependents;
    /** Dependents not yet done that still need this result. */
    Set<SchedulerTask> waiters;
    /** Dependencies not in memory, while WAITING. */
    Set<SchedulerTask> waitingOn;
    /** Clients that want the result, and whether each has been told the outcome. */
    List<ClientId> wantedBy;
    List<ClientId> reportedTo;
    /** Wanting clients that hold the result themselves (they said so with ResultsReceived). */
    List<ClientId> receivedBy;
    /** Workers holding the result: nearly always one, so a list (no duplicates: see {@link #addHolder}). */
    List<SchedulerWorker> whoHas;
    SchedulerWorker processingOn;
    /** The run sent with the current assignment; reports of other runs are stale. */
    long runId;
    double occupancyShare;
    long nbytes;
    int retriesLeft;
    /** Workers that died while this task was processing on them. */
    List<WorkerId> lostOn;
    TaskError error;
    String stallReason;

    /** Hash of the key, cached: identity hashes are slow to create and these live in many sets. */
    private final int hash;

    /** Creation order: the last tie-breaker between equal priorities. */
    final long seq;
    /** Counted in its prefix's progress already (a recomputed task counts once). */
    boolean finishedOnce;
    boolean erredOnce;
    /** Learned duration and progress of this task's prefix, resolved once. */
    final TaskDurations.Prefix duration;

    SchedulerTask(TaskSpec spec, List<SchedulerTask> dependencies, long seq, TaskDurations.Prefix duration) {
        this.spec = spec;
        this.seq = seq;
        this.duration = duration;
        this.hash = spec.key().hashCode();
        this.dependencies = dependencies;
        this.retriesLeft = spec.retries();
    }

    boolean isRoot() {
        return dependencies.isEmpty();
    }

    boolean needed() {
        return (wantedBy != null && !wantedBy.isEmpty()) || (waiters != null && !waiters.isEmpty());
    }

    /**
     * Every client that wants the result holds it, and no dependent that is not done needs it: the
     * workers' copies serve nobody, so losing the last one costs no recompute.
     */
    boolean heldByClientsOnly() {
        return (waiters == null || waiters.isEmpty()) && wantedBy != null && !wantedBy.isEmpty()
                && receivedBy != null && receivedBy.containsAll(wantedBy);
    }

    Set<SchedulerTask> dependents() {
        if (dependents == null) {
            dependents = new TaskSet();
        }
        return dependents;
    }

    Set<SchedulerTask> waiters() {
        if (waiters == null) {
            waiters = new TaskSet();
        }
        return waiters;
    }

    Set<SchedulerTask> waitingOn() {
        if (waitingOn == null) {
            waitingOn = new TaskSet();
        }
        return waitingOn;
    }

    List<SchedulerWorker> whoHas() {
        if (whoHas == null) {
            whoHas = new ArrayList<>(1);
        }
        return whoHas;
    }

    void addHolder(SchedulerWorker w) {
        List<SchedulerWorker> holders = whoHas();
        if (!holders.contains(w)) {
            holders.add(w);
        }
    }

    void addWant(ClientId client) {
        wantedBy = with(wantedBy, client);
    }

    void addReceipt(ClientId client) {
        receivedBy = with(receivedBy, client);
    }

    /** {@code client} no longer wants the result: forget that it was told and that it holds it. */
    void dropWant(ClientId client) {
        wantedBy = without(wantedBy, client);
        reportedTo = without(reportedTo, client);
        receivedBy = without(receivedBy, client);
        if (receivedBy != null && receivedBy.isEmpty()) {
            receivedBy = null;
        }
    }

    /** Marks {@code client} as told; false if it had been told already. */
    boolean markReported(ClientId client) {
        if (reportedTo != null && reportedTo.contains(client)) {
            return false;
        }
        reportedTo = with(reportedTo, client);
        return true;
    }

    /*
     * The client lists are immutable and replaced on change: nearly always one client, and
     * List.of(one) costs 24 bytes where an ArrayList costs 48. Changes are rare (a want, a report).
     */
    private static List<ClientId> with(List<ClientId> list, ClientId c) {
        if (list == null || list.isEmpty()) {
            return List.of(c);
        }
        if (list.contains(c)) {
            return list;
        }
        List<ClientId> grown = new ArrayList<>(list.size() + 1);
        grown.addAll(list);
        grown.add(c);
        return List.copyOf(grown);
    }

    private static List<ClientId> without(List<ClientId> list, ClientId c) {
        if (list == null || !list.contains(c)) {
            return list;
        }
        List<ClientId> rest = new ArrayList<>(list);
        rest.remove(c);
        return List.copyOf(rest);
    }

    @Override
    public int hashCode() {
        return hash;
    }

    @Override
    public boolean equals(Object o) {
        return this == o; // one entry per key; identity is equality
    }

    @Override
    public String toString() {
        return spec.key() + "[" + state + "]";
    }
}
