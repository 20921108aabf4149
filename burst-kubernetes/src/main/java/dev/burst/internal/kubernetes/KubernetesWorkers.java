package dev.burst.internal.kubernetes;

import dev.burst.spi.PoolContext;
import dev.burst.spi.PoolWorker;
import dev.burst.spi.WorkerPool;
import dev.burst.spi.WorkerShape;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A pool of worker pods: one pod per worker, created and deleted on the adaptive controller's
 * word, watched for what becomes of it.
 *
 * <p>Design note. Like the Dask Kubernetes operator and Spark on Kubernetes, every pod is owned
 * (an owner reference) by one object the cluster creates at start, a ConfigMap named after the
 * cluster (or, when the scheduler itself runs in a pod, that pod can be the owner): deleting it
 * removes every worker through Kubernetes' garbage collector even when this JVM was killed, and
 * {@link #close} deletes pods, secret and owner explicitly and waits until the pods are gone.
 * Scale-down is the controller's: workers are retired through the scheduler first (results moved),
 * then exactly those pods are deleted ({@link #stop}), as KubeRay names the pods to delete. A pod
 * that cannot start is a failed start with Kubernetes' own reason: {@code Unschedulable} (more GPUs
 * than any node has), an image that cannot be pulled, a container that crashes, a pod that ends
 * before joining; the controller backs off as it does for a refused {@code sbatch}.
 */
public final class KubernetesWorkers implements WorkerPool {
    private static final Logger log = LoggerFactory.getLogger(KubernetesWorkers.class);
    /** Waiting reasons of a container that will not start by waiting longer. */
    private static final Set<String> HOPELESS = Set.of("ErrImagePull", "ImagePullBackOff", "InvalidImageName", "CrashLoopBackOff",
            "CreateContainerConfigError", "CreateContainerError");
    private static final long CLOSE_WAIT_SECONDS = 60;

    /** Where a worker's pod stands. */
    private enum Phase { REQUESTED, PENDING, RUNNING }

    private static final class Tracked {
        final String name;
        final String podName;
        final long requestedAtNanos;
        Phase phase = Phase.REQUESTED;
        long runningSinceNanos;
        boolean stopRequested;

        Tracked(String name, String podName, long requestedAtNanos) {
            this.name = name;
            this.podName = podName;
            this.requestedAtNanos = requestedAtNanos;
        }
    }

    private final KubernetesClient client;
    private final KubernetesSettings settings;
    private final PoolContext context;
    private final String clusterLabel;
    private final Map<String, Tracked> workers = new LinkedHashMap<>();
    private final Map<String, String> namesByPod = new LinkedHashMap<>();
    private final AtomicInteger numbers = new AtomicInteger();
    private final ExecutorService requests;
    private final ConfigMap owner;
    private final String secretName;
    private Watch watch;
    private volatile boolean closed;

    /**
     * Creates the cluster's owner object and token secret and starts watching its pods.
     *
     * @throws KubernetesClientException when the API server refuses (no such namespace, no right to create pods)
     */
    public KubernetesWorkers(KubernetesClient client, KubernetesSettings settings, PoolContext context) throws IOException {
        this.client = client;
        this.settings = settings;
        this.context = context;
        this.clusterLabel = WorkerPods.kubernetesName(context.clusterName());
        String ns = settings.namespace();
        this.owner = client.configMaps().inNamespace(ns).resource(new ConfigMapBuilder().withNewMetadata()
                .withName(clusterLabel).addToLabels(WorkerPods.CLUSTER_LABEL, clusterLabel).endMetadata()
                .addToData("cluster", context.clusterName()).addToData("user", context.user())
                .addToData("scheduler", settings.schedulerAddress(context.launch())).build()).create();
        this.secretName = clusterLabel + "-token";
        client.secrets().inNamespace(ns).resource(new SecretBuilder().withNewMetadata().withName(secretName)
                .addToLabels(WorkerPods.CLUSTER_LABEL, clusterLabel).withOwnerReferences(WorkerPods.ownedBy(owner)).endMetadata()
                .addToStringData("token", Files.readString(context.launch().tokenFile())).build()).create();
        this.requests = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "burst-kubernetes-" + clusterLabel);
            t.setDaemon(true);
            return t;
        });
        this.watch = client.pods().inNamespace(ns).withLabel(WorkerPods.CLUSTER_LABEL, clusterLabel).watch(new PodWatcher());
        log.info("Kubernetes workers of {} in namespace {} (owner configmap/{}), image {}", context.clusterName(), ns, clusterLabel,
                settings.image().name());
    }

    @Override
    public WorkerShape shape() {
        return context.shape();
    }

    @Override
    public List<String> start(int n) {
        List<Tracked> made = new ArrayList<>(n);
        synchronized (this) {
            if (closed) {
                throw new IllegalStateException("the Kubernetes workers of " + context.clusterName() + " are closed");
            }
            for (int i = 0; i < n; i++) {
                String name = context.clusterName() + "-worker-" + numbers.incrementAndGet();
                Tracked t = new Tracked(name, WorkerPods.kubernetesName(name), context.ticker().nanos());
                workers.put(name, t);
                namesByPod.put(t.podName, name);
                made.add(t);
            }
        }
        for (Tracked t : made) {
            requests.execute(() -> create(t));
        }
        return made.stream().map(t -> t.name).toList();
    }

    private void create(Tracked t) {
        synchronized (this) {
            if (closed || t.stopRequested) {
                forget(t);
                return;
            }
        }
        Pod pod = WorkerPods.pod(settings.podTemplate(), context.clusterName(), t.name, secretName,
                settings.schedulerAddress(context.launch()), context.shape(), settings.image(), settings.labels(),
                settings.serviceAccount(), owner);
        try {
            client.pods().inNamespace(settings.namespace()).resource(pod).create();
            synchronized (this) {
                if (t.phase == Phase.REQUESTED) {
                    t.phase = Phase.PENDING;
                }
            }
            log.info("created pod {} for worker {}", t.podName, t.name);
        } catch (KubernetesClientException e) {
            synchronized (this) {
                forget(t);
            }
            if (!closed) {
                context.events().startFailed(t.name, "Kubernetes refused pod " + t.podName + ": " + e.getMessage());
            }
        }
    }

    @Override
    public void stop(Collection<String> names) {
        List<String> pods = new ArrayList<>();
        synchronized (this) {
            for (String n : names) {
                Tracked t = workers.get(n);
                if (t != null && !t.stopRequested) {
                    t.stopRequested = true;
                    pods.add(t.podName);
                }
            }
        }
        if (!pods.isEmpty() && !closed) {
            requests.execute(() -> deletePods(pods));
        }
    }

    private void deletePods(List<String> pods) {
        for (String p : pods) {
            try {
                client.pods().inNamespace(settings.namespace()).withName(p).delete();
            } catch (KubernetesClientException e) {
                log.warn("deleting pod {} failed: {}", p, e.getMessage());
            }
        }
    }

    @Override
    public synchronized List<PoolWorker> workers() {
        List<PoolWorker> out = new ArrayList<>();
        for (Tracked t : workers.values()) {
            PoolWorker.State state = t.stopRequested ? PoolWorker.State.STOPPING
                    : t.phase == Phase.RUNNING ? PoolWorker.State.RUNNING : PoolWorker.State.PENDING;
            out.add(new PoolWorker(t.name, state, t.requestedAtNanos, t.podName));
        }
        return out;
    }

    @Override
    public synchronized OptionalLong runningSinceNanos(String worker) {
        Tracked t = workers.get(worker);
        return t == null || t.phase != Phase.RUNNING ? OptionalLong.empty() : OptionalLong.of(t.runningSinceNanos);
    }

    private void forget(Tracked t) {
        workers.remove(t.name);
        namesByPod.remove(t.podName);
    }

    /** What the API server says of the cluster's pods, turned into the pool's events. */
    private final class PodWatcher implements Watcher<Pod> {
        @Override
        public void eventReceived(Action action, Pod pod) {
            String podName = pod.getMetadata().getName();
            String failed = null;
            String ended = null;
            boolean stopped = false;
            boolean running = false;
            String worker;
            synchronized (KubernetesWorkers.this) {
                worker = namesByPod.get(podName);
                Tracked t = worker == null ? null : workers.get(worker);
                if (t == null) {
                    return; // a pod of this cluster this pool no longer tracks
                }
                String phase = pod.getStatus() == null || pod.getStatus().getPhase() == null ? "Pending" : pod.getStatus().getPhase();
                if (action == Action.DELETED || phase.equals("Succeeded") || phase.equals("Failed")) {
                    stopped = t.phase == Phase.RUNNING;
                    if (!t.stopRequested) {
                        String why = "pod " + podName + " " + (action == Action.DELETED ? "was deleted" : "ended " + phase) + exitOf(pod);
                        if (t.phase == Phase.RUNNING) {
                            ended = why;
                        } else {
                            failed = why;
                        }
                    }
                    forget(t);
                } else if (phase.equals("Running") && t.phase != Phase.RUNNING && !t.stopRequested) {
                    t.phase = Phase.RUNNING;
                    t.runningSinceNanos = context.ticker().nanos();
                    running = true;
                } else if (phase.equals("Pending") && !t.stopRequested) {
                    failed = cannotStart(pod);
                    if (failed != null) {
                        t.stopRequested = true;
                    }
                }
            }
            long now = context.ticker().nanos();
            if (running) {
                context.events().workerRunning(worker, now);
            }
            if (stopped) {
                context.events().workerStopped(worker, now);
            }
            if (failed != null && !closed) {
                log.warn("worker {} did not start: {}", worker, failed);
                context.events().startFailed(worker, failed);
                if (action != Action.DELETED && !pod.getStatus().getPhase().equals("Failed")) {
                    String p = podName;
                    requests.execute(() -> deletePods(List.of(p)));
                }
            }
            if (ended != null && !closed) {
                context.events().workerEnded(worker, ended);
            }
        }

        @Override
        public void onClose(WatcherException cause) {
            if (!closed) {
                log.warn("the watch on the pods of {} ended: {}", context.clusterName(), cause.getMessage());
            }
        }
    }

    /** Why a pending pod will never run, in Kubernetes' words, or null if it may yet. */
    static String cannotStart(Pod pod) {
        if (pod.getStatus() == null) {
            return null;
        }
        for (PodCondition c : pod.getStatus().getConditions()) {
            if ("PodScheduled".equals(c.getType()) && "False".equals(c.getStatus()) && "Unschedulable".equals(c.getReason())) {
                return "Unschedulable: " + c.getMessage();
            }
        }
        for (ContainerStatus s : pod.getStatus().getContainerStatuses()) {
            if (s.getState() != null && s.getState().getWaiting() != null && HOPELESS.contains(s.getState().getWaiting().getReason())) {
                return s.getState().getWaiting().getReason() + ": " + s.getState().getWaiting().getMessage();
            }
        }
        return null;
    }

    private static String exitOf(Pod pod) {
        if (pod.getStatus() == null) {
            return "";
        }
        for (ContainerStatus s : pod.getStatus().getContainerStatuses()) {
            if (s.getState() != null && s.getState().getTerminated() != null) {
                var term = s.getState().getTerminated();
                return " (exit code " + term.getExitCode() + (term.getReason() == null ? "" : ", " + term.getReason()) + ")";
            }
        }
        return "";
    }

    /** Deletes every pod of the cluster, its secret and its owner, and waits until the pods are gone. */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        requests.shutdownNow();
        String ns = settings.namespace();
        try {
            client.pods().inNamespace(ns).withLabel(WorkerPods.CLUSTER_LABEL, clusterLabel).delete();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(CLOSE_WAIT_SECONDS);
            while (!client.pods().inNamespace(ns).withLabel(WorkerPods.CLUSTER_LABEL, clusterLabel).list().getItems().isEmpty()) {
                if (System.nanoTime() > deadline) {
                    log.warn("pods of {} still listed after {} s; their owner configmap/{} is deleted, Kubernetes removes them",
                            context.clusterName(), CLOSE_WAIT_SECONDS, clusterLabel);
                    break;
                }
                Thread.sleep(200);
            }
            client.secrets().inNamespace(ns).withName(secretName).delete();
            client.configMaps().inNamespace(ns).withName(clusterLabel).delete();
        } catch (KubernetesClientException e) {
            log.warn("cleaning up the pods of {} failed: {}", context.clusterName(), e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            if (watch != null) {
                watch.close();
            }
        }
    }
}
