package dev.burst.internal.cli;

import dev.burst.testsupport.TestKubelet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Ctrl-C of {@code burst map --cluster kubernetes} while its command runs in a pod (fabric8's mock
 * API server and burst-kubernetes' test kubelet): the map exits and leaves no pod and no worker.
 */
@EnableKubernetesMockClient(crud = true)
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class KubernetesMapSignalTest {
    static KubernetesClient client;
    @TempDir
    Path tmp;

    @Test
    void ctrlCLeavesNoPod() throws Exception {
        String ns = "science";
        Path markers = Files.createDirectories(tmp.resolve("markers"));
        try (TestKubelet kubelet = new TestKubelet(client, ns, 0, tmp)) {
            ProcessBuilder pb = new ProcessBuilder(ProcessHandle.current().info().command().orElseThrow(),
                    "--add-opens=java.base/java.lang.invoke=ALL-UNNAMED", "--enable-native-access=ALL-UNNAMED",
                    "-cp", System.getProperty("java.class.path"), BurstCli.class.getName(),
                    "map", "--no-progress", "--cluster", "kubernetes", "--option", "namespace=" + ns,
                    "--option", "scheduler-host=127.0.0.1", "--memory-per-worker", "256m", "--max-workers", "1", "--",
                    "sh", "-c", "touch " + markers + "/$0; exec sleep 120", "{}", ":::", "a")
                    .redirectOutput(tmp.resolve("out.txt").toFile()).redirectError(tmp.resolve("err.txt").toFile());
            pb.environment().put("KUBERNETES_MASTER", client.getMasterUrl().toString());
            pb.environment().put("KUBERNETES_TRUST_CERTIFICATES", "true");
            pb.environment().put("KUBERNETES_AUTH_TRYKUBECONFIG", "false");
            pb.environment().put("KUBERNETES_AUTH_TRYSERVICEACCOUNT", "false");
            pb.environment().put("BURST_HOME", tmp.resolve("home").toString());
            Process map = pb.start();
            try {
                await().atMost(Duration.ofSeconds(90)).until(() -> Files.exists(markers.resolve("a")) || !map.isAlive());
                assertThat(map.isAlive()).as(Files.readString(tmp.resolve("err.txt"))).isTrue();
                assertThat(client.pods().inNamespace(ns).list().getItems()).hasSize(1);
                // Ctrl-C. A process started in the background by a non-interactive shell (nohup
                // .ci/run &, say) inherits SIGINT ignored, and the JVM keeps it so (as nohup wants):
                // then SIGTERM, which takes the JVM down the same shutdown path.
                String signal = sigintIgnored(map.pid()) ? "-TERM" : "-INT";
                if (signal.equals("-TERM")) {
                    System.err.println("KubernetesMapSignalTest: SIGINT is ignored by the burst map process (inherited from"
                            + " how the tests were started); sending SIGTERM instead");
                }
                new ProcessBuilder("kill", signal, String.valueOf(map.pid())).start().waitFor();
                assertThat(map.waitFor(60, TimeUnit.SECONDS)).as("burst map exits after Ctrl-C").isTrue();
            } finally {
                map.destroyForcibly();
            }
            assertThat(client.pods().inNamespace(ns).list().getItems()).as("pods after Ctrl-C").isEmpty();
            await().atMost(Duration.ofSeconds(30)).until(() -> kubelet.processes().isEmpty());
            assertThat(client.configMaps().inNamespace(ns).list().getItems()).isEmpty();
        }
    }

    /** Whether process {@code pid} ignores SIGINT (Linux: bit 2 of SigIgn in /proc/PID/status). */
    private static boolean sigintIgnored(long pid) throws java.io.IOException {
        Path status = Path.of("/proc", String.valueOf(pid), "status");
        if (!Files.exists(status)) {
            return false;
        }
        for (String line : Files.readAllLines(status)) {
            if (line.startsWith("SigIgn:")) {
                long mask = Long.parseUnsignedLong(line.substring("SigIgn:".length()).trim(), 16);
                return (mask & (1L << (2 - 1))) != 0;
            }
        }
        return false;
    }
}
