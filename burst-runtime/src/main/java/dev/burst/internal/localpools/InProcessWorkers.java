package dev.burst.internal.localpools;

import dev.burst.Resources;
import dev.burst.internal.core.ResourceAmounts;
import dev.burst.internal.core.WorkerId;
import dev.burst.internal.embedded.InProcessCluster;
import dev.burst.spi.PoolWorker;
import dev.burst.spi.Ticker;
import dev.burst.spi.WorkerPool;
import dev.burst.spi.WorkerShape;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The in-process pool: a worker is a pool of threads in this JVM, started in microseconds, so a
 * start is done when {@link #start} returns and never fails for want of a machine. The embedded
 * scheduler reports each worker's start and stop to the cluster's events itself.
 */
public final class InProcessWorkers implements WorkerPool {
    private final InProcessCluster cluster;
    private final WorkerShape shape;
    private final Ticker ticker;
    /** Workers this pool started that it has not stopped, with when they were asked for. */
    private final Map<String, Long> started = new ConcurrentHashMap<>();

    public InProcessWorkers(InProcessCluster cluster, Ticker ticker) {
        this.cluster = cluster;
        this.ticker = ticker;
        this.shape = shapeOf(cluster.threadsPerWorker(), cluster.workerResources());
    }

    /** The shape of workers offering {@code offered} ({@code cpu} = threads), memory unbounded. */
    public static WorkerShape shapeOf(int threads, ResourceAmounts offered) {
        Resources extra = Resources.none();
        for (Map.Entry<String, Double> e : offered.amounts().entrySet()) {
            if (!e.getKey().equals(ResourceAmounts.CPU)) {
                extra = extra.and(e.getKey(), e.getValue());
            }
        }
        return new WorkerShape(threads, Long.MAX_VALUE, extra);
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
            started.put(name, ticker.nanos());
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
    public List<PoolWorker> workers() {
        List<PoolWorker> out = new ArrayList<>();
        List<WorkerId> live = cluster.workerIds();
        started.keySet().retainAll(live.stream().map(WorkerId::name).toList());
        for (WorkerId id : live) {
            out.add(new PoolWorker(id.name(), PoolWorker.State.RUNNING, started.getOrDefault(id.name(), 0L), ""));
        }
        return out;
    }

    /** The cluster stops its own workers when it closes. */
    @Override
    public void close() {
        started.clear();
    }
}
