package dev.burst.internal.gateway.ledger;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The {@link PostgresServer} fixture itself: it starts a server that takes plain JDBC, holds row
 * locks, and leaves no process and no directory behind once closed.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class PostgresServerTest {

    @Test
    void startsAServerThatLocksRowsAndLeavesNothingBehind() throws Exception {
        PostgresServer server = PostgresServer.startOrSkip();
        System.err.printf("PostgresServerTest: PostgreSQL started in %d ms (%s)%n", server.startTime().toMillis(), server);
        Path dir = server.directory();
        List<ProcessHandle> processes = new ArrayList<>();
        try {
            long postmaster = server.postmasterPid().orElseThrow();
            assertThat(PostgresServer.isRunning(postmaster)).isTrue();
            try (Connection a = DriverManager.getConnection(server.jdbcUrl(), server.user(), server.password());
                 Connection b = DriverManager.getConnection(server.jdbcUrl(), server.user(), server.password())) {
                assertThat(a.getCatalog()).isEqualTo(PostgresServer.DATABASE);
                try (Statement s = a.createStatement()) {
                    s.execute("CREATE TABLE account (id INT PRIMARY KEY, balance BIGINT NOT NULL)");
                    assertThat(s.executeUpdate("INSERT INTO account VALUES (1, 100)")).isEqualTo(1);
                    try (ResultSet rs = s.executeQuery("SELECT balance FROM account WHERE id = 1")) {
                        assertThat(rs.next()).isTrue();
                        assertThat(rs.getLong(1)).isEqualTo(100);
                    }
                }

                a.setAutoCommit(false);
                try (Statement s = a.createStatement();
                     ResultSet rs = s.executeQuery("SELECT balance FROM account WHERE id = 1 FOR UPDATE")) {
                    assertThat(rs.next()).isTrue();
                }
                // While a holds the row, b cannot lock it (55P03: lock_not_available)...
                try (Statement s = b.createStatement()) {
                    assertThatThrownBy(() -> s.executeQuery("SELECT balance FROM account WHERE id = 1 FOR UPDATE NOWAIT"))
                            .isInstanceOf(SQLException.class)
                            .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("55P03"));
                }
                try (Statement s = a.createStatement()) {
                    s.executeUpdate("UPDATE account SET balance = balance - 30 WHERE id = 1");
                }
                a.commit();
                // ...and once a commits, b can, and sees a's update.
                try (Statement s = b.createStatement();
                     ResultSet rs = s.executeQuery("SELECT balance FROM account WHERE id = 1 FOR UPDATE NOWAIT")) {
                    assertThat(rs.next()).isTrue();
                    assertThat(rs.getLong(1)).isEqualTo(70);
                }

                ProcessHandle.of(postmaster).ifPresent(h -> {
                    processes.add(h);
                    h.descendants().forEach(processes::add);
                });
                assertThat(processes).hasSizeGreaterThan(2); // the postmaster, its helpers, the two backends
            }
        } finally {
            server.close();
        }

        assertThat(processes).allSatisfy(h -> assertThat(PostgresServer.isRunning(h.pid()))
                .as("PostgreSQL process %d after close", h.pid()).isFalse());
        assertThat(Files.exists(dir)).as("%s after close", dir).isFalse();
        server.close(); // twice is harmless
    }
}
