package dev.burst.internal.gateway.server;

import dev.burst.Client;
import dev.burst.gateway.ClusterOptions;
import dev.burst.gateway.Gateway;
import dev.burst.gateway.GatewayCluster;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A gateway in front of a real Slurm ({@code bin/slurm-local start}; CI starts it): a user's
 * cluster gets its workers as Slurm jobs, the user's tasks run there through the gateway's one
 * port (results fetched from the worker through the proxy too), and stopping the cluster leaves
 * no job in the queue. Skips loudly without a Slurm; fails under {@code CI=true}.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class GatewaySlurmTest {
    @TempDir
    Path dir;

    @BeforeAll
    static void requireSlurm() {
        String why = null;
        try {
            Process p = new ProcessBuilder("sinfo", "-h", "-o", "%T").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
                why = "sinfo failed: " + out.strip();
            } else if (out.lines().map(String::strip).noneMatch(s -> s.equals("idle") || s.equals("mixed"))) {
                why = "no Slurm node is idle (sinfo: " + out.strip().replace('\n', ' ') + ")";
            }
        } catch (IOException | InterruptedException e) {
            why = "sinfo is not on PATH (" + e.getMessage() + ")";
        }
        if (why != null && "true".equals(System.getenv("CI"))) {
            throw new IllegalStateException("CI=true but no usable Slurm for GatewaySlurmTest: " + why);
        }
        if (why != null) {
            System.err.printf("%n************************************************************************%n"
                    + "* SKIPPED: GatewaySlurmTest needs a running Slurm: %s%n"
                    + "* Start one with `bin/slurm-local start` (as root), then run the tests.%n"
                    + "************************************************************************%n", why);
        }
        assumeTrue(why == null, "no usable Slurm: " + why);
    }

    private static Set<String> queued() throws Exception {
        Process p = new ProcessBuilder("squeue", "-h", "-o", "%i").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(30, TimeUnit.SECONDS);
        return out.lines().map(String::strip).filter(s -> !s.isEmpty()).collect(Collectors.toSet());
    }

    @Test
    void aUsersClusterRunsOnSlurmJobsThroughTheGatewayAndLeavesNoJob() throws Exception {
        Set<String> before = queued();
        try (TestGateway gw = new TestGateway(dir, b -> b.backend("slurm").backendSetting("partition", "debug")
                .backendSetting("walltime", "00:10:00").backendSetting("scheduler-host", "127.0.0.1"))) {
            String token = gw.addUser("carol");
            try (Gateway g = gw.connect(token);
                 GatewayCluster cluster = g.newCluster(ClusterOptions.builder().workers(1).memory("256m").build())) {
                try (Client client = Client.connect(cluster)) {
                    assertThat(client.submit(() -> System.getenv("SLURM_JOB_ID") != null).get()).isTrue();
                    // The worker was sent to the gateway's one port, with the cluster's route: only that port need be open.
                    List<String> args = client.submit(() -> List.of(System.getProperty("sun.java.command").split(" "))).get();
                    assertThat(args.get(args.indexOf("--scheduler") + 1)).isEqualTo(gw.server.burstAddress());
                    String tokenFile = Files.readString(Path.of(args.get(args.indexOf("--token-file") + 1)));
                    assertThat(tokenFile).contains("route=" + ClusterFleet.routeOf(cluster.name()));
                }
                await().atMost(Duration.ofSeconds(10)).until(() -> !queued().equals(before));
            }
            await().atMost(Duration.ofSeconds(60)).until(() -> queued().equals(before));
        }
    }
}
