package dev.burst.internal.gateway.server;

import dev.burst.Client;
import dev.burst.TaskFuture;
import dev.burst.WorkRefusedException;
import dev.burst.gateway.ClusterOptions;
import dev.burst.gateway.Gateway;
import dev.burst.gateway.GatewayCluster;
import dev.burst.gateway.GatewayClusterInfo;
import dev.burst.gateway.GatewayException;
import dev.burst.internal.gateway.ledger.Budget;
import dev.burst.internal.gateway.ledger.ClusterRecord;
import dev.burst.internal.gateway.ledger.Limits;
import dev.burst.internal.gateway.ledger.StopReason;
import dev.burst.internal.gateway.reclaim.ReclaimTimeouts;
import dev.burst.internal.core.ResourceAmounts;
import dev.burst.internal.transport.BurstAddress;
import dev.burst.internal.transport.ClusterCredentials;
import dev.burst.internal.workerprocess.WorkerNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** Two users on one gateway: clusters through the one port, isolation, limits, culling on the gateway's clock. */
class GatewayServerTest {
    @TempDir
    static Path dir;
    static TestGateway gw;
    static String alice;
    static String bob;

    @BeforeAll
    static void start() {
        gw = new TestGateway(dir, b -> b.lease(Duration.ofSeconds(1)));
        alice = gw.addUser("alice", new Limits(2, null, null, null, 4, null), Budget.NONE);
        bob = gw.addUser("bob");
    }

    @AfterAll
    static void stop() {
        if (gw != null) {
            gw.close();
        }
    }

    static ClusterRecord record(String name) {
        return gw.server.database().clusters().find(name).orElseThrow();
    }

    @Test
    void aUsersClusterRunsTasksThroughTheOnePortAndNoOtherUserReachesIt() throws Exception {
        try (Gateway a = gw.connect(alice); Gateway b = gw.connect(bob);
             GatewayCluster cluster = a.newCluster(ClusterOptions.builder().workers(1).build())) {
            assertThat(cluster.address()).isEqualTo(gw.server.burstAddress());
            try (Client client = Client.connect(cluster)) {
                assertThat(client.submit(() -> 6 * 7).get()).isEqualTo(42);
            }
            assertThat(a.clusters()).extracting(GatewayClusterInfo::name).contains(cluster.name());
            assertThat(b.clusters()).extracting(GatewayClusterInfo::name).doesNotContain(cluster.name());
            for (var attempt : new org.junit.jupiter.api.function.Executable[]{
                    () -> b.connect(cluster.name()), () -> b.stopCluster(cluster.name())}) {
                assertThatThrownBy(attempt::execute).isInstanceOfSatisfying(GatewayException.class,
                        e -> assertThat(e.status()).isEqualTo(404));
            }
            RawHttp raw = new RawHttp(gw.server);
            for (String path : new String[]{"/scale", "/adapt"}) {
                RawHttp.Answer r = raw.send("POST", "/api/v1/clusters/" + cluster.name() + path, bob, "{\"count\": 2, \"maximum\": 2}");
                assertThat(r.status()).isEqualTo(404);
                assertThat(r.body()).isEqualTo("{\"error\":\"no cluster '" + cluster.name() + "'\"}");
            }
            // The cluster token a user gets lets a client in, never a worker: nobody can join with an
            // address of their choosing for the proxy to relay to, or take the cluster's TLS key.
            var usersCredentials = ClusterCredentials.fromTokenFile(cluster.tokenFile());
            assertThatThrownBy(() -> new WorkerNode(new WorkerNode.Settings(BurstAddress.parse(cluster.address()), usersCredentials,
                    1, 64L << 20, ResourceAmounts.NONE, "127.0.0.1", "fake", Files.createDirectories(dir.resolve("fake-worker")),
                    null, null, java.util.List.of())))
                    .hasMessageContaining("this token lets a client in, not a worker");
            // Bob, with his own cluster's token, on Alice's route: the scheduler refuses him.
            try (GatewayCluster bobs = b.newCluster(ClusterOptions.builder().workers(0).build())) {
                var bobsToken = ClusterCredentials.fromTokenFile(bobs.tokenFile());
                Path forged = ClusterCredentials.writeClientTokenFile(dir.resolve("forged/token"), bobsToken.token(),
                        ClusterCredentials.fromTokenFile(cluster.tokenFile()).certificateSha256(),
                        ClusterFleet.routeOf(cluster.name()));
                assertThatThrownBy(() -> {
                    try (Client c = Client.connect(cluster.address(), forged)) {
                        c.submit(() -> 1).get();
                    }
                }).hasMessageContaining("token");
            }
            assertThat(record(cluster.name()).stopReason()).isNull();
        }
    }

