package dev.burst.internal.gateway.ledger;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The ledger on a real PostgreSQL (Debian's, a throwaway server per class): the same contract as
 * on H2, the quota race included. Skips loudly where PostgreSQL cannot start; fails under CI=true.
 */
class PostgresLedgerTest extends LedgerContract {
    private static PostgresServer server;

    @BeforeAll
    static void startServer() throws Exception {
        server = PostgresServer.startOrSkip();
    }

    @AfterAll
    static void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    @Override
    GatewayDatabase open() {
        GatewayDatabase db = GatewayDatabase.open(server.jdbcUrl(), server.user(), server.password());
        // A fresh schema per test: drop what the last test left (Flyway recreates it).
        db.jdbi().useHandle(h -> h.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public"));
        db.close();
        return GatewayDatabase.open(server.jdbcUrl(), server.user(), server.password());
    }
}
