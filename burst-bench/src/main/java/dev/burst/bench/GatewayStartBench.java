package dev.burst.bench;

import dev.burst.Client;
import dev.burst.gateway.ClusterOptions;
import dev.burst.gateway.Gateway;
import dev.burst.gateway.GatewayCluster;
import dev.burst.internal.gateway.ledger.Budget;
import dev.burst.internal.gateway.ledger.Limits;
import dev.burst.internal.gateway.server.GatewayServer;
import dev.burst.internal.gateway.server.GatewaySettings;
import dev.burst.internal.workerprocess.WorkerMain;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Locale;

/**
 * Create a cluster through the gateway, then its first task's result: the time a user waits, with
 * the local-process backend. A gateway on loopback (HTTPS and the SNI proxy, as in production),
 * one user; each round makes a cluster of one worker ({@code newCluster}), connects a client
 * through the gateway's port, runs {@code () -> 1} and stops the cluster. With spare processes
 * (the default, 1) a round waits until the spare is back, as between two users' creates.
 *
 * <p>Usage: {@code GatewayStartBench [--rounds N] [--spares N]}
 */
public final class GatewayStartBench {
    private GatewayStartBench() {
    }

    public static void main(String[] args) throws Exception {
        int rounds = 5;
        int spares = 1;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                case "--spares" -> spares = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException("unknown option " + args[i] + "; usage: GatewayStartBench "
                        + "[--rounds N] [--spares N]");
            }
        }
        Path dir = Files.createTempDirectory("burst-gateway-bench-");
        double[] create = new double[rounds];
        double[] first = new double[rounds];
        double[] connect = new double[rounds];
        try (GatewayServer server = GatewayServer.start(GatewaySettings.builder(dir.resolve("data")).port(0)
                .spareProcesses(spares).defaultMemory("512m").build())) {
            server.database().accounts().addUser("bench", null, false, Limits.NONE, Budget.NONE, Instant.now());
            String token = server.database().accounts().issueToken("bench", "bench", null, Instant.now());
            try (Gateway gw = Gateway.builder(server.url()).token(token).certificateSha256(server.certificateSha256())
                    .home(dir.resolve("home")).build()) {
                for (int r = -1; r < rounds; r++) { // round -1 warms the JVMs' class-data archive and this JVM
                    waitForSpares(server, spares);
                    long t0 = System.nanoTime();
                    GatewayCluster c = gw.newCluster(ClusterOptions.builder().workers(1).memory("512m").build());
                    long t1 = System.nanoTime();
                    long tc;
                    try (Client client = Client.connect(c)) {
                        tc = System.nanoTime();
                        client.submit(() -> 1).get();
                    }
                    long t2 = System.nanoTime();
                    connect[Math.max(0, r)] = (tc - t1) / 1e9;
                    c.close();
                    if (r >= 0) {
                        create[r] = (t1 - t0) / 1e9;
                        first[r] = (t2 - t0) / 1e9;
                        System.out.printf(Locale.ROOT, "round %d: cluster in %.3f s, client connected in %.3f s, first result at %.3f s%n",
                                r + 1, create[r], connect[r], first[r]);
                    }
                }
            }
        } finally {
            WorkerMain.deleteTree(dir);
        }
        System.out.printf(Locale.ROOT, "%nspare processes %d, %d rounds: create median %.3f s (min %.3f, max %.3f); "
                        + "create -> first result median %.3f s (min %.3f, max %.3f)%n", spares, rounds, median(create), min(create),
                max(create), median(first), min(first), max(first));
    }

    private static void waitForSpares(GatewayServer server, int spares) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (server.fleet().spares() < spares && System.nanoTime() < deadline) {
            Thread.sleep(50); // polling a count the gateway fills in the background
        }
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    private static double min(double[] v) {
        return Arrays.stream(v).min().orElse(0);
    }

    private static double max(double[] v) {
        return Arrays.stream(v).max().orElse(0);
    }
}
