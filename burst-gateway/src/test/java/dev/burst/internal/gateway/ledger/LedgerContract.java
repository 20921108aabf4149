package dev.burst.internal.gateway.ledger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What the ledger must do on every database it runs on (H2 and PostgreSQL subclasses). */
abstract class LedgerContract {
    static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");
    static final Duration LEASE = Duration.ofSeconds(60);

    GatewayDatabase db;

    abstract GatewayDatabase open() throws Exception;

    @BeforeEach
    void openDatabase() throws Exception {
        db = open();
    }

    @AfterEach
    void closeDatabase() {
        if (db != null) {
            db.close();
        }
    }

    static ClusterRequest request(String name, int workers, int cores) {
        return ClusterRequest.exactly(name, "local", "{}", new ClusterShape(workers, cores, 1L << 30, 0), false);
    }

    static Limits maxClusters(int n) {
        return new Limits(n, null, null, null, null, null);
    }

    @Test
    void twentyConcurrentCreatesUnderMaxClustersTwoMakeExactlyTwo() throws Exception {
        UserRecord alice = db.accounts().addUser("alice", null, false, maxClusters(2), Budget.NONE, T0);
        ExecutorService pool = Executors.newFixedThreadPool(20);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Boolean>> results = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            String name = "c" + i;
            Callable<Boolean> create = () -> {
                go.await();
                try {
                    db.clusters().reserve(alice, request(name, 1, 1), LEASE, T0);
                    return true;
                } catch (LimitExceededException e) {
                    assertThat(e.getMessage()).contains("max-clusters 2");
                    return false;
                }
            };
            results.add(pool.submit(create));
        }
        go.countDown();
        int made = 0;
        for (Future<Boolean> f : results) {
            made += f.get(60, TimeUnit.SECONDS) ? 1 : 0;
        }
        pool.shutdown();
        assertThat(made).isEqualTo(2);
        assertThat(db.clusters().ofUser(alice.id(), true)).hasSize(2);
    }

    @Test
    void coresLimitRefusesOnCreateNamingFiguresAndClampsOnResize() {
        UserRecord bob = db.accounts().addUser("bob", null, false, new Limits(null, 8, null, null, null, null), Budget.NONE, T0);
        ClusterRecord a = db.clusters().reserve(bob, request("a", 2, 2), LEASE, T0).record(); // 4 cores
        assertThatThrownBy(() -> db.clusters().reserve(bob, request("b", 3, 2), LEASE, T0))
                .isInstanceOf(LimitExceededException.class)
                .hasMessageContaining("max-cores 8").hasMessageContaining("4 held by your other clusters")
                .hasMessageContaining("3 workers asked for, 2 fit");
        LimitCheck.Fit fit = db.clusters().resize(a.id(), 10, LEASE, T0);
        assertThat(fit.workers()).isEqualTo(4);
        assertThat(fit.binding()).singleElement().asString().contains("max-cores 8");
        assertThat(db.clusters().find("a").orElseThrow().shape().maxWorkers()).isEqualTo(4);
    }

    @Test
    void anAdaptiveMaximumOverALimitIsClampedAndSaysWhyAFixedSizeIsRefused() {
        UserRecord ann = db.accounts().addUser("ann", null, false, new Limits(null, 2, null, null, null, null), Budget.NONE, T0);
        ClusterShape fourOfOne = new ClusterShape(4, 1, 1L << 30, 0);
        assertThatThrownBy(() -> db.clusters().reserve(ann, ClusterRequest.exactly("fixed", "local", "{}", fourOfOne, false), LEASE, T0))
                .isInstanceOf(LimitExceededException.class).hasMessageContaining("4 workers asked for, 2 fit");

        ClusterRecords.Reserved r = db.clusters().reserve(ann, new ClusterRequest("adaptive", "local", "{}", fourOfOne, false, 0), LEASE, T0);
        assertThat(r.record().shape().maxWorkers()).isEqualTo(2);
        assertThat(db.clusters().find("adaptive").orElseThrow().shape().maxWorkers()).isEqualTo(2);
        assertThat(r.clamped()).contains("4 workers asked for, 2 fit").contains("max-cores 2");

        // the 2 cores are held now: an adaptive request that no worker fits is refused, not made empty
        UserRecord annAgain = db.accounts().user("ann").orElseThrow();
        assertThatThrownBy(() -> db.clusters().reserve(annAgain, new ClusterRequest("none-fit", "local", "{}", fourOfOne, false, 0),
                LEASE, T0)).isInstanceOf(LimitExceededException.class).hasMessageContaining("4 workers asked for, 0 fit");
        // nor is one whose minimum does not fit
        UserRecord ben = db.accounts().addUser("ben", null, false, new Limits(null, 2, null, null, null, null), Budget.NONE, T0);
        assertThatThrownBy(() -> db.clusters().reserve(ben, new ClusterRequest("min-3", "local", "{}", fourOfOne, false, 3),
                LEASE, T0)).isInstanceOf(LimitExceededException.class).hasMessageContaining("4 workers asked for, 2 fit")
                .hasMessageContaining("its minimum of 3 does not fit: ask for a minimum of at most 2");
        // a worker bigger than the limit never fits: the refusal says to ask for smaller ones
        assertThatThrownBy(() -> db.clusters().reserve(ben, new ClusterRequest("big", "local", "{}", new ClusterShape(8, 4, 1L << 30, 0),
                false, 0), LEASE, T0)).isInstanceOf(LimitExceededException.class)
                .hasMessageContaining("8 workers asked for, 0 fit").hasMessageContaining("one worker alone is over the limit");
        // a request that fits is not clamped
        assertThat(db.clusters().reserve(ben, new ClusterRequest("fits", "local", "{}", new ClusterShape(2, 1, 1L << 30, 0), false, 0),
                LEASE, T0).clamped()).isNull();
    }

    @Test
    void groupLimitsCountEveryMember() {
        db.accounts().addGroup("lab", maxClusters(1), T0);
        UserRecord carol = db.accounts().addUser("carol", "lab", false, Limits.NONE, Budget.NONE, T0);
        UserRecord dave = db.accounts().addUser("dave", "lab", false, Limits.NONE, Budget.NONE, T0);
        db.clusters().reserve(carol, request("x", 1, 1), LEASE, T0);
        assertThatThrownBy(() -> db.clusters().reserve(dave, request("y", 1, 1), LEASE, T0))
                .hasMessageContaining("group lab's limit max-clusters 1");
    }

    @Test
    void stoppedClustersNoLongerCountAndKeepTheirReason() {
        UserRecord erin = db.accounts().addUser("erin", null, false, maxClusters(1), Budget.NONE, T0);
        ClusterRecord c = db.clusters().reserve(erin, request("e1", 1, 1), LEASE, T0).record();
        assertThat(db.clusters().markRunning(c.id(), 123, 4567, "burst://127.0.0.1:1", "ab".repeat(32), T0)).isTrue();
        assertThat(db.clusters().markStopped(c.id(), ClusterState.STOPPED, StopReason.NO_CLIENT, "no client for 120 s", T0)).isTrue();
        assertThat(db.clusters().markStopped(c.id(), ClusterState.STOPPED, StopReason.USER, null, T0)).isFalse();
        ClusterRecord stopped = db.clusters().find("e1").orElseThrow();
        assertThat(stopped.stopReason()).isEqualTo(StopReason.NO_CLIENT);
        assertThat(stopped.state()).isEqualTo(ClusterState.STOPPED);
        db.clusters().reserve(erin, request("e2", 1, 1), LEASE, T0);
    }

    @Test
    void budgetRefusesWhatALeaseCannotCoverAndUsageIsCountedPerDay() {
        UserRecord fay = db.accounts().addUser("fay", null, false, Limits.NONE, new Budget(1000.0, null, null), T0);
        ClusterRecord c = db.clusters().reserve(fay, request("f1", 2, 4), LEASE, T0).record(); // lease: 8 cores x 60 s = 480
        db.clusters().addUsage(c, new UsageFigures(700, 350, 0, 0, 10), T0);
        db.clusters().addUsage(c, new UsageFigures(100, 90, 0, 0, 5), T0.plus(Duration.ofDays(1)));
        assertThatThrownBy(() -> db.clusters().reserve(fay, request("f2", 2, 4), LEASE, T0.plus(Duration.ofDays(1))))
                .isInstanceOf(LimitExceededException.class)
                .hasMessageContaining("budget of 1000 core-seconds").hasMessageContaining("800.0 used")
                .hasMessageContaining("200.0 left").hasMessageContaining("needs 480.0");
        assertThat(db.clusters().find("f1").orElseThrow().usage().allocatedCoreSeconds()).isEqualTo(800);
        List<UsageRecords.Day> days = db.usage().perDay(fay.id(), Instant.EPOCH);
        assertThat(days).extracting(d -> d.usage().tasks()).containsExactly(10L, 5L);
        assertThat(db.usage().since(fay.id(), T0.plusSeconds(1)).allocatedCoreSeconds()).isEqualTo(100);
    }

    @Test
    void tokensAreStoredHashedExpireAndDieWithTheirUser() {
        db.accounts().addUser("gus", null, false, Limits.NONE, Budget.NONE, T0);
        String secret = db.accounts().issueToken("gus", "laptop", T0.plus(Duration.ofDays(30)), T0);
        assertThat(TokenSecrets.wellFormed(secret)).isTrue();
        assertThat(db.accounts().authenticate(secret, T0)).map(UserRecord::name).contains("gus");
        assertThat(db.accounts().authenticate(secret, T0.plus(Duration.ofDays(30)))).isEmpty();
        assertThat(db.accounts().authenticate(secret.substring(0, secret.length() - 1) + "x", T0)).isEmpty();
        String stored = db.jdbi().withHandle(h -> h.createQuery("SELECT secret_sha256 FROM api_tokens").mapTo(String.class).one());
        assertThat(stored).isEqualTo(TokenSecrets.hash(secret)).doesNotContain(secret.substring(6, 20));
        assertThat(db.accounts().tokens("gus")).singleElement().satisfies(t -> assertThat(t.lastUsedAt()).isEqualTo(T0));
        db.accounts().removeUser("gus", T0);
        assertThat(db.accounts().authenticate(secret, T0)).isEmpty();
    }

    @Test
    void namesWithSqlMetacharactersAreRefusedAndValuesAreBound() {
        assertThatThrownBy(() -> db.accounts().addUser("x'; DROP TABLE users; --", null, false, Limits.NONE, Budget.NONE, T0))
                .hasMessageContaining("bad user name");
        UserRecord h = db.accounts().addUser("hal", null, false, Limits.NONE, Budget.NONE, T0);
        ClusterRecord c = db.clusters().reserve(h, ClusterRequest.exactly("quote'name", "local", "{\"a\":\"'; DROP TABLE clusters; --\"}",
                new ClusterShape(1, 1, 0, 0), false), LEASE, T0).record();
        assertThat(db.clusters().find("quote'name").orElseThrow().optionsJson()).contains("DROP TABLE clusters");
        assertThat(db.accounts().users()).extracting(UserRecord::name).containsExactly("hal");
        assertThat(c.state()).isEqualTo(ClusterState.STARTING);
    }
}
