package dev.burst.kubernetes;

import dev.burst.Resources;
import dev.burst.internal.kubernetes.KubernetesSettings;
import dev.burst.internal.kubernetes.KubernetesWorkers;
import dev.burst.internal.kubernetes.WorkerPods;
import dev.burst.internal.resources.MemorySize;
import dev.burst.spi.AdaptiveDefaults;
import dev.burst.spi.BackendCluster;
import dev.burst.spi.ClusterSpec;
import dev.burst.spi.WorkerShape;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A cluster whose workers are Kubernetes pods: a scheduler in this JVM (or in the gateway's cluster
 * process) and one pod per worker, started and deleted by {@link #adapt(int, int)} as work comes
 * and goes. Every pod is owned by a ConfigMap named after the cluster, so deleting it removes every
 * worker even if this JVM died; {@link #close()} deletes the pods and waits until they are gone.
 * GPUs are {@code nvidia.com/gpu} limits.
 *
 * <pre>{@code
 * try (KubernetesCluster cluster = KubernetesCluster.builder().namespace("science").image("registry/burst-worker:0.1.0")
 *          .coresPerWorker(4).memoryPerWorker("8g").schedulerHost("10.0.0.5").build();
 *      Client client = Client.connect(cluster)) {
 *     cluster.adapt(0, 50);
 *     client.gather(client.map(Work::simulate, inputs));
 * }
 * }</pre>
 */
public final class KubernetesCluster extends BackendCluster {
    private final KubernetesClient client;
    private final boolean ownsClient;

    private KubernetesCluster(Builder b, KubernetesClient client) {
        super(spec(b, client));
        this.client = client;
        this.ownsClient = b.client == null;
    }

    private static ClusterSpec spec(Builder b, KubernetesClient client) {
        WorkerShape shape = new WorkerShape(b.coresPerWorker, b.memoryPerWorker,
                b.gpusPerWorker > 0 ? Resources.of("gpu", b.gpusPerWorker) : Resources.none());
        KubernetesSettings settings = new KubernetesSettings(b.namespace, new WorkerPods.Image(b.image, b.imageJava, b.imageClasspath),
                b.podTemplate, b.labels, b.serviceAccount, b.schedulerHost);
        return ClusterSpec.builder("kubernetes", shape, context -> new KubernetesWorkers(client, settings, context))
                .description("a Kubernetes cluster").adaptiveDefaults(AdaptiveDefaults.BATCH)
                .schedulerHost(b.bindHost).user(b.user).jobName(b.jobName).recordUsage(b.recordUsage)
                .workerEntrance(b.workerEntrance).build();
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public void close() {
        try {
            super.close();
        } finally {
            if (ownsClient) {
                client.close();
            }
        }
    }

    /** Builds a {@link KubernetesCluster}; each setter rejects a bad value at once, naming it. */
    public static final class Builder {
        private KubernetesClient client;
        private String namespace = "default";
        private String image = WorkerPods.Image.DEFAULT.name();
        private String imageJava = WorkerPods.Image.DEFAULT.java();
        private String imageClasspath = WorkerPods.Image.DEFAULT.classpath();
        private Pod podTemplate;
        private int coresPerWorker = 1;
        private long memoryPerWorker = 2L << 30;
        private int gpusPerWorker;
        private String serviceAccount;
        private final Map<String, String> labels = new LinkedHashMap<>();
        private String bindHost = "0.0.0.0";
        private String schedulerHost;
        private String user = System.getProperty("user.name", "unknown");
        private String jobName = "session";
        private boolean recordUsage = true;
        private dev.burst.spi.WorkerEntrance workerEntrance;

        private Builder() {
        }

        /** The API server to use; default the one kubeconfig or the pod's service account names. */
        public Builder client(KubernetesClient client) {
            this.client = Objects.requireNonNull(client, "client must not be null");
            return this;
        }

        public Builder namespace(String namespace) {
            this.namespace = nonBlank(namespace, "namespace");
            return this;
        }

        /** The worker image: Burst's jars and a JDK 21 or newer (see {@code kubernetes/worker.Dockerfile}). */
        public Builder image(String image) {
            this.image = nonBlank(image, "image");
            return this;
        }

        /** How the image runs Burst: its {@code java} and the class path of Burst's jars in it. */
        public Builder imageLayout(String javaCommand, String classpath) {
            this.imageJava = nonBlank(javaCommand, "javaCommand");
            this.imageClasspath = nonBlank(classpath, "classpath");
            return this;
        }

        /** A pod to start from (node selectors, tolerations, volumes); Burst adds its container {@code worker}. */
        public Builder podTemplate(Pod template) {
            this.podTemplate = Objects.requireNonNull(template, "template must not be null");
            return this;
        }

        /** A pod template from a YAML file. */
        public Builder podTemplate(Path yaml) {
            try (InputStream in = Files.newInputStream(yaml)) {
                this.podTemplate = io.fabric8.kubernetes.client.utils.Serialization.unmarshal(in, Pod.class);
            } catch (IOException | RuntimeException e) {
                throw new IllegalArgumentException("cannot read the pod template " + yaml + ": " + e.getMessage(), e);
            }
            return this;
        }

        public Builder coresPerWorker(int n) {
            if (n < 1) {
                throw new IllegalArgumentException("coresPerWorker must be >= 1, got " + n);
            }
            this.coresPerWorker = n;
            return this;
        }

        public Builder memoryPerWorker(String size) {
            this.memoryPerWorker = MemorySize.parse(size, "memoryPerWorker");
            return this;
        }

        /** GPUs per worker, as {@code nvidia.com/gpu} limits. */
        public Builder gpusPerWorker(int n) {
            if (n < 0) {
                throw new IllegalArgumentException("gpusPerWorker must be >= 0, got " + n);
            }
            this.gpusPerWorker = n;
            return this;
        }

        public Builder serviceAccount(String name) {
            this.serviceAccount = nonBlank(name, "serviceAccount");
            return this;
        }

        public Builder label(String key, String value) {
            labels.put(nonBlank(key, "label key"), Objects.requireNonNull(value, "label value"));
            return this;
        }

        /** The address the scheduler binds; default every interface (pods must reach it). */
        public Builder bindHost(String host) {
            this.bindHost = nonBlank(host, "bindHost");
            return this;
        }

        /** The host workers in pods reach the scheduler at (this machine's address on the pods' network). */
        public Builder schedulerHost(String host) {
            this.schedulerHost = nonBlank(host, "schedulerHost");
            return this;
        }

        /** Workers reach the scheduler through a gateway's one port (a gateway's Kubernetes clusters). */
        public Builder workerEntrance(dev.burst.spi.WorkerEntrance entrance) {
            this.workerEntrance = Objects.requireNonNull(entrance, "workerEntrance must not be null");
            return this;
        }

        public Builder user(String user) {
            this.user = nonBlank(user, "user");
            return this;
        }

        public Builder jobName(String job) {
            this.jobName = nonBlank(job, "jobName");
            return this;
        }

        public Builder recordUsage(boolean record) {
            this.recordUsage = record;
            return this;
        }

        public KubernetesCluster build() {
            KubernetesClient c = client != null ? client : new KubernetesClientBuilder().build();
            try {
                return new KubernetesCluster(this, c);
            } catch (RuntimeException e) {
                if (client == null) {
                    c.close();
                }
                throw e;
            }
        }

        private static String nonBlank(String s, String what) {
            if (s == null || s.isBlank()) {
                throw new IllegalArgumentException(what + " must not be blank");
            }
            return s;
        }
    }
}
