package dev.burst.internal.cli;

import dev.burst.Client;
import dev.burst.gateway.ClusterOptions;
import dev.burst.gateway.Gateway;
import dev.burst.gateway.GatewayCluster;
import dev.burst.gateway.GatewayClusterInfo;
import dev.burst.internal.gateway.ledger.Budget;
import dev.burst.internal.gateway.ledger.ClusterRecord;
import dev.burst.internal.gateway.ledger.GatewayDatabase;
import dev.burst.internal.gateway.ledger.Limits;
import dev.burst.internal.gateway.ledger.StopReason;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The gateway as its admin runs it ({@code burst gateway serve}, a process of its own), in real
 * time: a client JVM killed with {@code kill -9} leaves no cluster behind (no-client), a gateway
 * killed with {@code kill -9} takes its running clusters back when it restarts, and a gateway
 * stopped with SIGTERM stops its clusters and leaves no process.
 */
class GatewayRestartTest {
    @TempDir(cleanup = org.junit.jupiter.api.io.CleanupMode.ON_SUCCESS)
    Path dir;
    private final List<Process> started = new ArrayList<>();

    @AfterEach
    void killLeftovers() {
        started.forEach(p -> {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        });
    }

    record Served(Process process, String url, String sha256) {
    }

    private Served serve(Path data, int port, String name) throws Exception {
        Process p = CliProcess.builder(Map.of("BURST_HOME", dir.resolve("admin-home").toString()), dir, name, BurstCli.class,
                "gateway", "serve", "--data", data.toString(), "--port", String.valueOf(port), "--no-client-timeout", "8s",
                "--idle-timeout", "off", "--spare-processes", "0").start();
        started.add(p);
        Path out = dir.resolve(name + ".out");
        Pattern at = Pattern.compile("gateway at (https://127\\.0\\.0\\.1:\\d+)");
        Pattern sha = Pattern.compile("certificate sha256: ([0-9a-f]{64})");
        await().atMost(Duration.ofSeconds(90)).until(() -> !p.isAlive() || sha.matcher(read(out)).find());
        assertThat(p.isAlive()).as(read(dir.resolve(name + ".err"))).isTrue();
        Matcher u = at.matcher(read(out));
        Matcher s = sha.matcher(read(out));
        assertThat(u.find() && s.find()).isTrue();
        return new Served(p, u.group(1), s.group(1));
    }

    private static String read(Path p) {
        try {
            return Files.exists(p) ? Files.readString(p, StandardCharsets.UTF_8) : "";
        } catch (java.io.IOException e) {
            return "";
        }
    }

    private Gateway connect(Served g, String token) {
        return Gateway.builder(g.url()).token(token).certificateSha256(g.sha256()).home(dir.resolve("user-home")).build();
    }

    @Test
    void killedClientsAndAKilledGatewayLeaveNoZombieAndLoseNoCluster() throws Exception {
        Path data = dir.resolve("data");
        Served g1 = serve(data, 0, "gateway-1");
        int port = Integer.parseInt(g1.url().replaceAll(".*:", ""));
        String token;
        try (GatewayDatabase db = GatewayDatabase.openH2(data)) { // beside the running gateway (H2's auto-server)
            db.accounts().addUser("alice", null, false, Limits.NONE, Budget.NONE, Instant.now());
            token = db.accounts().issueToken("alice", "test", null, Instant.now());
        }
        String kept;
        Path keptTokenFile;
        try (Gateway gw = connect(g1, token)) {
            GatewayCluster detached = gw.newCluster(ClusterOptions.builder().workers(1).memory("256m").detached(true).build());
            kept = detached.name();
            keptTokenFile = detached.tokenFile();
            GatewayCluster attached = gw.newCluster(ClusterOptions.builder().workers(1).memory("256m").build());
            // A client JVM uses the attached cluster, then is killed with kill -9.
            Process client = CliProcess.builder(Map.of(), dir, "client", HoldClientMain.class, attached.address(),
                    attached.tokenFile().toString()).start();
            started.add(client);
            await().atMost(Duration.ofSeconds(60)).until(() -> read(dir.resolve("client.out")).contains("connected 42"));
            client.destroyForcibly().waitFor();
            await().atMost(Duration.ofSeconds(60)).until(() -> stopReason(gw, attached.name()) != null);
            assertThat(stopReason(gw, attached.name())).isEqualTo("no-client");
            assertThat(stopReason(gw, kept)).isNull();
        }

        long keptPid = clusterPid(data, kept);
        g1.process().destroyForcibly().waitFor(); // kill -9 the gateway
        assertThat(ProcessHandle.of(keptPid).map(ProcessHandle::isAlive)).contains(true);

        Served g2 = serve(data, port, "gateway-2");
        assertThat(g2.sha256()).isEqualTo(g1.sha256());
        try (Gateway gw = connect(g2, token)) {
            assertThat(gw.clusters()).extracting(GatewayClusterInfo::name).containsExactly(kept);
            try (Client c = Client.connect(gw.connect(kept))) {
                assertThat(c.submit(() -> "still here").get()).isEqualTo("still here");
            }
            assertThat(Files.exists(keptTokenFile)).isTrue();
        }
        assertThat(read(dir.resolve("gateway-2.err"))).contains("taken back after a gateway restart");

        g2.process().destroy(); // SIGTERM: the gateway stops its clusters
        assertThat(g2.process().waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        await().atMost(Duration.ofSeconds(30)).until(() -> ProcessHandle.of(keptPid).map(ProcessHandle::isAlive).orElse(false) == false);
        try (GatewayDatabase db = GatewayDatabase.openH2(data)) {
            ClusterRecord r = db.clusters().find(kept).orElseThrow();
            assertThat(r.stopReason()).isEqualTo(StopReason.GATEWAY_SHUTDOWN);
            assertThat(r.usage().tasks()).isEqualTo(1);
            assertThat(r.usage().allocatedCoreSeconds()).isPositive();
        }
    }

    private static String stopReason(Gateway gw, String name) {
        return gw.clusters(true).stream().filter(c -> c.name().equals(name)).findFirst().map(GatewayClusterInfo::stopReason).orElse(null);
    }

    private static long clusterPid(Path data, String name) {
        try (GatewayDatabase db = GatewayDatabase.openH2(data)) {
            return db.clusters().find(name).orElseThrow().pid();
        }
    }
}
