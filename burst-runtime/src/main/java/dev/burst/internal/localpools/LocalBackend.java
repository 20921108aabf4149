package dev.burst.internal.localpools;

import dev.burst.Cluster;
import dev.burst.LocalCluster;
import dev.burst.spi.BackendOptions;
import dev.burst.spi.ClusterBackend;

import java.util.Map;

/**
 * The {@code local} backend: workers on this machine, threads of this JVM by default, worker JVMs
 * with {@code processes=true} ({@link LocalCluster}).
 */
public final class LocalBackend implements ClusterBackend {
    @Override
    public String name() {
        return "local";
    }

    @Override
    public String description() {
        return "workers on this machine: threads of this JVM, or worker processes";
    }

    @Override
    public Map<String, String> settings() {
        return Map.of("processes", "true: each worker a JVM of its own (default false: threads of this JVM)");
    }

    @Override
    public Cluster create(BackendOptions options) {
        LocalCluster.Builder b = LocalCluster.builder().processes(options.flag("processes", false))
                .workers(options.workers()).threadsPerWorker(options.shape().threads())
                .resources(options.shape().resources()).jobName(options.jobName()).user(options.user())
                .recordUsage(options.recordUsage()).workerSaturation(options.workerSaturation());
        if (options.shape().memoryBytes() != Long.MAX_VALUE) {
            b.memoryPerWorker(String.valueOf(options.shape().memoryBytes()));
        }
        return b.build();
    }
}
