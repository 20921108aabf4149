package dev.burst.internal.kubernetes;

import dev.burst.Client;
import dev.burst.testsupport.TestKubelet;
import dev.burst.kubernetes.KubernetesCluster;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The Kubernetes backend end to end against fabric8's mock API server (CRUD mode) and a test
 * kubelet that runs each pod's worker as a real JVM ({@link TestKubelet}, which says what this
 * does not cover): an adaptive map, the owner's cascade, an unschedulable GPU pod, and close.
 */
@EnableKubernetesMockClient(crud = true)
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class KubernetesClusterTest {
    static KubernetesClient client;
    static final String NS = "science";
    @TempDir
    Path dir;
    TestKubelet kubelet;

    @BeforeEach
    void startKubelet() {
        kubelet = new TestKubelet(client, NS, 0, dir);
    }

    @AfterEach
    void stopKubelet() {
        kubelet.close();
    }

    private KubernetesCluster.Builder cluster() {
        return KubernetesCluster.builder().client(client).namespace(NS).bindHost("127.0.0.1").memoryPerWorker("256m");
    }

    private List<Pod> pods() {
        return client.pods().inNamespace(NS).withLabel(WorkerPods.CLUSTER_LABEL).list().getItems();
    }

    @Test
    void aMapRunsOnAnAdaptiveClusterOfPodsAndCloseLeavesNothing() throws Exception {
        Set<Long> pids = new HashSet<>();
        String owner;
        try (KubernetesCluster cluster = cluster().build(); Client c = Client.connect(cluster)) {
            cluster.adapt(0, 2);
            List<Long> out = c.gather(c.map(i -> {
                Thread.sleep(20);
                return ProcessHandle.current().pid();
            }, IntStream.range(0, 60).boxed().toList()), Duration.ofSeconds(120));
            pids.addAll(out);
            assertThat(pids).as("tasks ran in the pods' JVMs, not here").doesNotContain(ProcessHandle.current().pid());
            List<Pod> pods = pods();
            assertThat(pods).isNotEmpty().allSatisfy(p -> {
                assertThat(p.getMetadata().getOwnerReferences()).singleElement()
                        .satisfies(o -> assertThat(o.getKind()).isEqualTo("ConfigMap"));
                assertThat(p.getSpec().getContainers().get(0).getImage()).isEqualTo(WorkerPods.Image.DEFAULT.name());
            });
            owner = pods.get(0).getMetadata().getOwnerReferences().get(0).getName();
            assertThat(cluster.usage().allocatedCoreSeconds()).isPositive();
        }
        assertThat(pods()).as("pods after close").isEmpty();
        assertThat(client.configMaps().inNamespace(NS).withName(owner).get()).isNull();
        assertThat(client.secrets().inNamespace(NS).withName(owner + "-token").get()).isNull();
        await().atMost(Duration.ofSeconds(30)).until(() -> pids.stream().noneMatch(p -> ProcessHandle.of(p).isPresent()));
    }

    @Test
    void deletingTheClustersOwnerRemovesEveryWorker() {
        try (KubernetesCluster cluster = cluster().build()) {
            cluster.scale(2);
            await().atMost(Duration.ofSeconds(60)).until(() -> cluster.workerCount() == 2);
            Set<Long> pids = new HashSet<>();
            kubelet.processes().values().forEach(p -> pids.add(p.pid()));
            assertThat(pids).hasSize(2);
            String owner = pods().get(0).getMetadata().getOwnerReferences().get(0).getName();
            assertThat(pods().get(0).getMetadata().getOwnerReferences().get(0).getUid())
                    .isEqualTo(client.configMaps().inNamespace(NS).withName(owner).get().getMetadata().getUid()).isNotBlank();
            // What a kill -9 of the client leaves for the admin: delete the one object, every worker goes.
            client.configMaps().inNamespace(NS).withName(owner).delete();
            await().atMost(Duration.ofSeconds(30)).until(() -> pods().isEmpty());
            await().atMost(Duration.ofSeconds(30)).until(() -> pids.stream().noneMatch(p -> ProcessHandle.of(p).isPresent()));
        }
    }

    @Test
    void anUnschedulableGpuPodIsAFailedStartWithKubernetesReason() {
        try (KubernetesCluster cluster = cluster().gpusPerWorker(1).build()) {
            cluster.adapt(0, 1);
            try (Client c = Client.connect(cluster)) {
                c.submit(() -> 1); // work queued: the controller asks for a pod no node can take
                await().atMost(Duration.ofSeconds(60)).until(() -> cluster.startProblem(1).isPresent());
                assertThat(cluster.startProblem(1).orElseThrow()).contains("Unschedulable")
                        .contains("Insufficient nvidia.com/gpu");
            }
            assertThat(pods()).allSatisfy(p -> assertThat(p.getSpec().getContainers().get(0).getResources().getLimits())
                    .containsKey(WorkerPods.GPU_RESOURCE));
        }
        assertThat(pods()).isEmpty();
    }
}