    @Test
    void aSpentBudgetRefusesNewTasksKeepsResultsFetchableAndStopsTheWorkers() throws Exception {
        String dora = gw.addUser("dora", Limits.NONE, new Budget(4.0, null, null));
        try (Gateway d = gw.connect(dora)) {
            GatewayCluster c = d.newCluster(ClusterOptions.builder().workers(1).detached(true).build());
            try (Client client = Client.connect(c)) {
                TaskFuture<Integer> kept = client.submit(() -> 6 * 7);
                await().atMost(Duration.ofSeconds(60)).until(kept::isDone); // on its worker, not fetched yet
                // One core allocated per second of the worker's life: with a 1 s lease, the 4 core-seconds
                // stop covering the next lease after about 3 s.
                await().atMost(Duration.ofSeconds(60)).until(() -> info(d, c.name()).windDown() != null);
                String why = info(d, c.name()).windDown();
                assertThat(why).contains("the budget of dora is spent").contains("of 4 core-seconds used");

                TaskFuture<Integer> refused = client.submit(() -> 1);
                assertThatThrownBy(refused::get).isInstanceOf(ExecutionException.class)
                        .cause().isInstanceOf(WorkRefusedException.class).hasMessage(why);
                assertThatThrownBy(() -> c.scale(2)).isInstanceOfSatisfying(GatewayException.class, e -> {
                    assertThat(e.status()).isEqualTo(409);
                    assertThat(e.getMessage()).contains("takes no new work").contains(why);
                });
                // The worker stops; the result it computed moved to the keeper and comes through the gateway.
                long id = record(c.name()).id();
                await().atMost(Duration.ofSeconds(60)).until(() -> gw.server.database().clusters().workersPresent(id).isEmpty());
                assertThat(kept.get(30, TimeUnit.SECONDS)).isEqualTo(42);
                assertThat(record(c.name()).stopReason()).isNull();
            }
            // Reclaimed when idle, the cluster ends for its budget.
            gw.clock.advance(ReclaimTimeouts.DEFAULTS.idle().plusMinutes(1));
            await().atMost(Duration.ofSeconds(30)).until(() -> record(c.name()).stopReason() != null);
            assertThat(record(c.name()).stopReason()).isEqualTo(StopReason.BUDGET);
            assertThat(record(c.name()).stopDetail()).contains("the budget of dora is spent").contains("(idle)");
            // Allocation ended within a lease and a poll of the wind-down, plus the worker's stop.
            assertThat(record(c.name()).usage().allocatedCoreSeconds()).isGreaterThan(2.0).isLessThan(10.0);
            assertThatThrownBy(() -> d.newCluster(ClusterOptions.builder().workers(1).build()))
                    .isInstanceOfSatisfying(GatewayException.class, e -> {
                        assertThat(e.status()).isEqualTo(422);
                        assertThat(e.getMessage()).contains("budget of 4 core-seconds").contains("left");
                    });
        }
    }

    static GatewayClusterInfo info(Gateway g, String name) {
        return g.clusters(true).stream().filter(i -> i.name().equals(name)).findFirst().orElseThrow();
    }

