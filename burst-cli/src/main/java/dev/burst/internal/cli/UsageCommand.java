package dev.burst.internal.cli;

import dev.burst.gateway.GatewayUsage;
import dev.burst.internal.usage.UsageTotals;
import dev.burst.internal.usage.UserUsageTotals;
import dev.burst.internal.usagefile.UsageHistory;
import dev.burst.internal.usagefile.UsageStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code burst usage}: the ledger of recent runs from the local usage store, one row per run (who,
 * where, what, for how long, core-seconds paid for and used, efficiency) and a total per user.
 */
@Command(name = "usage", mixinStandardHelpOptions = true,
        description = "Show the usage ledger of recent runs: allocated and busy core-seconds, GPU-seconds, tasks, "
                + "spilled bytes and efficiency, with a total per user.")
final class UsageCommand implements Callable<Integer> {
    private static final String[] HEADER = {"when", "user", "cluster", "job", "workers", "wall s", "alloc core-s",
            "busy core-s", "alloc GPU-s", "tasks", "spilled", "efficiency"};
    /** Columns that hold names are left-aligned, figures right-aligned. */
    private static final int NAME_COLUMNS = 4;

    @Spec
    CommandSpec spec;

    @Option(names = "--last", paramLabel = "N", description = "Show the N most recent runs (default: ${DEFAULT-VALUE}).")
    int last = 20;

    @Option(names = "--user", paramLabel = "NAME", description = "Show only the runs of this user.")
    String user;

    @Option(names = "--file", paramLabel = "PATH", description = "Read this ledger file instead of "
            + "$BURST_HOME/usage/ledger.jsonl (default BURST_HOME: ~/.burst).")
    Path file;

    @picocli.CommandLine.Mixin
    ClusterCommand.GatewayOptions gateway = new ClusterCommand.GatewayOptions();

    @Option(names = "--days", paramLabel = "N", description = "With --gateway: the last N days (default: ${DEFAULT-VALUE}).")
    int days = 30;

    @Option(names = "--local", description = "Read the local ledger even when $BURST_GATEWAY_URL is set.")
    boolean local;

    @Override
    public Integer call() throws Exception {
        if (local && gateway.url != null) {
            throw new ParameterException(spec.commandLine(), "give --gateway or --local, not both");
        }
        String envGateway = System.getenv(ClusterCommand.GatewayOptions.URL_ENV);
        if (gateway.url != null || !local && file == null && envGateway != null && !envGateway.isBlank()) {
            for (String localOnly : new String[] {"--last", "--user"}) {
                if (spec.commandLine().getParseResult().hasMatchedOption(localOnly)) {
                    throw new ParameterException(spec.commandLine(), localOnly + " is for this machine's ledger: add --local"
                            + (gateway.url == null ? " (BURST_GATEWAY_URL is set, so usage reads the gateway's)" : ""));
                }
            }
            return gatewayUsage();
        }
        if (last < 1) {
            throw new ParameterException(spec.commandLine(), "--last must be >= 1, got " + last);
        }
        if (user != null && user.isBlank()) {
            throw new ParameterException(spec.commandLine(), "--user must not be blank");
        }
        UsageStore store = file != null ? UsageStore.ofFile(file) : UsageStore.atDefaultLocation();
        UsageHistory history = store.read();
        PrintWriter out = spec.commandLine().getOut();
        List<UsageTotals> runs = new ArrayList<>();
        int matching = 0;
        for (UsageTotals run : history.runsNewestFirst()) {
            if (user == null || user.equals(run.user())) {
                matching++;
                if (runs.size() < last) {
                    runs.add(run);
                }
            }
        }
        if (runs.isEmpty()) {
            out.println(history.isEmpty() ? "no runs recorded yet in " + store.file()
                    : "no runs of user " + user + " in " + store.file() + " (" + history.runsNewestFirst().size()
                    + " runs of other users)");
        } else {
            String whose = user == null ? "" : " of user " + user;
            String shown = runs.size() == matching ? matching + (matching == 1 ? " run" : " runs")
                    : "the last " + runs.size() + " of " + matching + " runs";
            out.println(shown + whose + " in " + store.file() + ", newest first");
            out.println();
            out.print(table(runs));
            out.println();
            out.printf("totals per user over the %d run%s shown:%n", runs.size(), runs.size() == 1 ? "" : "s");
            for (UserUsageTotals sum : UserUsageTotals.byUser(runs)) {
                out.println("  " + sum);
            }
        }
        if (history.skippedLines() > 0) {
            out.printf("note: skipped %d unreadable line%s in %s%n", history.skippedLines(),
                    history.skippedLines() == 1 ? "" : "s", store.file());
        }
        out.flush();
        return 0;
    }

