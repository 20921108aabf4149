package dev.burst.gateway;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * What to ask of a new gateway cluster: a fixed number of workers or adaptive bounds, each
 * worker's cores, memory and GPUs, whether it outlives its client, and backend options (as
 * {@code GET /api/v1/options} lists them). Unset fields take the gateway's defaults.
 *
 * <pre>{@code
 * ClusterOptions.builder().adapt(0, 8).threads(4).memory("8g").build()
 * }</pre>
 */
public final class ClusterOptions {
    private final Map<String, Object> body;

    private ClusterOptions(Map<String, Object> body) {
        this.body = Map.copyOf(body);
    }

    /** The gateway's defaults (adaptive, 0 to its default maximum). */
    public static ClusterOptions defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The request body this stands for. */
    Map<String, Object> body() {
        return body;
    }

    @Override
    public String toString() {
        return body.toString();
    }

    public static final class Builder {
        private final Map<String, Object> body = new LinkedHashMap<>();
        private final Map<String, String> options = new LinkedHashMap<>();

        private Builder() {
        }

        /** Exactly {@code n} workers (replaces {@link #adapt}). */
        public Builder workers(int n) {
            if (n < 0) {
                throw new IllegalArgumentException("workers must be 0 or more, got " + n);
            }
            body.remove("adapt");
            body.put("workers", n);
            return this;
        }

        /** Workers come and go with the work, between {@code minimum} and {@code maximum} (replaces {@link #workers}). */
        public Builder adapt(int minimum, int maximum) {
            if (minimum < 0 || maximum < 1 || maximum < minimum) {
                throw new IllegalArgumentException("adapt needs 0 <= minimum <= maximum and maximum >= 1, got " + minimum + ", " + maximum);
            }
            body.remove("workers");
            body.put("adapt", Map.of("minimum", minimum, "maximum", maximum));
            return this;
        }

        /** Cores (executor threads) per worker. */
        public Builder threads(int n) {
            if (n < 1) {
                throw new IllegalArgumentException("threads must be 1 or more, got " + n);
            }
            body.put("threads", n);
            return this;
        }

        /** Memory per worker, e.g. {@code "4g"}. */
        public Builder memory(String size) {
            body.put("memory", Objects.requireNonNull(size, "size"));
            return this;
        }

        public Builder gpus(int n) {
            if (n < 0) {
                throw new IllegalArgumentException("gpus must be 0 or more, got " + n);
            }
            body.put("gpus", n);
            return this;
        }

        /** True: the cluster outlives its client (closing the {@link GatewayCluster} leaves it running; idle and lifetime limits still apply). */
        public Builder detached(boolean detached) {
            body.put("detached", detached);
            return this;
        }

        /** A backend option, e.g. {@code option("partition", "gpu")} on Slurm. */
        public Builder option(String name, String value) {
            options.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
            return this;
        }

        public ClusterOptions build() {
            Map<String, Object> b = new LinkedHashMap<>(body);
            if (!options.isEmpty()) {
                b.put("options", Map.copyOf(options));
            }
            return new ClusterOptions(b);
        }
    }
}
