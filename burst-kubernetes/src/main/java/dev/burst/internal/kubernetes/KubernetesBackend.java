package dev.burst.internal.kubernetes;

import dev.burst.Cluster;
import dev.burst.kubernetes.KubernetesCluster;
import dev.burst.spi.BackendOptions;
import dev.burst.spi.ClusterBackend;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** The {@code kubernetes} backend: {@code burst map --cluster kubernetes --option image=...}, and a gateway's. */
public final class KubernetesBackend implements ClusterBackend {
    @Override
    public String name() {
        return "kubernetes";
    }

    @Override
    public String description() {
        return "a pod per worker in a Kubernetes namespace, owned by the cluster (kubeconfig or the pod's service account)";
    }

    @Override
    public Map<String, String> settings() {
        Map<String, String> s = new LinkedHashMap<>();
        s.put("namespace", "the namespace of the worker pods (default: default)");
        s.put("image", "the worker image, with Burst's jars and a JDK >= 21 (default: burst-worker:0.1.0)");
        s.put("pod-template", "a YAML file with a pod to start from (node selectors, tolerations, volumes)");
        s.put("service-account", "the worker pods' service account");
        s.put("scheduler-host", "the address pods reach the scheduler at (this machine's on the pods' network)");
        return s;
    }

    @Override
    public Cluster create(BackendOptions options) {
        KubernetesCluster.Builder b = KubernetesCluster.builder().coresPerWorker(options.shape().threads())
                .memoryPerWorker(String.valueOf(options.shape().memoryBytes())).gpusPerWorker(options.shape().gpus())
                .user(options.user()).jobName(options.jobName()).recordUsage(options.recordUsage());
        options.setting("namespace").ifPresent(b::namespace);
        options.setting("image").ifPresent(b::image);
        options.setting("pod-template").ifPresent(f -> b.podTemplate(Path.of(f)));
        options.setting("service-account").ifPresent(b::serviceAccount);
        options.setting("scheduler-host").ifPresent(b::schedulerHost);
        options.workerEntrance().ifPresent(b::workerEntrance);
        KubernetesCluster c = b.build();
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
