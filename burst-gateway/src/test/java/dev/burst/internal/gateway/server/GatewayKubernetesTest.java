package dev.burst.internal.gateway.server;

import dev.burst.Client;
import dev.burst.gateway.ClusterOptions;
import dev.burst.gateway.Gateway;
import dev.burst.gateway.GatewayCluster;
import dev.burst.testsupport.TestKubelet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A gateway whose backend is Kubernetes (fabric8's mock API server and the test kubelet of
 * burst-kubernetes): a user's cluster runs its tasks in pods whose workers come in through the
 * gateway's one port, and stopping the cluster leaves no pod.
 */
@EnableKubernetesMockClient(crud = true)
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class GatewayKubernetesTest {
    static KubernetesClient client;
    @TempDir
    Path dir;

    @Test
    void aUsersClusterRunsInPodsBehindTheGatewayAndLeavesNoPod() throws Exception {
        String ns = "burst";
        try (TestKubelet kubelet = new TestKubelet(client, ns, 0, dir);
             TestGateway gw = new TestGateway(dir.resolve("gateway"), b -> b.backend("kubernetes")
                     .backendSetting("namespace", ns)
                     // the cluster processes reach the same mock API server
                     .clusterJavaOptions(List.of("-Dkubernetes.master=" + client.getMasterUrl(), "-Dkubernetes.trust.certificates=true",
                             "-Dkubernetes.auth.tryKubeConfig=false", "-Dkubernetes.auth.tryServiceAccount=false")))) {
            String token = gw.addUser("kim");
            try (Gateway g = gw.connect(token);
                 GatewayCluster cluster = g.newCluster(ClusterOptions.builder().workers(1).memory("256m").build());
                 Client c = Client.connect(cluster)) {
                long pid = c.submit(() -> ProcessHandle.current().pid()).get(120, TimeUnit.SECONDS);
                assertThat(kubelet.processes().values()).extracting(Process::pid).contains(pid);
                List<String> args = client.pods().inNamespace(ns).list().getItems().get(0).getSpec().getContainers().get(0).getArgs();
                assertThat(args.get(args.indexOf("--scheduler") + 1)).isEqualTo(gw.server.burstAddress()); // the one port
            }
            await().atMost(Duration.ofSeconds(60)).until(() -> client.pods().inNamespace(ns).list().getItems().isEmpty());
            await().atMost(Duration.ofSeconds(30)).until(() -> kubelet.processes().isEmpty());
        }
    }
}
