package dev.burst.internal.gateway.clusterprocess;

import dev.burst.Client;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** A cluster in a process of its own: start, run a task through its scheduler, scale, stop; nothing left. */
class ClusterProcessTest {
    @TempDir
    Path dir;

    static ClusterProcessSpec spec(String name, int workers) {
        return new ClusterProcessSpec(name, "alice", "local", workers, 1, 256L << 20, 0, Map.of("processes", "true"),
                null, null, 600, null);
    }

    static String classpath() {
        return System.getProperty("java.class.path");
    }

    @Test
    void runsAClusterThatAClientUsesScalesAndStopsLeavingNoProcess() throws Exception {
        ClusterProcess p = ClusterProcess.launch(dir.resolve("c1"), classpath(), List.of(), Map.of(), Duration.ofSeconds(60));
        List<ProcessHandle> family;
        try {
            ClusterStarted started = p.start(spec("c1", 1));
            assertThat(started.schedulerAddress()).startsWith("burst://127.0.0.1:");
            try (Client client = Client.connect(started.schedulerAddress(), Path.of(started.tokenFile()))) {
                assertThat(client.submit(() -> 6 * 7).get()).isEqualTo(42);
                await().atMost(Duration.ofSeconds(10)).until(() -> p.status().clients() == 1);
            }
            ControlStatus s = p.status();
            assertThat(s.workers()).hasSize(1);
            assertThat(s.finished()).isEqualTo(1);
            assertThat(s.working()).isFalse();
            p.scale(2);
            await().atMost(Duration.ofSeconds(60)).until(() -> p.status().workers().size() == 2);
            assertThatThrownBy(() -> p.scale(-1)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("-1");
            family = ProcessHandle.of(p.pid()).orElseThrow().descendants().toList();
            assertThat(family).isNotEmpty();
            ControlStatus last = p.stop(Duration.ofSeconds(20)).orElseThrow();
            assertThat(last.allocatedCoreSeconds()).isPositive();
        } finally {
            p.kill();
        }
        assertThat(p.alive()).isFalse();
        await().atMost(Duration.ofSeconds(10)).until(() -> family.stream().noneMatch(ProcessHandle::isAlive));
    }

    @Test
    void refusesRequestsWithoutItsControlToken() throws Exception {
        ClusterProcess p = ClusterProcess.launch(dir.resolve("c2"), classpath(), List.of(), Map.of(), Duration.ofSeconds(60));
        try {
            var http = java.net.http.HttpClient.newHttpClient();
            var r = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + p.port() + "/status"))
                    .header("Authorization", "Bearer not-the-token").build(), java.net.http.HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(401);
            assertThat(ClusterProcess.find(dir.resolve("c2"))).map(ClusterProcess::pid).contains(p.pid());
        } finally {
            p.kill();
        }
    }
}
