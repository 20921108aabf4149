package dev.burst.internal.slurm;

import dev.burst.Cluster;
import dev.burst.slurm.SlurmCluster;
import dev.burst.spi.BackendOptions;
import dev.burst.spi.ClusterBackend;

import java.util.LinkedHashMap;
import java.util.Map;

/** The {@code slurm} backend: one batch job per worker ({@link SlurmCluster}). */
public final class SlurmBackend implements ClusterBackend {
    @Override
    public String name() {
        return "slurm";
    }

    @Override
    public String description() {
        return "one Slurm batch job per worker";
    }

    @Override
    public Map<String, String> settings() {
        Map<String, String> s = new LinkedHashMap<>();
        s.put("partition", "the partition of worker jobs (default: Slurm's)");
        s.put("account", "the account worker jobs are charged to");
        s.put("walltime", "each worker job's --time, HH:MM:SS (default 01:00:00)");
        s.put("scheduler-host", "the address workers connect to (default: this machine's host name)");
        return s;
    }

    @Override
    public Cluster create(BackendOptions options) {
        SlurmCluster.Builder b = SlurmCluster.builder().coresPerWorker(options.shape().threads())
                .memoryPerWorker(String.valueOf(options.shape().memoryBytes())).gpusPerWorker(options.shape().gpus())
                .jobName(options.jobName()).user(options.user()).recordUsage(options.recordUsage())
                .workerSaturation(options.workerSaturation());
        options.setting("partition").ifPresent(b::partition);
        options.setting("account").ifPresent(b::account);
        options.setting("walltime").ifPresent(b::walltime);
        options.setting("scheduler-host").ifPresent(b::schedulerHost);
        options.workerEntrance().ifPresent(b::workerEntrance);
        SlurmCluster c = b.build();
        if (options.workers() > 0) {
            try {
                c.adapt(options.workers(), options.workers());
            } catch (RuntimeException e) {
                c.close();
                throw e;
            }
        }
        return c;
    }
}
