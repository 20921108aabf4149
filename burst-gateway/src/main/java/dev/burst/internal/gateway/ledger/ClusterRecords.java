package dev.burst.internal.gateway.ledger;

import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.transaction.TransactionIsolationLevel;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import static dev.burst.internal.gateway.ledger.Accounts.at;
import static dev.burst.internal.gateway.ledger.Accounts.instant;
import static dev.burst.internal.gateway.ledger.Accounts.intOrNull;
import static dev.burst.internal.gateway.ledger.Accounts.longOrNull;

/**
 * Clusters in the ledger, and the one place limits and budgets are enforced.
 *
 * <p>Design note: every change to what a user holds ({@link #reserve}, {@link #resize}) runs in
 * one transaction that first locks the user's group row (if any) and then the user's row with
 * {@code SELECT ... FOR UPDATE}, always in that order, and only then sums what the user and group
 * hold. Two creates for one user therefore queue on the row lock, and the second sees the first's
 * cluster: 20 concurrent creates under {@code max-clusters 2} make exactly 2, on H2 and on
 * PostgreSQL alike (READ COMMITTED: each statement after the lock sees every commit before it).
 * Dask Gateway dropped its per-user limits (#313, #249) and a user of a shared hub once held
 * 8,766 pods; here a limit is a row lock and a sum.
 */
public final class ClusterRecords {
    private static final String COLUMNS = "c.*, u.name AS user_name";
    private static final String FROM = " FROM clusters c JOIN users u ON u.id = c.user_id";
    private static final String ACTIVE = "('STARTING', 'RUNNING')";

    private final Jdbi jdbi;

