package dev.burst.internal.gateway.server;

import dev.burst.gateway.Gateway;
import dev.burst.internal.gateway.ledger.Budget;
import dev.burst.internal.gateway.ledger.Limits;
import dev.burst.internal.gateway.reclaim.ReclaimTimeouts;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Consumer;

/** A gateway for tests: a temporary data directory, an injected clock, fast polling, small workers. */
final class TestGateway implements AutoCloseable {
    final MutableClock clock = new MutableClock(Instant.parse("2026-12-01T10:00:00Z"));
    final GatewayServer server;
    final Path dir;

    TestGateway(Path dir, Consumer<GatewaySettings.Builder> more) {
        this.dir = dir;
        GatewaySettings.Builder b = GatewaySettings.builder(dir.resolve("data")).port(0).clock(clock)
                .pollInterval(Duration.ofMillis(100)).defaultMemory("256m").defaultMaxWorkers(2).spareProcesses(0)
                .reclaim(ReclaimTimeouts.DEFAULTS);
        more.accept(b);
        server = GatewayServer.start(b.build());
    }

    TestGateway(Path dir) {
        this(dir, b -> { });
    }

    /** Adds a user and returns their API token. */
    String addUser(String name, Limits limits, Budget budget) {
        server.database().accounts().addUser(name, null, false, limits, budget, clock.instant());
        return server.database().accounts().issueToken(name, "test", null, clock.instant());
    }

    String addUser(String name) {
        return addUser(name, Limits.NONE, Budget.NONE);
    }

    /** The ledger's record of cluster {@code name}. */
    dev.burst.internal.gateway.ledger.ClusterRecord record(String name) {
        return server.database().clusters().find(name).orElseThrow();
    }

    /** A client of the gateway as {@code token}'s user, pinning the gateway's certificate. */
    Gateway connect(String token) {
        return Gateway.builder(server.url()).token(token).certificateSha256(server.certificateSha256())
                .home(dir.resolve("client-home")).build();
    }

    @Override
    public void close() {
        server.close();
    }
}
