package dev.burst.spi;

import dev.burst.Resources;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What a caller asks of a backend's cluster: the worker shape, the ambient inputs (user, job), and
 * backend settings by name ({@code partition=debug} for Slurm, {@code processes=true} locally).
 */
public final class BackendOptions {
    private final int workers;
    private final WorkerShape shape;
    private final String user;
    private final String jobName;
    private final boolean recordUsage;
    private final double workerSaturation;
    private final Map<String, String> settings;
    private final WorkerEntrance workerEntrance;

    private BackendOptions(Builder b) {
        this.workerEntrance = b.workerEntrance;
        this.workers = b.workers;
        this.shape = new WorkerShape(b.threads, b.memoryBytes, b.gpus > 0 ? Resources.of("gpu", b.gpus) : Resources.none());
        this.user = b.user;
        this.jobName = b.jobName;
        this.recordUsage = b.recordUsage;
        this.workerSaturation = b.workerSaturation;
        this.settings = Map.copyOf(b.settings);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Workers to start with (default 0: the caller adapts). */
    public int workers() { return workers; }
    public WorkerShape shape() { return shape; }
    public String user() { return user; }
    public String jobName() { return jobName; }
    public boolean recordUsage() { return recordUsage; }
    public double workerSaturation() { return workerSaturation; }
    /**
     * Where workers connect when the scheduler is behind a gateway, or empty to connect to it
     * directly. Backends whose workers run on this machine may ignore it (they reach loopback).
     */
    public Optional<WorkerEntrance> workerEntrance() { return Optional.ofNullable(workerEntrance); }
    /** Every backend setting given. */
    public Map<String, String> settings() { return settings; }

    /** A backend setting, if given. */
    public Optional<String> setting(String name) {
        return Optional.ofNullable(settings.get(name));
    }

    /** A yes/no backend setting: {@code true} or {@code false}, {@code otherwise} when not given. */
    public boolean flag(String name, boolean otherwise) {
        String v = settings.get(name);
        if (v == null) {
            return otherwise;
        }
        return switch (v.strip().toLowerCase(java.util.Locale.ROOT)) {
            case "true", "yes", "1" -> true;
            case "false", "no", "0" -> false;
            default -> throw new IllegalArgumentException("setting " + name + " must be true or false, got '" + v + "'");
        };
    }

    @Override
    public String toString() {
        return "BackendOptions{workers=" + workers + ", " + shape + ", user=" + user + ", job=" + jobName + ", settings=" + settings + "}";
    }

    /** Builds {@link BackendOptions}; each setter rejects a bad value at once, naming it. */
    public static final class Builder {
        private int workers;
        private int threads = 1;
        private long memoryBytes = 2L << 30;
        private int gpus;
        private String user = System.getProperty("user.name", "unknown");
        private String jobName = "session";
        private boolean recordUsage = true;
        private double workerSaturation = 1.1;
        private final Map<String, String> settings = new LinkedHashMap<>();
        private WorkerEntrance workerEntrance;

        private Builder() {
        }

        /** Workers connect through this gateway entrance, not to the scheduler directly. */
        public Builder workerEntrance(WorkerEntrance entrance) {
            this.workerEntrance = Objects.requireNonNull(entrance, "workerEntrance must not be null");
            return this;
        }

        public Builder workers(int n) {
            if (n < 0) {
                throw new IllegalArgumentException("workers must be >= 0, got " + n);
            }
            this.workers = n;
            return this;
        }

        /** Executor threads (cores) of each worker; default 1. */
        public Builder threadsPerWorker(int n) {
            if (n < 1) {
                throw new IllegalArgumentException("threadsPerWorker must be >= 1, got " + n);
            }
            this.threads = n;
            return this;
        }

        /** Memory for each worker's results, like {@code "2g"}; default 2g. */
        public Builder memoryPerWorker(String size) {
            this.memoryBytes = dev.burst.internal.resources.MemorySize.parse(size, "memoryPerWorker");
            return this;
        }

        /** GPUs of each worker; default 0. */
        public Builder gpusPerWorker(int n) {
            if (n < 0) {
                throw new IllegalArgumentException("gpusPerWorker must be >= 0, got " + n);
            }
            this.gpus = n;
            return this;
        }

        /** Who the cluster belongs to; default the OS user. */
        public Builder user(String user) {
            this.user = ClusterSpec.checkedLabel(user, "user");
            return this;
        }

        /** The job its usage is accounted to; default {@code "session"}. */
        public Builder jobName(String job) {
            this.jobName = ClusterSpec.checkedLabel(job, "jobName");
            return this;
        }

        public Builder recordUsage(boolean record) {
            this.recordUsage = record;
            return this;
        }

        /** Root-task queuing (Dask's {@code worker-saturation}); default 1.1. */
        public Builder workerSaturation(double saturation) {
            this.workerSaturation = ClusterSpec.checkedSaturation(saturation);
            return this;
        }

        /** A backend setting ({@code partition}, {@code processes}, ...); its backend checks the value. */
        public Builder setting(String name, String value) {
            Objects.requireNonNull(value, "the value of setting " + name + " must not be null");
            if (name == null || !name.matches("[a-z][a-z0-9-]*")) {
                throw new IllegalArgumentException("a setting name is lower-case letters, digits and '-', got '" + name + "'");
            }
            settings.put(name, value);
            return this;
        }

        public BackendOptions build() {
            return new BackendOptions(this);
        }
    }
}
