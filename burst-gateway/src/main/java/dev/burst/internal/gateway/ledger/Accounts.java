package dev.burst.internal.gateway.ledger;

import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.Update;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Users, groups and API tokens. Names are checked against {@link #NAME} before they reach SQL or
 * a file name, and every value is bound as a parameter.
 */
public final class Accounts {
    /** User and group names: what a Unix user name may be, so a gateway user can be an OS user. */
    public static final Pattern NAME = Pattern.compile("[a-z_][a-z0-9_.-]{0,63}");
    static final String USER_COLUMNS = "u.id, u.name, u.group_id, g.name AS group_name, u.is_admin, u.max_clusters, u.max_cores, "
            + "u.max_memory_bytes, u.max_gpus, u.max_workers_per_cluster, u.max_lifetime_seconds, u.budget_core_seconds, "
            + "u.budget_gpu_seconds, u.budget_period_seconds, u.created_at, u.removed_at";
    static final String USER_FROM = " FROM users u LEFT JOIN user_groups g ON g.id = u.group_id";

    private final Jdbi jdbi;

    Accounts(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    /** Checks a user or group name, naming the rule it breaks. */
    /** How every Burst API token begins (anything else may be a JupyterHub token). */
    public static final String TOKEN_PREFIX = TokenSecrets.PREFIX;

    public static String checkedName(String what, String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("bad " + what + " name '" + name + "': use 1 to 64 of lowercase letters, digits, "
                    + "'_', '.', '-', starting with a letter or '_'");
        }
        return name;
    }

    // ---------------------------------------------------------------- users

    /**
     * Adds user {@code name}, or brings back one that was removed (with these settings).
     *
     * @throws IllegalArgumentException if the name is bad, the group unknown, or the user exists
     */
    public UserRecord addUser(String name, String group, boolean admin, Limits limits, Budget budget, Instant now) {
        checkedName("user", name);
        return jdbi.inTransaction(h -> {
            Long groupId = group == null ? null : groupId(h, group);
            Optional<UserRecord> existing = user(h, name);
            if (existing.isPresent() && !existing.get().removed()) {
                throw new IllegalArgumentException("user '" + name + "' exists already");
            }
            Update u;
            if (existing.isPresent()) {
                u = h.createUpdate("UPDATE users SET group_id = :group, is_admin = :admin, max_clusters = :maxClusters, "
                        + "max_cores = :maxCores, max_memory_bytes = :maxMemory, max_gpus = :maxGpus, "
                        + "max_workers_per_cluster = :maxWorkers, max_lifetime_seconds = :maxLifetime, "
                        + "budget_core_seconds = :budgetCore, budget_gpu_seconds = :budgetGpu, budget_period_seconds = :budgetPeriod, "
                        + "removed_at = NULL WHERE name = :name");
            } else {
                u = h.createUpdate("INSERT INTO users (name, group_id, is_admin, max_clusters, max_cores, max_memory_bytes, max_gpus, "
                        + "max_workers_per_cluster, max_lifetime_seconds, budget_core_seconds, budget_gpu_seconds, "
                        + "budget_period_seconds, created_at) VALUES (:name, :group, :admin, :maxClusters, :maxCores, :maxMemory, "
                        + ":maxGpus, :maxWorkers, :maxLifetime, :budgetCore, :budgetGpu, :budgetPeriod, :now)");
            }
            bindLimits(u, limits);
            u.bind("name", name).bind("group", groupId).bind("admin", admin)
                    .bind("budgetCore", budget.coreSeconds()).bind("budgetGpu", budget.gpuSeconds())
                    .bind("budgetPeriod", budget.period() == null ? null : budget.period().toSeconds())
                    .bind("now", at(now)).execute();
            return user(h, name).orElseThrow();
        });
    }

    /** Replaces user {@code name}'s limits and budget. */
    public UserRecord setLimits(String name, Limits limits, Budget budget) {
        return jdbi.inTransaction(h -> {
            Update u = h.createUpdate("UPDATE users SET max_clusters = :maxClusters, max_cores = :maxCores, "
                    + "max_memory_bytes = :maxMemory, max_gpus = :maxGpus, max_workers_per_cluster = :maxWorkers, "
                    + "max_lifetime_seconds = :maxLifetime, budget_core_seconds = :budgetCore, budget_gpu_seconds = :budgetGpu, "
                    + "budget_period_seconds = :budgetPeriod WHERE name = :name AND removed_at IS NULL");
            bindLimits(u, limits);
            int n = u.bind("name", name).bind("budgetCore", budget.coreSeconds()).bind("budgetGpu", budget.gpuSeconds())
                    .bind("budgetPeriod", budget.period() == null ? null : budget.period().toSeconds()).execute();
            if (n == 0) {
                throw new IllegalArgumentException("no user '" + name + "'");
            }
            return user(h, name).orElseThrow();
        });
    }

    /** The user called {@code name}, removed or not. */
    public Optional<UserRecord> user(String name) {
        return jdbi.withHandle(h -> user(h, name));
    }

    static Optional<UserRecord> user(Handle h, String name) {
        return h.createQuery("SELECT " + USER_COLUMNS + USER_FROM + " WHERE u.name = :name")
                .bind("name", name).map((rs, ctx) -> userRow(rs)).findOne();
    }

    public List<UserRecord> users() {
        return jdbi.withHandle(h -> h.createQuery("SELECT " + USER_COLUMNS + USER_FROM + " ORDER BY u.name")
                .map((rs, ctx) -> userRow(rs)).list());
    }

    /**
     * Removes user {@code name}: revokes their tokens and marks them removed. Their records (and
     * their clusters' usage) stay in the ledger; their running clusters are the caller's to stop.
     */
    public void removeUser(String name, Instant now) {
        jdbi.useTransaction(h -> {
            int n = h.createUpdate("UPDATE users SET removed_at = :now WHERE name = :name AND removed_at IS NULL")
                    .bind("name", name).bind("now", at(now)).execute();
            if (n == 0) {
                throw new IllegalArgumentException("no user '" + name + "'");
            }
            h.createUpdate("UPDATE api_tokens SET revoked_at = :now WHERE revoked_at IS NULL "
                    + "AND user_id = (SELECT id FROM users WHERE name = :name)").bind("name", name).bind("now", at(now)).execute();
        });
    }

    // ---------------------------------------------------------------- groups

    public GroupRecord addGroup(String name, Limits limits, Instant now) {
        checkedName("group", name);
        return jdbi.inTransaction(h -> {
            if (h.createQuery("SELECT COUNT(*) FROM user_groups WHERE name = :name").bind("name", name).mapTo(Integer.class).one() > 0) {
                throw new IllegalArgumentException("group '" + name + "' exists already");
            }
            Update u = h.createUpdate("INSERT INTO user_groups (name, max_clusters, max_cores, max_memory_bytes, max_gpus, "
                    + "max_workers_per_cluster, max_lifetime_seconds, created_at) VALUES (:name, :maxClusters, :maxCores, :maxMemory, "
                    + ":maxGpus, :maxWorkers, :maxLifetime, :now)");
            bindLimits(u, limits);
            u.bind("name", name).bind("now", at(now)).execute();
            return group(h, name).orElseThrow();
        });
    }

    public GroupRecord setGroupLimits(String name, Limits limits) {
        return jdbi.inTransaction(h -> {
            Update u = h.createUpdate("UPDATE user_groups SET max_clusters = :maxClusters, max_cores = :maxCores, "
                    + "max_memory_bytes = :maxMemory, max_gpus = :maxGpus, max_workers_per_cluster = :maxWorkers, "
                    + "max_lifetime_seconds = :maxLifetime WHERE name = :name");
            bindLimits(u, limits);
            if (u.bind("name", name).execute() == 0) {
                throw new IllegalArgumentException("no group '" + name + "'");
            }
            return group(h, name).orElseThrow();
        });
    }

    /** Puts user {@code user} in group {@code group} (null: in none). */
    public UserRecord setGroup(String user, String group) {
        return jdbi.inTransaction(h -> {
            Long id = group == null ? null : groupId(h, group);
            if (h.createUpdate("UPDATE users SET group_id = :group WHERE name = :name AND removed_at IS NULL")
                    .bind("group", id).bind("name", user).execute() == 0) {
                throw new IllegalArgumentException("no user '" + user + "'");
            }
            return user(h, user).orElseThrow();
        });
    }

    public List<GroupRecord> groups() {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM user_groups ORDER BY name").map((rs, ctx) -> groupRow(rs)).list());
    }

    public Optional<GroupRecord> group(String name) {
        return jdbi.withHandle(h -> group(h, name));
    }

    static Optional<GroupRecord> group(Handle h, String name) {
        return h.createQuery("SELECT * FROM user_groups WHERE name = :name").bind("name", name).map((rs, ctx) -> groupRow(rs)).findOne();
    }

    static Optional<GroupRecord> group(Handle h, long id) {
        return h.createQuery("SELECT * FROM user_groups WHERE id = :id").bind("id", id).map((rs, ctx) -> groupRow(rs)).findOne();
    }

    private static long groupId(Handle h, String group) {
        return group(h, group).map(GroupRecord::id)
                .orElseThrow(() -> new IllegalArgumentException("no group '" + group + "'"));
    }

    // ---------------------------------------------------------------- tokens

    /**
     * A new API token for {@code user}: returns the secret, which is shown once and stored only as
     * its hash.
     *
     * @param expiresAt null: does not expire
     */
    public String issueToken(String user, String label, Instant expiresAt, Instant now) {
        String secret = TokenSecrets.newSecret();
        jdbi.useTransaction(h -> {
            UserRecord u = user(h, user).filter(r -> !r.removed())
                    .orElseThrow(() -> new IllegalArgumentException("no user '" + user + "'"));
            h.createUpdate("INSERT INTO api_tokens (user_id, secret_sha256, label, created_at, expires_at) "
                            + "VALUES (:user, :hash, :label, :now, :expires)")
                    .bind("user", u.id()).bind("hash", TokenSecrets.hash(secret)).bind("label", label == null ? "" : label)
                    .bind("now", at(now)).bind("expires", expiresAt == null ? null : at(expiresAt)).execute();
        });
        return secret;
    }

    /**
     * Who holds {@code secret}: the user of a token that is neither expired, revoked nor the
     * user's removed; records the token's last use.
     */
    public Optional<UserRecord> authenticate(String secret, Instant now) {
        if (!TokenSecrets.wellFormed(secret)) {
            return Optional.empty();
        }
        String hash = TokenSecrets.hash(secret);
        return jdbi.inTransaction(h -> {
            Optional<TokenRow> row = h.createQuery("SELECT id, user_id, secret_sha256, expires_at, revoked_at, last_used_at "
                            + "FROM api_tokens WHERE secret_sha256 = :hash")
                    .bind("hash", hash)
                    .map((rs, ctx) -> new TokenRow(rs.getLong("id"), rs.getLong("user_id"), rs.getString("secret_sha256"),
                            instant(rs, "expires_at"), instant(rs, "revoked_at"), instant(rs, "last_used_at")))
                    .findOne();
            if (row.isEmpty() || !TokenSecrets.sameHash(row.get().hash, hash) || row.get().revokedAt != null
                    || row.get().expiresAt != null && !now.isBefore(row.get().expiresAt)) {
                return Optional.empty();
            }
            Optional<UserRecord> user = h.createQuery("SELECT " + USER_COLUMNS + USER_FROM + " WHERE u.id = :id")
                    .bind("id", row.get().userId).map((rs, ctx) -> userRow(rs)).findOne().filter(u -> !u.removed());
            // Last use to the minute: a busy client does not write a row per request.
            if (user.isPresent() && (row.get().lastUsedAt == null || Duration.between(row.get().lastUsedAt, now).toSeconds() >= 60)) {
                h.createUpdate("UPDATE api_tokens SET last_used_at = :now WHERE id = :id").bind("now", at(now))
                        .bind("id", row.get().id).execute();
            }
            return user;
        });
    }

    /**
     * Why {@code secret} does not authenticate at {@code now} (empty if it does); asked only after
     * {@link #authenticate} refused it, for the refusal's message.
     */
    public Optional<TokenRefusal> refusal(String secret, Instant now) {
        if (!TokenSecrets.wellFormed(secret)) {
            return Optional.of(new TokenRefusal.NotAToken());
        }
        return jdbi.withHandle(h -> {
            Optional<TokenRow> row = h.createQuery("SELECT id, user_id, secret_sha256, expires_at, revoked_at, last_used_at "
                            + "FROM api_tokens WHERE secret_sha256 = :hash")
                    .bind("hash", TokenSecrets.hash(secret))
                    .map((rs, ctx) -> new TokenRow(rs.getLong("id"), rs.getLong("user_id"), rs.getString("secret_sha256"),
                            instant(rs, "expires_at"), instant(rs, "revoked_at"), instant(rs, "last_used_at")))
                    .findOne();
            if (row.isEmpty()) {
                return Optional.of(new TokenRefusal.Unknown());
            }
            TokenRow t = row.get();
            Optional<UserRecord> user = h.createQuery("SELECT " + USER_COLUMNS + USER_FROM + " WHERE u.id = :id")
                    .bind("id", t.userId).map((rs, ctx) -> userRow(rs)).findOne();
            if (user.isEmpty() || user.get().removed()) {
                return Optional.of(new TokenRefusal.UserRemoved(user.map(UserRecord::name).orElse("?")));
            }
            if (t.revokedAt != null) {
                return Optional.of(new TokenRefusal.Revoked(t.revokedAt));
            }
            if (t.expiresAt != null && !now.isBefore(t.expiresAt)) {
                return Optional.of(new TokenRefusal.Expired(t.expiresAt));
            }
            return Optional.empty();
        });
    }

    /** When the token {@code secret} expires; empty when it does not (or is unknown). */
    public Optional<Instant> expiryOf(String secret) {
        if (!TokenSecrets.wellFormed(secret)) {
            return Optional.empty();
        }
        return jdbi.withHandle(h -> h.createQuery("SELECT expires_at FROM api_tokens WHERE secret_sha256 = :hash")
                .bind("hash", TokenSecrets.hash(secret)).map((rs, ctx) -> Optional.ofNullable(instant(rs, "expires_at")))
                .findOne().flatMap(o -> o));
    }

    public List<TokenRecord> tokens(String user) {
        return jdbi.withHandle(h -> h.createQuery("SELECT t.*, u.name AS user_name FROM api_tokens t JOIN users u ON u.id = t.user_id "
                        + "WHERE u.name = :name ORDER BY t.id")
                .bind("name", user)
                .map((rs, ctx) -> new TokenRecord(rs.getLong("id"), rs.getString("user_name"), rs.getString("label"),
                        instant(rs, "created_at"), instant(rs, "expires_at"), instant(rs, "last_used_at"), instant(rs, "revoked_at")))
                .list());
    }

    /** Revokes {@code user}'s token {@code id}; false if they have no such live token. */
    public boolean revokeToken(String user, long id, Instant now) {
        return jdbi.withHandle(h -> h.createUpdate("UPDATE api_tokens SET revoked_at = :now WHERE id = :id AND revoked_at IS NULL "
                        + "AND user_id = (SELECT id FROM users WHERE name = :name)")
                .bind("now", at(now)).bind("id", id).bind("name", user).execute() > 0);
    }

    private record TokenRow(long id, long userId, String hash, Instant expiresAt, Instant revokedAt, Instant lastUsedAt) {
    }

    // ---------------------------------------------------------------- rows

    static void bindLimits(Update u, Limits l) {
        u.bind("maxClusters", l.maxClusters()).bind("maxCores", l.maxCores()).bind("maxMemory", l.maxMemoryBytes())
                .bind("maxGpus", l.maxGpus()).bind("maxWorkers", l.maxWorkersPerCluster())
                .bind("maxLifetime", l.maxLifetime() == null ? null : l.maxLifetime().toSeconds());
    }

    static UserRecord userRow(ResultSet rs) throws SQLException {
        Long period = longOrNull(rs, "budget_period_seconds");
        return new UserRecord(rs.getLong("id"), rs.getString("name"), rs.getString("group_name"), longOrNull(rs, "group_id"),
                rs.getBoolean("is_admin"), limitsRow(rs),
                new Budget(doubleOrNull(rs, "budget_core_seconds"), doubleOrNull(rs, "budget_gpu_seconds"),
                        period == null ? null : Duration.ofSeconds(period)),
                instant(rs, "created_at"), instant(rs, "removed_at"));
    }

    static GroupRecord groupRow(ResultSet rs) throws SQLException {
        return new GroupRecord(rs.getLong("id"), rs.getString("name"), limitsRow(rs));
    }

    private static Limits limitsRow(ResultSet rs) throws SQLException {
        Long lifetime = longOrNull(rs, "max_lifetime_seconds");
        return new Limits(intOrNull(rs, "max_clusters"), intOrNull(rs, "max_cores"), longOrNull(rs, "max_memory_bytes"),
                intOrNull(rs, "max_gpus"), intOrNull(rs, "max_workers_per_cluster"),
                lifetime == null ? null : Duration.ofSeconds(lifetime));
    }

    static Integer intOrNull(ResultSet rs, String column) throws SQLException {
        int v = rs.getInt(column);
        return rs.wasNull() ? null : v;
    }

    static Long longOrNull(ResultSet rs, String column) throws SQLException {
        long v = rs.getLong(column);
        return rs.wasNull() ? null : v;
    }

    static Double doubleOrNull(ResultSet rs, String column) throws SQLException {
        double v = rs.getDouble(column);
        return rs.wasNull() ? null : v;
    }

    static Instant instant(ResultSet rs, String column) throws SQLException {
        OffsetDateTime t = rs.getObject(column, OffsetDateTime.class);
        return t == null ? null : t.toInstant();
    }

    static OffsetDateTime at(Instant t) {
        return OffsetDateTime.ofInstant(t, ZoneOffset.UTC);
    }
}