    ClusterRecords(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    /**
     * Records {@code request} as a STARTING cluster of {@code user} if it fits the user's and group's
     * limits and, with a budget, the budget left covers {@code lease} of it. A request that accepts
     * fewer workers ({@link ClusterRequest#fewestWorkers()}) is recorded with as many as fit, at least
     * one: the record's {@code shape().maxWorkers()} says how many, {@link Reserved#clamped()} why.
     *
     * @throws LimitExceededException naming the limit and the figures
     * @throws IllegalArgumentException if the name is taken
     */
    public Reserved reserve(UserRecord user, ClusterRequest request, Duration lease, Instant now) {
        return jdbi.inTransaction(TransactionIsolationLevel.READ_COMMITTED, h -> {
            Locked locked = lock(h, user.id());
            Holdings userHolds = userHoldings(h, user.id(), -1);
            Holdings groupHolds = locked.group == null ? Holdings.NONE : groupHoldings(h, locked.group.id(), -1);
            Limits groupLimits = locked.group == null ? Limits.NONE : locked.group.limits();
            String groupName = locked.group == null ? "" : locked.group.name();
            String count = LimitCheck.clusterCountProblem(locked.user.limits(), userHolds, groupLimits, groupHolds, groupName);
            if (count != null) {
                throw new LimitExceededException(count);
            }
            LimitCheck.Fit fit = LimitCheck.workersThatFit(request.shape(), locked.user.limits(), userHolds, groupLimits, groupHolds,
                    groupName);
            int wanted = request.shape().maxWorkers();
            // a fixed size gets all its workers or nothing; an adaptive one as many as fit, at least one
            if (fit.workers() < wanted && (request.fewestWorkers() == wanted || fit.workers() < Math.max(1, request.fewestWorkers()))) {
                boolean fixed = request.fewestWorkers() == wanted;
                String hint = fit.workers() == 0 ? ""
                        : fixed ? "; ask for at most " + fit.workers() + " workers, or make the cluster adaptive up to " + wanted
                                + " (an adaptive maximum is clamped to what fits)"
                        : "; its minimum of " + request.fewestWorkers() + " does not fit: ask for a minimum of at most " + fit.workers();
                throw new LimitExceededException(fit.explain(wanted) + hint);
            }
            ClusterShape s = request.shape().withMaxWorkers(Math.min(wanted, fit.workers()));
            String clamped = s.maxWorkers() < wanted ? fit.explain(wanted) : null;
            String budget = budgetProblem(h, locked.user, s, lease, now);
            if (budget != null) {
                throw new LimitExceededException(budget);
            }
            if (h.createQuery("SELECT COUNT(*) FROM clusters WHERE name = :name").bind("name", request.name())
                    .mapTo(Integer.class).one() > 0) {
                throw new IllegalArgumentException("a cluster named '" + request.name() + "' exists already");
            }
            h.createUpdate("INSERT INTO clusters (name, user_id, state, backend, options_json, max_workers, cores_per_worker, "
                            + "memory_per_worker, gpus_per_worker, detached, created_at, allocated_core_seconds, busy_core_seconds, "
                            + "allocated_gpu_seconds, busy_gpu_seconds, tasks) VALUES (:name, :user, 'STARTING', :backend, :options, "
                            + ":workers, :cores, :memory, :gpus, :detached, :now, 0, 0, 0, 0, 0)")
                    .bind("name", request.name()).bind("user", user.id()).bind("backend", request.backend())
                    .bind("options", request.optionsJson()).bind("workers", s.maxWorkers()).bind("cores", s.coresPerWorker())
                    .bind("memory", s.memoryPerWorker()).bind("gpus", s.gpusPerWorker()).bind("detached", request.detached())
                    .bind("now", at(now)).execute();
            return new Reserved(find(h, request.name()).orElseThrow(), clamped);
        });
    }

    /**
     * A reserved cluster.
     *
     * @param clamped which limits held its maximum below the request's, with the figures, or null
     */
    public record Reserved(ClusterRecord record, String clamped) {
    }

    /**
     * Lets cluster {@code clusterId} hold up to {@code wanted} workers, or as many as fit: the
     * answer says how many and which limits bound it. Also checks the budget for a lease of the
     * growth.
     */
    public LimitCheck.Fit resize(long clusterId, int wanted, Duration lease, Instant now) {
        return jdbi.inTransaction(TransactionIsolationLevel.READ_COMMITTED, h -> {
            ClusterRecord c = find(h, clusterId).orElseThrow(() -> new IllegalArgumentException("no cluster " + clusterId));
            Locked locked = lock(h, c.userId());
            Holdings userHolds = userHoldings(h, c.userId(), clusterId);
            Holdings groupHolds = locked.group == null ? Holdings.NONE : groupHoldings(h, locked.group.id(), clusterId);
            Limits groupLimits = locked.group == null ? Limits.NONE : locked.group.limits();
            ClusterShape asked = c.shape().withMaxWorkers(wanted);
            LimitCheck.Fit fit = LimitCheck.workersThatFit(asked, locked.user.limits(), userHolds, groupLimits, groupHolds,
                    locked.group == null ? "" : locked.group.name());
            int granted = fit.workers();
            if (granted > c.shape().maxWorkers()) {
                String budget = budgetProblem(h, locked.user, c.shape().withMaxWorkers(granted - c.shape().maxWorkers()), lease, now);
                if (budget != null) {
                    granted = c.shape().maxWorkers();
                    fit = new LimitCheck.Fit(granted, append(fit.binding(), budget));
                }
            }
            h.createUpdate("UPDATE clusters SET max_workers = :n WHERE id = :id").bind("n", granted).bind("id", clusterId).execute();
            return new LimitCheck.Fit(granted, fit.binding());
        });
    }

    private static List<String> append(List<String> list, String more) {
        java.util.ArrayList<String> out = new java.util.ArrayList<>(list);
        out.add(more);
        return List.copyOf(out);
    }

    /** Why a lease of {@code shape} does not fit the user's budget left, or null. */
    private static String budgetProblem(Handle h, UserRecord user, ClusterShape shape, Duration lease, Instant now) {
        Budget b = user.budget();
        if (!b.any()) {
            return null;
        }
        Instant since = b.period() == null ? Instant.EPOCH : now.minus(b.period());
        UsageFigures used = UsageRecords.sum(h, user.id(), since);
        double seconds = lease.toMillis() / 1000.0;
        String per = b.period() == null ? "" : " per " + b.period().toSeconds() + " s";
        if (b.coreSeconds() != null) {
            double need = shape.cores() * seconds;
            double left = b.coreSeconds() - used.allocatedCoreSeconds();
            if (left < need) {
                return String.format("budget of %.0f core-seconds%s: %.1f used, %.1f left; a lease of %.0f s for %d cores needs %.1f",
                        b.coreSeconds(), per, used.allocatedCoreSeconds(), Math.max(0, left), seconds, shape.cores(), need);
            }
        }
        if (b.gpuSeconds() != null && shape.gpus() > 0) {
            double need = shape.gpus() * seconds;
            double left = b.gpuSeconds() - used.allocatedGpuSeconds();
            if (left < need) {
                return String.format("budget of %.0f GPU-seconds%s: %.1f used, %.1f left; a lease of %.0f s for %d GPUs needs %.1f",
                        b.gpuSeconds(), per, used.allocatedGpuSeconds(), Math.max(0, left), seconds, shape.gpus(), need);
            }
        }
        return null;
    }

    private record Locked(UserRecord user, GroupRecord group) {
    }

    /** Locks the user's group row, then the user's row (always this order: no deadlock between two). */
    private static Locked lock(Handle h, long userId) {
        Long groupId = h.createQuery("SELECT group_id FROM users WHERE id = :id").bind("id", userId)
                .map((rs, ctx) -> longOrNull(rs, "group_id")).findOne().orElse(null);
        if (groupId != null) {
            h.createQuery("SELECT id FROM user_groups WHERE id = :id FOR UPDATE").bind("id", groupId).mapTo(Long.class).one();
        }
        h.createQuery("SELECT id FROM users WHERE id = :id FOR UPDATE").bind("id", userId).mapTo(Long.class).one();
        UserRecord user = h.createQuery("SELECT " + Accounts.USER_COLUMNS + Accounts.USER_FROM + " WHERE u.id = :id")
                .bind("id", userId).map((rs, ctx) -> Accounts.userRow(rs)).one();
        if (user.removed()) {
            throw new IllegalArgumentException("user '" + user.name() + "' was removed");
        }
        GroupRecord group = user.groupId() == null ? null : Accounts.group(h, user.groupId()).orElse(null);
        return new Locked(user, group);
    }

    private static Holdings userHoldings(Handle h, long userId, long except) {
        return holdings(h, "user_id = :owner", userId, except);
    }

    private static Holdings groupHoldings(Handle h, long groupId, long except) {
        return holdings(h, "user_id IN (SELECT id FROM users WHERE group_id = :owner)", groupId, except);
    }

    private static Holdings holdings(Handle h, String owner, long ownerId, long except) {
        return h.createQuery("SELECT COUNT(*) AS n, COALESCE(SUM(CAST(max_workers AS BIGINT) * cores_per_worker), 0) AS cores, "
                        + "COALESCE(SUM(CAST(max_workers AS BIGINT) * memory_per_worker), 0) AS memory, "
                        + "COALESCE(SUM(CAST(max_workers AS BIGINT) * gpus_per_worker), 0) AS gpus "
                        + "FROM clusters WHERE " + owner + " AND state IN " + ACTIVE + " AND id <> :except")
                .bind("owner", ownerId).bind("except", except)
                .map((rs, ctx) -> new Holdings(rs.getInt("n"), rs.getLong("cores"), rs.getLong("memory"), rs.getLong("gpus")))
                .one();
    }

    // ---------------------------------------------------------------- life

    /** Records that the cluster's scheduler runs: where, and how to reach it. False if it was stopped meanwhile. */
    public boolean markRunning(long id, long pid, int controlPort, String schedulerAddress, String certificateSha256, Instant now) {
        return jdbi.withHandle(h -> h.createUpdate("UPDATE clusters SET state = 'RUNNING', pid = :pid, control_port = :port, "
                        + "scheduler_address = :address, certificate_sha256 = :sha, started_at = :now "
                        + "WHERE id = :id AND state = 'STARTING'")
                .bind("pid", pid).bind("port", controlPort).bind("address", schedulerAddress).bind("sha", certificateSha256)
                .bind("now", at(now)).bind("id", id).execute() > 0);
    }

    /** Records the cluster's process (before it is running), so that a restarted gateway can find it. */
    public void recordProcess(long id, long pid, int controlPort) {
        jdbi.useHandle(h -> h.createUpdate("UPDATE clusters SET pid = :pid, control_port = :port WHERE id = :id")
                .bind("pid", pid).bind("port", controlPort).bind("id", id).execute());
    }

    /**
     * Records that the cluster stopped and why; closes its workers' records. False if it had
     * stopped already (its first reason stands).
     */
    public boolean markStopped(long id, ClusterState state, StopReason reason, String detail, Instant now) {
        if (state.active()) {
            throw new IllegalArgumentException("a stopped cluster's state is STOPPED or FAILED, not " + state);
        }
        return jdbi.inTransaction(h -> {
            int n = h.createUpdate("UPDATE clusters SET state = :state, stop_reason = :reason, stop_detail = :detail, "
                            + "stopped_at = :now WHERE id = :id AND state IN " + ACTIVE)
                    .bind("state", state.name()).bind("reason", reason.label())
                    .bind("detail", detail == null ? null : detail.length() > 2000 ? detail.substring(0, 2000) : detail)
                    .bind("now", at(now)).bind("id", id).execute();
            h.createUpdate("UPDATE cluster_workers SET left_at = :now WHERE cluster_id = :id AND left_at IS NULL")
                    .bind("now", at(now)).bind("id", id).execute();
            return n > 0;
        });
    }

    // ---------------------------------------------------------------- workers and usage

    public void workerJoined(long clusterId, String worker, int cores, Instant now) {
        jdbi.useHandle(h -> h.createUpdate("INSERT INTO cluster_workers (cluster_id, name, cores, joined_at) "
                        + "VALUES (:cluster, :name, :cores, :now)")
                .bind("cluster", clusterId).bind("name", worker).bind("cores", cores).bind("now", at(now)).execute());
    }

    public void workerLeft(long clusterId, String worker, Instant now) {
        jdbi.useHandle(h -> h.createUpdate("UPDATE cluster_workers SET left_at = :now WHERE cluster_id = :cluster AND name = :name "
                        + "AND left_at IS NULL")
                .bind("cluster", clusterId).bind("name", worker).bind("now", at(now)).execute());
    }

    /** Names of the cluster's workers the ledger has as joined and not left. */
    public List<String> workersPresent(long clusterId) {
        return jdbi.withHandle(h -> h.createQuery("SELECT name FROM cluster_workers WHERE cluster_id = :cluster AND left_at IS NULL")
                .bind("cluster", clusterId).mapTo(String.class).list());
    }

    /** Adds {@code increment} to the cluster's usage: one usage record and the cluster's running total, together. */
    public void addUsage(ClusterRecord cluster, UsageFigures increment, Instant now) {
        if (increment.isZero()) {
            return;
        }
        jdbi.useTransaction(h -> {
            h.createUpdate("INSERT INTO usage_records (cluster_id, user_id, recorded_at, allocated_core_seconds, busy_core_seconds, "
                            + "allocated_gpu_seconds, busy_gpu_seconds, tasks) VALUES (:cluster, :user, :now, :ac, :bc, :ag, :bg, :tasks)")
                    .bind("cluster", cluster.id()).bind("user", cluster.userId()).bind("now", at(now))
                    .bind("ac", increment.allocatedCoreSeconds()).bind("bc", increment.busyCoreSeconds())
                    .bind("ag", increment.allocatedGpuSeconds()).bind("bg", increment.busyGpuSeconds())
                    .bind("tasks", increment.tasks()).execute();
            h.createUpdate("UPDATE clusters SET allocated_core_seconds = allocated_core_seconds + :ac, "
                            + "busy_core_seconds = busy_core_seconds + :bc, allocated_gpu_seconds = allocated_gpu_seconds + :ag, "
                            + "busy_gpu_seconds = busy_gpu_seconds + :bg, tasks = tasks + :tasks WHERE id = :cluster")
                    .bind("cluster", cluster.id()).bind("ac", increment.allocatedCoreSeconds())
                    .bind("bc", increment.busyCoreSeconds()).bind("ag", increment.allocatedGpuSeconds())
                    .bind("bg", increment.busyGpuSeconds()).bind("tasks", increment.tasks()).execute();
        });
    }

    // ---------------------------------------------------------------- queries

    public Optional<ClusterRecord> find(String name) {
        return jdbi.withHandle(h -> find(h, name));
    }

    public Optional<ClusterRecord> find(long id) {
        return jdbi.withHandle(h -> find(h, id));
    }

    private static Optional<ClusterRecord> find(Handle h, String name) {
        return h.createQuery("SELECT " + COLUMNS + FROM + " WHERE c.name = :name").bind("name", name)
                .map((rs, ctx) -> row(rs)).findOne();
    }

    private static Optional<ClusterRecord> find(Handle h, long id) {
        return h.createQuery("SELECT " + COLUMNS + FROM + " WHERE c.id = :id").bind("id", id).map((rs, ctx) -> row(rs)).findOne();
    }

    /** {@code userId}'s clusters, newest first; stopped ones too when {@code includeStopped}. */
    public List<ClusterRecord> ofUser(long userId, boolean includeStopped) {
        return jdbi.withHandle(h -> h.createQuery("SELECT " + COLUMNS + FROM + " WHERE c.user_id = :user"
                        + (includeStopped ? "" : " AND c.state IN " + ACTIVE) + " ORDER BY c.id DESC")
                .bind("user", userId).map((rs, ctx) -> row(rs)).list());
    }

    /** Every cluster starting or running, oldest first. */
    public List<ClusterRecord> active() {
        return jdbi.withHandle(h -> h.createQuery("SELECT " + COLUMNS + FROM + " WHERE c.state IN " + ACTIVE + " ORDER BY c.id")
                .map((rs, ctx) -> row(rs)).list());
    }

    /** Every cluster, newest first, at most {@code limit}. */
    public List<ClusterRecord> all(int limit) {
        return jdbi.withHandle(h -> h.createQuery("SELECT " + COLUMNS + FROM + " ORDER BY c.id DESC").setMaxRows(limit)
                .map((rs, ctx) -> row(rs)).list());
    }

    private static ClusterRecord row(ResultSet rs) throws SQLException {
        String reason = rs.getString("stop_reason");
        return new ClusterRecord(rs.getLong("id"), rs.getString("name"), rs.getLong("user_id"), rs.getString("user_name"),
                ClusterState.valueOf(rs.getString("state")), rs.getString("backend"), rs.getString("options_json"),
                new ClusterShape(rs.getInt("max_workers"), rs.getInt("cores_per_worker"), rs.getLong("memory_per_worker"),
                        rs.getInt("gpus_per_worker")),
                rs.getBoolean("detached"), instant(rs, "created_at"), instant(rs, "started_at"), instant(rs, "stopped_at"),
                reason == null ? null : StopReason.ofLabel(reason), rs.getString("stop_detail"), longOrNull(rs, "pid"),
                intOrNull(rs, "control_port"), rs.getString("scheduler_address"), rs.getString("certificate_sha256"),
                new UsageFigures(rs.getDouble("allocated_core_seconds"), rs.getDouble("busy_core_seconds"),
                        rs.getDouble("allocated_gpu_seconds"), rs.getDouble("busy_gpu_seconds"), rs.getLong("tasks")));
    }
}
