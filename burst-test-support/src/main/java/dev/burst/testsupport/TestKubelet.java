package dev.burst.testsupport;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A kubelet for tests against fabric8's mock API server (which stores objects and sends watch
 * events, and does nothing else): it runs each new pod's worker container as a real local JVM (the
 * image's {@code java} and Burst's class path mapped to this JDK and this build's jars, the token
 * secret to a file, {@code $(POD_IP)} to 127.0.0.1), writes the pod's status (Running, then
 * Succeeded or Failed with the exit code), stops the process when the pod is deleted, leaves pods
 * asking for more {@code nvidia.com/gpu} than its node has Pending and Unschedulable, and deletes
 * the pods owned by a ConfigMap that is deleted (the garbage collector's cascade), and so also a pod
 * created later that names a deleted owner (a replacement the cluster asked for meanwhile: a real
 * garbage collector removes it too, since its owner does not exist).
 *
 * <p>What it does not cover: scheduling and fit beyond GPUs, images, networking between pods and
 * the client, RBAC, resource limits, and a real garbage collector's timing.
 */
public final class TestKubelet implements AutoCloseable {
    /** The device plugin's resource name for NVIDIA GPUs. */
    public static final String GPU_RESOURCE = "nvidia.com/gpu";
    private final KubernetesClient client;
    private final String namespace;
    private final int nodeGpus;
    private final Path dir;
    private final String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    private final String classpath = System.getProperty("java.class.path");
    private final Map<String, Process> processes = new ConcurrentHashMap<>();
    private final List<Watch> watches = new ArrayList<>();
    /** UIDs of owners deleted so far: their pods are deleted, not run. */
    private final java.util.Set<String> deletedOwners = ConcurrentHashMap.newKeySet();

    public TestKubelet(KubernetesClient client, String namespace, int nodeGpus, Path dir) {
        this.client = client;
        this.namespace = namespace;
        this.nodeGpus = nodeGpus;
        this.dir = dir;
        watches.add(client.pods().inNamespace(namespace).watch(new Watcher<>() {
            @Override
            public void eventReceived(Action action, Pod pod) {
                switch (action) {
                    case ADDED -> {
                        if (ownerDeleted(pod)) {
                            client.pods().inNamespace(namespace).resource(pod).delete(); // the collector's cascade, late
                        } else {
                            run(pod);
                        }
                    }
                    case DELETED -> stop(pod.getMetadata().getName());
                    default -> { }
                }
            }

            @Override
            public void onClose(WatcherException cause) {
            }
        }));
        watches.add(client.configMaps().inNamespace(namespace).watch(new Watcher<>() {
            @Override
            public void eventReceived(Action action, ConfigMap owner) {
                if (action == Action.DELETED) { // what the garbage collector would do
                    String uid = owner.getMetadata().getUid();
                    String name = owner.getMetadata().getName();
                    deletedOwners.add(uid);
                    for (Pod p : client.pods().inNamespace(namespace).list().getItems()) {
                        if (p.getMetadata().getOwnerReferences().stream().anyMatch(o -> "ConfigMap".equals(o.getKind())
                                && name.equals(o.getName()) && Objects.equals(uid, o.getUid()))) {
                            client.pods().inNamespace(namespace).resource(p).delete();
                        }
                    }
                }
            }

            @Override
            public void onClose(WatcherException cause) {
            }
        }));
    }

    private boolean ownerDeleted(Pod pod) {
        return pod.getMetadata().getOwnerReferences().stream()
                .anyMatch(o -> "ConfigMap".equals(o.getKind()) && deletedOwners.contains(o.getUid()));
    }

    /** Processes running now, by pod name. */
    public Map<String, Process> processes() {
        return Map.copyOf(processes);
    }

    private void run(Pod pod) {
        String name = pod.getMetadata().getName();
        Container c = pod.getSpec().getContainers().get(0); // a worker pod has one container
        Quantity gpus = c.getResources() == null || c.getResources().getLimits() == null ? null
                : c.getResources().getLimits().get(GPU_RESOURCE);
        if (gpus != null && Integer.parseInt(gpus.getAmount()) > nodeGpus) {
            status(pod, new PodStatusBuilder().withPhase("Pending").withConditions(new PodConditionBuilder().withType("PodScheduled")
                    .withStatus("False").withReason("Unschedulable").withMessage("0/1 nodes are available: 1 Insufficient "
                            + GPU_RESOURCE + ".").build()).build());
            return;
        }
        try {
            Path token = Files.writeString(dir.resolve(name + ".token"), secretToken(pod));
            String tokenMount = secretMountPath(pod, c) + "/token";
            List<String> cmd = new ArrayList<>();
            cmd.add(c.getCommand().get(0).equals("java") ? java : c.getCommand().get(0));
            String previous = "";
            for (String a : c.getArgs()) {
                String arg = previous.equals("-cp") ? classpath : a.replace("$(POD_IP)", "127.0.0.1")
                        .replace(tokenMount, token.toString());
                cmd.add(arg);
                previous = a;
            }
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve(name + ".log").toFile()).start();
            processes.put(name, p);
            status(pod, new PodStatusBuilder().withPhase("Running").withPodIP("127.0.0.1").withContainerStatuses(
                    new ContainerStatusBuilder().withName(c.getName()).withNewState().withNewRunning().endRunning().endState()
                            .build()).build());
            p.onExit().thenAccept(done -> {
                processes.remove(name, done);
                Pod now = client.pods().inNamespace(namespace).withName(name).get();
                if (now != null) {
                    int code = done.exitValue();
                    status(now, new PodStatusBuilder().withPhase(code == 0 ? "Succeeded" : "Failed").withContainerStatuses(
                            new ContainerStatusBuilder().withName(c.getName()).withNewState().withNewTerminated()
                                    .withExitCode(code).endTerminated().endState().build()).build());
                }
            });
        } catch (IOException e) {
            status(pod, new PodStatusBuilder().withPhase("Failed").build());
        }
    }

    /** Where the container mounts the pod's secret volume (the token file is {@code token} in it). */
    private static String secretMountPath(Pod pod, Container c) {
        Volume v = pod.getSpec().getVolumes().stream().filter(x -> x.getSecret() != null).findFirst().orElseThrow();
        return c.getVolumeMounts().stream().filter(m -> m.getName().equals(v.getName())).findFirst().orElseThrow().getMountPath();
    }

    private String secretToken(Pod pod) {
        Volume v = pod.getSpec().getVolumes().stream().filter(x -> x.getSecret() != null).findFirst().orElseThrow();
        Secret s = client.secrets().inNamespace(namespace).withName(v.getSecret().getSecretName()).get();
        if (s.getStringData() != null && s.getStringData().containsKey("token")) {
            return s.getStringData().get("token");
        }
        return new String(Base64.getDecoder().decode(s.getData().get("token")), StandardCharsets.UTF_8);
    }

    private void status(Pod pod, io.fabric8.kubernetes.api.model.PodStatus status) {
        try {
            Pod current = client.pods().inNamespace(namespace).withName(pod.getMetadata().getName()).get();
            if (current != null) {
                current.setStatus(status);
                client.pods().inNamespace(namespace).resource(current).updateStatus();
            }
        } catch (KubernetesClientException e) {
            // deleted meanwhile
        }
    }

    private void stop(String name) {
        Process p = processes.remove(name);
        if (p != null) {
            p.destroy();
        }
    }

    @Override
    public void close() {
        watches.forEach(Watch::close);
        processes.values().forEach(Process::destroyForcibly);
    }
}
