package dev.burst.internal.cluster;

import dev.burst.internal.core.ResourceAmounts;
import dev.burst.internal.core.WorkerId;
import dev.burst.internal.local.InProcessCluster;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The in-process backend: a worker is a pool of threads in this JVM, started in microseconds, so a
 * start is done when {@link #start} returns and never fails for want of a machine.
 */
public final class InProcessWorkers implements ClusterManager {
    private final InProcessCluster cluster;
    private final WorkerShape shape;
    /** Workers this manager started that it has not stopped, with when they were asked for. */
    private final Map<String, Long> started = new ConcurrentHashMap<>();

    public InProcessWorkers(InProcessCluster cluster) {
        this.cluster = cluster;
        ResourceAmounts offered = cluster.workerResources();
        Map<String, Double> extra = new java.util.HashMap<>(offered.amounts());
        extra.remove(ResourceAmounts.CPU);
        this.shape = new WorkerShape(cluster.threadsPerWorker(), Long.MAX_VALUE, ResourceAmounts.of(extra));
    }

    @Override
    public WorkerShape shape() {
        return shape;
    }

    @Override
    public List<String> start(int n) {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < n && !cluster.isClosed(); i++) {
            String name = cluster.nextWorkerName();
            started.put(name, System.nanoTime());
            cluster.addWorker(name);
            names.add(name);
        }
        return names;
    }

    @Override
    public void stop(Collection<String> workers) {
        for (String w : workers) {
            started.remove(w);
            cluster.stopWorker(new WorkerId(w));
        }
    }

    @Override
    public List<ManagedWorker> workers() {
        List<ManagedWorker> out = new ArrayList<>();
        List<WorkerId> live = cluster.workerIds();
        started.keySet().retainAll(live.stream().map(WorkerId::name).toList());
        for (WorkerId id : live) {
            out.add(new ManagedWorker(id.name(), ManagedWorker.State.RUNNING,
                    started.getOrDefault(id.name(), 0L), ""));
        }
        return out;
    }

    /** The cluster stops its own workers when it closes. */
    @Override
    public void close() {
        started.clear();
    }
}
