package com.example.toybackend;

import dev.burst.Cluster;
import dev.burst.spi.AdaptiveDefaults;
import dev.burst.spi.BackendCluster;
import dev.burst.spi.BackendOptions;
import dev.burst.spi.ClusterBackend;
import dev.burst.spi.ClusterSpec;
import dev.burst.spi.PoolContext;
import dev.burst.spi.PoolWorker;
import dev.burst.spi.WorkerPool;
import dev.burst.spi.WorkerShape;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A backend written the way a third party would, against the SPI only (no {@code dev.burst.internal}
 * import): each worker is a process started from {@link dev.burst.spi.WorkerLaunch}'s command line,
 * as an ssh or a batch backend would run it elsewhere. Registered for tests in
 * {@code META-INF/services/dev.burst.spi.ClusterBackend}.
 */
public final class ToyBackend implements ClusterBackend {
    /** Every pool made, so tests can see the processes. */
    public static final List<ToyPool> POOLS = new java.util.concurrent.CopyOnWriteArrayList<>();

    @Override
    public String name() {
        return "toy";
    }

    @Override
    public String description() {
        return "a test backend: worker processes started from the SPI's launch command";
    }

    @Override
    public Map<String, String> settings() {
        return Map.of("greeting", "a setting that does nothing");
    }

    @Override
    public Cluster create(BackendOptions options) {
        ClusterSpec spec = ClusterSpec.builder("toy", options.shape(), ToyPool::new)
                .adaptiveDefaults(AdaptiveDefaults.LOCAL).initialWorkers(options.workers())
                .user(options.user()).jobName(options.jobName()).recordUsage(options.recordUsage())
                .build();
        return new BackendCluster(spec);
    }

    /** Workers as child processes; reports each start and end to the cluster. */
    public static final class ToyPool implements WorkerPool {
        private final PoolContext context;
        private final Map<String, Process> processes = new ConcurrentHashMap<>();
        private final Map<String, Long> requested = new ConcurrentHashMap<>();
        private final AtomicInteger numbers = new AtomicInteger();
        public final List<Process> everStarted = new java.util.concurrent.CopyOnWriteArrayList<>();

        ToyPool(PoolContext context) {
            this.context = context;
            POOLS.add(this);
        }

        @Override
        public WorkerShape shape() {
            return context.shape();
        }

        @Override
        public List<String> start(int n) {
            List<String> names = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                String name = context.clusterName() + "-toy-" + numbers.incrementAndGet();
                Path dir = context.workDir().resolve(name);
                try {
                    Process p = new ProcessBuilder(context.launch().command(name, dir))
                            .redirectErrorStream(true).redirectOutput(context.workDir().resolve(name + ".log").toFile()).start();
                    processes.put(name, p);
                    everStarted.add(p);
                    requested.put(name, context.ticker().nanos());
                    context.events().workerRunning(name, context.ticker().nanos());
                    p.onExit().thenRun(() -> {
                        processes.remove(name);
                        context.events().workerStopped(name, context.ticker().nanos());
                    });
                    names.add(name);
                } catch (IOException e) {
                    context.events().startFailed(name, "cannot start a process: " + e.getMessage());
                }
            }
            return names;
        }

        @Override
        public void stop(Collection<String> workers) {
            for (String w : workers) {
                Process p = processes.get(w);
                if (p != null) {
                    p.destroy();
                }
            }
        }

        @Override
        public List<PoolWorker> workers() {
            List<PoolWorker> out = new ArrayList<>();
            processes.forEach((name, p) -> out.add(new PoolWorker(name, PoolWorker.State.RUNNING,
                    requested.getOrDefault(name, 0L), String.valueOf(p.pid()))));
            return out;
        }

        @Override
        public void close() {
            for (Process p : processes.values()) {
                p.destroy();
            }
            for (Process p : everStarted) {
                try {
                    if (!p.waitFor(10, TimeUnit.SECONDS)) {
                        p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    p.destroyForcibly();
                }
            }
        }
    }
}
