package dev.burst.internal.gateway.ledger;

import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static dev.burst.internal.gateway.ledger.Accounts.at;
import static dev.burst.internal.gateway.ledger.Accounts.instant;

/** Usage read back: a user's totals since a time, per cluster and per (UTC) day. */
public final class UsageRecords {
    private final Jdbi jdbi;

    UsageRecords(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    /** What {@code userId}'s clusters used since {@code since}. */
    public UsageFigures since(long userId, Instant since) {
        return jdbi.withHandle(h -> sum(h, userId, since));
    }

    static UsageFigures sum(Handle h, long userId, Instant since) {
        return h.createQuery("SELECT COALESCE(SUM(allocated_core_seconds), 0) AS ac, COALESCE(SUM(busy_core_seconds), 0) AS bc, "
                        + "COALESCE(SUM(allocated_gpu_seconds), 0) AS ag, COALESCE(SUM(busy_gpu_seconds), 0) AS bg, "
                        + "COALESCE(SUM(tasks), 0) AS tasks FROM usage_records WHERE user_id = :user AND recorded_at >= :since")
                .bind("user", userId).bind("since", at(since))
                .map((rs, ctx) -> new UsageFigures(rs.getDouble("ac"), rs.getDouble("bc"), rs.getDouble("ag"), rs.getDouble("bg"),
                        rs.getLong("tasks")))
                .one();
    }

    /** One day's usage (UTC) by one user. */
    public record Day(LocalDate day, UsageFigures usage) {
    }

    /** {@code userId}'s usage per UTC day since {@code since}, oldest first (days without usage left out). */
    public List<Day> perDay(long userId, Instant since) {
        Map<LocalDate, UsageFigures> days = new TreeMap<>();
        jdbi.useHandle(h -> h.createQuery("SELECT recorded_at, allocated_core_seconds, busy_core_seconds, allocated_gpu_seconds, "
                        + "busy_gpu_seconds, tasks FROM usage_records WHERE user_id = :user AND recorded_at >= :since")
                .bind("user", userId).bind("since", at(since))
                .map((rs, ctx) -> {
                    LocalDate day = instant(rs, "recorded_at").atZone(ZoneOffset.UTC).toLocalDate();
                    UsageFigures f = new UsageFigures(rs.getDouble("allocated_core_seconds"), rs.getDouble("busy_core_seconds"),
                            rs.getDouble("allocated_gpu_seconds"), rs.getDouble("busy_gpu_seconds"), rs.getLong("tasks"));
                    days.merge(day, f, UsageFigures::plus);
                    return day;
                }).list());
        List<Day> out = new ArrayList<>();
        days.forEach((d, f) -> out.add(new Day(d, f)));
        return out;
    }
}
