package dev.burst.internal.kubernetes;

import dev.burst.spi.WorkerShape;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What a worker pod is: the cluster's pod template (the admin's, or an empty one) with a container
 * {@code worker} that runs Burst's worker on the image's JDK, the cluster's labels, the token as a
 * secret volume, cores, memory and GPUs ({@code nvidia.com/gpu}) as requests and limits, and an
 * owner reference to the cluster's own object, so that deleting that object removes every worker.
 */
public final class WorkerPods {
    public static final String CLUSTER_LABEL = "burst.dev/cluster";
    public static final String WORKER_LABEL = "burst.dev/worker";
    public static final String CONTAINER = "worker";
    public static final String TOKEN_DIR = "/var/run/burst";
    public static final String GPU_RESOURCE = "nvidia.com/gpu";
    /** The JVM's own memory beside the results a worker keeps: the pod's limit is the results' plus this. */
    static final long JVM_OVERHEAD_BYTES = 256L << 20;

    /** How the image runs Burst: its {@code java} and the class path of Burst's jars in it. */
    public record Image(String name, String java, String classpath) {
        public static final Image DEFAULT = new Image("burst-worker:0.1.0", "java", "/opt/burst/lib/*");
    }

    private WorkerPods() {
    }

    /** A Kubernetes name from a Burst one: lower case, letters, digits and '-'. */
    public static String kubernetesName(String name) {
        String n = name.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9-]", "-");
        return n.length() > 63 ? n.substring(0, 63) : n;
    }

    static OwnerReference ownedBy(ConfigMap owner) {
        return new OwnerReferenceBuilder().withApiVersion("v1").withKind("ConfigMap").withName(owner.getMetadata().getName())
                .withUid(owner.getMetadata().getUid()).withBlockOwnerDeletion(true).withController(true).build();
    }

    /** The worker pod {@code workerName} of cluster {@code clusterName}. */
    static Pod pod(Pod template, String clusterName, String workerName, String tokenSecret, String schedulerAddress,
                   WorkerShape shape, Image image, Map<String, String> labels, String serviceAccount, ConfigMap owner) {
        PodBuilder b = template == null ? new PodBuilder() : new PodBuilder(template);
        Map<String, String> allLabels = new LinkedHashMap<>(labels);
        allLabels.put(CLUSTER_LABEL, kubernetesName(clusterName));
        allLabels.put(WORKER_LABEL, kubernetesName(workerName));
        List<String> args = new ArrayList<>(List.of("-Xmx" + Math.max(64, shape.memoryBytes() >> 20) + "m",
                "--add-opens=java.base/java.lang.invoke=ALL-UNNAMED", "-cp", image.classpath(),
                "dev.burst.internal.workerprocess.WorkerMain", "--scheduler", schedulerAddress,
                "--token-file", TOKEN_DIR + "/token", "--threads", String.valueOf(shape.threads()),
                "--memory", String.valueOf(shape.memoryBytes()), "--name", workerName, "--host", "$(POD_IP)"));
        String resources = shape.resources().asMap().entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                .reduce((x, y) -> x + "," + y).orElse("");
        if (!resources.isEmpty()) {
            args.addAll(List.of("--resources", resources));
        }
        Map<String, Quantity> limits = new LinkedHashMap<>();
        limits.put("cpu", new Quantity(String.valueOf(shape.threads())));
        limits.put("memory", new Quantity(String.valueOf(shape.memoryBytes() + JVM_OVERHEAD_BYTES)));
        double gpus = shape.resources().asMap().getOrDefault("gpu", 0.0);
        if (gpus > 0) {
            limits.put(GPU_RESOURCE, new Quantity(String.valueOf((long) gpus)));
        }
        Container worker = new ContainerBuilder().withName(CONTAINER).withImage(image.name()).withCommand(image.java())
                .withArgs(args)
                .withEnv(new EnvVarBuilder().withName("POD_IP").withNewValueFrom().withNewFieldRef().withFieldPath("status.podIP")
                        .endFieldRef().endValueFrom().build())
                .withNewResources().withLimits(limits).withRequests(limits).endResources()
                .withVolumeMounts(new VolumeMountBuilder().withName("burst-token").withMountPath(TOKEN_DIR).withReadOnly(true).build())
                .build();
        b.editOrNewMetadata().withName(kubernetesName(workerName)).addToLabels(allLabels)
                .withOwnerReferences(ownedBy(owner)).endMetadata();
        b.editOrNewSpec().withRestartPolicy("Never").addToContainers(worker)
                .addToVolumes(new VolumeBuilder().withName("burst-token").withNewSecret().withSecretName(tokenSecret).endSecret().build())
                .endSpec();
        if (serviceAccount != null) {
            b.editSpec().withServiceAccountName(serviceAccount).endSpec();
        }
        return b.build();
    }
}