    /** {@code burst usage --gateway URL}: the caller's usage as the gateway's ledger has it, per cluster and per day. */
    private int gatewayUsage() {
        if (days < 1) {
            throw new ParameterException(spec.commandLine(), "--days must be >= 1, got " + days);
        }
        try (dev.burst.gateway.Gateway gw = gateway.connect(spec)) {
            GatewayUsage u = gw.usage(days);
            PrintWriter out = spec.commandLine().getOut();
            out.println("usage of " + u.user() + " on " + gw.uri() + " since " + CliTime.format(u.since()));
            out.println();
            out.printf(Locale.ROOT, "%-14s %-8s %-19s %-14s %12s %12s %10s %8s%n", "cluster", "state", "created", "stopped",
                    "alloc core-s", "busy core-s", "efficiency", "tasks");
            for (GatewayUsage.Cluster c : u.clusters()) {
                GatewayUsage.Figures f = c.usage();
                out.printf(Locale.ROOT, "%-14s %-8s %-19s %-14s %12.1f %12.1f %10.3f %8d%n", c.name(), c.state(),
                        CliTime.format(c.createdAt()), c.stopReason() == null ? "-" : c.stopReason(), f.allocatedCoreSeconds(),
                        f.busyCoreSeconds(), f.efficiency(), f.tasks());
            }
            out.println();
            out.printf(Locale.ROOT, "%-10s %12s %12s %10s %8s%n", "day (UTC)", "alloc core-s", "busy core-s", "efficiency", "tasks");
            for (GatewayUsage.Day d : u.days()) {
                GatewayUsage.Figures f = d.usage();
                out.printf(Locale.ROOT, "%-10s %12.1f %12.1f %10.3f %8d%n", d.day(), f.allocatedCoreSeconds(), f.busyCoreSeconds(),
                        f.efficiency(), f.tasks());
            }
            GatewayUsage.Figures t = u.total();
            out.printf(Locale.ROOT, "%ntotal: %.1f core-s allocated, %.1f busy, efficiency %.3f, %d %s%n", t.allocatedCoreSeconds(),
                    t.busyCoreSeconds(), t.efficiency(), t.tasks(), t.tasks() == 1 ? "task" : "tasks");
        }
        return 0;
    }

    private static String table(List<UsageTotals> runs) {
        List<String[]> rows = new ArrayList<>();
        rows.add(HEADER);
        for (UsageTotals r : runs) {
            rows.add(new String[] {
                    CliTime.format(Instant.ofEpochMilli(r.startedAtEpochMillis())),
                    r.user(), r.cluster(), r.job(),
                    Integer.toString(r.workersStarted()),
                    String.format(Locale.ROOT, "%.1f", r.wallSeconds()),
                    String.format(Locale.ROOT, "%.1f", r.coreSecondsAllocated()),
                    String.format(Locale.ROOT, "%.1f", r.coreSecondsBusy()),
                    String.format(Locale.ROOT, "%.1f", r.gpuSecondsAllocated()),
                    String.format(Locale.ROOT, "%,d", r.tasks()),
                    UsageTotals.humanBytes(r.bytesSpilled()),
                    String.format(Locale.ROOT, "%.3f", r.efficiency())});
        }
        int[] width = new int[HEADER.length];
        for (String[] row : rows) {
            for (int c = 0; c < row.length; c++) {
                width[c] = Math.max(width[c], row[c].length());
            }
        }
        StringBuilder s = new StringBuilder();
        for (String[] row : rows) {
            StringBuilder line = new StringBuilder();
            for (int c = 0; c < row.length; c++) {
                if (c > 0) {
                    line.append("  ");
                }
                String pad = " ".repeat(width[c] - row[c].length());
                line.append(c < NAME_COLUMNS ? row[c] + pad : pad + row[c]);
            }
            s.append(line.toString().stripTrailing()).append(System.lineSeparator());
        }
        return s.toString();
    }
}