    @Test
    void aTokenNeverOutlivesTheTokenThatMadeIt() throws Exception {
        String shortLived = gw.server.database().accounts().issueToken("bob", "short", gw.clock.instant().plus(Duration.ofDays(1)),
                gw.clock.instant());
        RawHttp raw = new RawHttp(gw.server);
        RawHttp.Answer made = raw.send("POST", "/api/v1/tokens", shortLived, "{\"label\": \"forever?\"}");
        assertThat(made.status()).isEqualTo(201);
        String minted = made.body().replaceAll(".*\"token\":\"([^\"]+)\".*", "$1");
        assertThat(gw.server.database().accounts().expiryOf(minted)).contains(gw.clock.instant().plus(Duration.ofDays(1)));
    }

    @Test
    void limitsRefuseACreateAndClampAScaleWithTheFigures() {
        try (Gateway a = gw.connect(alice);
             GatewayCluster one = a.newCluster(ClusterOptions.builder().workers(0).build())) {
            assertThatThrownBy(() -> a.newCluster(ClusterOptions.builder().workers(5).build()))
                    .isInstanceOfSatisfying(GatewayException.class, e -> {
                        assertThat(e.status()).isEqualTo(422);
                        assertThat(e.getMessage()).contains("max-workers-per-cluster 4").contains("5 workers asked for, 4 fit");
                    });
            assertThat(one.scale(9)).isEqualTo(4);
            assertThat(one.lastMessage()).contains("max-workers-per-cluster 4");
            try (GatewayCluster two = a.newCluster(ClusterOptions.builder().workers(0).build())) {
                assertThatThrownBy(() -> a.newCluster(ClusterOptions.builder().workers(0).build()))
                        .hasMessageContaining("max-clusters 2 reached");
            }
        }
    }

    @Test
    void aClusterWithoutAClientIsStoppedAfterTheNoClientTimeoutOnTheGatewaysClock() {
        try (Gateway a = gw.connect(alice)) {
            GatewayCluster c = a.newCluster(ClusterOptions.builder().workers(0).build());
            gw.clock.advance(Duration.ofSeconds(119));
            gw.server.fleet().poll();
            assertThat(record(c.name()).stoppedAt()).isNull();
            gw.clock.advance(Duration.ofSeconds(1));
            await().atMost(Duration.ofSeconds(30)).until(() -> record(c.name()).stopReason() == StopReason.NO_CLIENT);
            assertThat(record(c.name()).stopDetail()).contains("no-client-timeout 120 s");
            assertThat(Files.exists(gw.dir.resolve("data/clusters").resolve(c.name()))).isFalse();
            // Its record stays readable, as Dask Gateway's does; a handle on it for work is refused.
            assertThat(c.info().state()).isEqualTo("stopped");
            assertThat(c.info().stopReason()).isEqualTo("no-client");
            assertThatThrownBy(() -> a.connect(c.name())).isInstanceOfSatisfying(GatewayException.class, e -> {
                assertThat(e.status()).isEqualTo(409);
                assertThat(e.getMessage()).contains("is not running (stopped)");
            });
            assertThatThrownBy(() -> c.scale(1)).isInstanceOfSatisfying(GatewayException.class, e -> assertThat(e.status()).isEqualTo(409));
        }
    }

    @Test
    void aConnectedClientThatDoesNothingIsIdleButADetachedClusterOutlivesItsClient() throws Exception {
        try (Gateway b = gw.connect(bob)) {
            GatewayCluster c = b.newCluster(ClusterOptions.builder().workers(1).detached(true).build());
            try (Client client = Client.connect(c)) {
                assertThat(client.submit(() -> "ran").get()).isEqualTo("ran");
                await().atMost(Duration.ofSeconds(10)).until(() -> gw.server.fleet().running(c.name()).orElseThrow().lastStatus.finished() == 1);
            }
            gw.clock.advance(Duration.ofMinutes(5)); // no client for 5 min: detached, so it stays
            gw.server.fleet().poll();
            assertThat(record(c.name()).stoppedAt()).isNull();
            gw.clock.advance(Duration.ofMinutes(16));
            await().atMost(Duration.ofSeconds(30)).until(() -> record(c.name()).stopReason() == StopReason.IDLE);
            assertThat(record(c.name()).usage().tasks()).isEqualTo(1);
            assertThat(record(c.name()).usage().allocatedCoreSeconds()).isPositive();
        }
    }
}
