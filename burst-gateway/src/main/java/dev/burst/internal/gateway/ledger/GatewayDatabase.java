package dev.burst.internal.gateway.ledger;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import org.flywaydb.core.Flyway;
import org.jdbi.v3.core.Jdbi;

import java.nio.file.Path;
import java.util.Objects;

/**
 * The gateway's database: a connection pool, the schema brought up to date, and the record stores.
 *
 * <p>Design note: H2 runs embedded in the gateway's JVM from a file under the data directory
 * ({@code WRITE_DELAY=0}: a commit is in the file before it returns, so a gateway killed with {@code kill -9}
 * a moment after stopping a cluster has recorded the stop; {@code AUTO_SERVER} so that {@code burst gateway user add} works beside a running gateway, {@code LOCK_TIMEOUT} raised so that 20 concurrent creates queue
 * on the user's row lock instead of failing after H2's default second). PostgreSQL is reached by a
 * JDBC URL. Flyway migrates either at open, so a newer gateway upgrades the ledger in place.
 */
public final class GatewayDatabase implements AutoCloseable {
    private static final int POOL_SIZE = 16;

    private final HikariDataSource pool;
    private final Jdbi jdbi;
    private final String description;
    private final Accounts accounts;
    private final ClusterRecords clusters;
    private final UsageRecords usage;

    private GatewayDatabase(HikariDataSource pool, String description) {
        this.pool = pool;
        this.jdbi = Jdbi.create(pool);
        this.description = description;
        this.accounts = new Accounts(jdbi);
        this.clusters = new ClusterRecords(jdbi);
        this.usage = new UsageRecords(jdbi);
    }

    /** The H2 database in {@code dataDir/ledger.mv.db}, made if missing. */
    public static GatewayDatabase openH2(Path dataDir) {
        Objects.requireNonNull(dataDir, "dataDir");
        String url = "jdbc:h2:file:" + dataDir.toAbsolutePath().resolve("ledger") + ";LOCK_TIMEOUT=30000;AUTO_SERVER=TRUE;WRITE_DELAY=0";
        return open(url, "burst", "");
    }

    /**
     * The database at {@code jdbcUrl} ({@code jdbc:postgresql://host/db} or {@code jdbc:h2:...}),
     * its schema migrated to this gateway's version.
     *
     * @throws LedgerException if it cannot be reached or migrated, naming the URL (never the password)
     */
    public static GatewayDatabase open(String jdbcUrl, String user, String password) {
        Objects.requireNonNull(jdbcUrl, "jdbcUrl");
        if (!jdbcUrl.startsWith("jdbc:h2:") && !jdbcUrl.startsWith("jdbc:postgresql:")) {
            throw new LedgerException("unsupported database URL '" + jdbcUrl
                    + "': the gateway keeps its ledger in H2 (jdbc:h2:...) or PostgreSQL (jdbc:postgresql://host:port/db)");
        }
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(jdbcUrl);
        config.setUsername(user);
        config.setPassword(password);
        config.setMaximumPoolSize(POOL_SIZE);
        config.setPoolName("burst-gateway-ledger");
        config.setInitializationFailTimeout(10_000);
        HikariDataSource pool;
        try {
            pool = new HikariDataSource(config);
        } catch (RuntimeException e) {
            throw new LedgerException("cannot open the gateway's database " + jdbcUrl + ": " + rootMessage(e), e);
        }
        try {
            Flyway.configure().dataSource(pool).locations("classpath:db/gateway").load().migrate();
        } catch (RuntimeException e) {
            pool.close();
            throw new LedgerException("cannot bring the gateway's database " + jdbcUrl + " up to date: " + rootMessage(e), e);
        }
        return new GatewayDatabase(pool, jdbcUrl.replaceAll("(?i)(password=)[^&;]*", "$1***"));
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.toString() : t.getMessage();
    }

    public Accounts accounts() {
        return accounts;
    }

    public ClusterRecords clusters() {
        return clusters;
    }

    public UsageRecords usage() {
        return usage;
    }

    public Jdbi jdbi() {
        return jdbi;
    }

    /** The JDBC URL (no credentials). */
    public String description() {
        return description;
    }

    @Override
    public void close() {
        pool.close();
    }
}
