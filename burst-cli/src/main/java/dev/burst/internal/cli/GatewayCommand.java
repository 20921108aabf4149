package dev.burst.internal.cli;

import dev.burst.internal.gateway.ledger.Accounts;
import dev.burst.internal.gateway.ledger.Budget;
import dev.burst.internal.gateway.ledger.GatewayDatabase;
import dev.burst.internal.gateway.ledger.Limits;
import dev.burst.internal.gateway.ledger.UserRecord;
import dev.burst.internal.gateway.reclaim.ReclaimTimeouts;
import dev.burst.internal.gateway.server.GatewayServer;
import dev.burst.internal.gateway.server.GatewaySettings;
import dev.burst.internal.resources.MemorySize;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code burst gateway}: run a gateway ({@code serve}) and manage its users and tokens (the
 * admin's commands, which open the gateway's database directly: H2 under {@code --data}, or
 * {@code --database}).
 */
@Command(name = "gateway", mixinStandardHelpOptions = true,
        description = "Run a multi-user gateway and manage its users and tokens.",
        subcommands = {GatewayCommand.Serve.class, GatewayCommand.User.class, GatewayCommand.Token.class})
final class GatewayCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getErr());
    }

    /** Where the gateway's records are: {@code --data DIR} (H2 there by default) and {@code --database URL}. */
    static final class Store {
        @Option(names = "--data", paramLabel = "DIR", required = true,
                description = "The gateway's data directory (its H2 ledger, TLS key, cluster files).")
        Path data;

        @Option(names = "--database", paramLabel = "JDBC-URL",
                description = "Keep the ledger in this database instead, e.g. jdbc:postgresql://db.example.org/burst.")
        String database;

        @Option(names = "--database-user", paramLabel = "NAME", description = "Database user (with --database).")
        String databaseUser = "";

        @Option(names = "--database-password-file", paramLabel = "FILE",
                description = "File holding the database password (with --database); or set BURST_GATEWAY_DB_PASSWORD.")
        Path databasePasswordFile;

        String password() throws java.io.IOException {
            if (databasePasswordFile != null) {
                return Files.readString(databasePasswordFile, StandardCharsets.UTF_8).strip();
            }
            String env = System.getenv("BURST_GATEWAY_DB_PASSWORD");
            return env == null ? "" : env;
        }

        /** The ledger at --data (made there if new: {@code user add} may come before the first {@code serve}) or --database. */
        GatewayDatabase openOrCreate() throws java.io.IOException {
            if (database != null) {
                return GatewayDatabase.open(database, databaseUser, password());
            }
            dev.burst.internal.gateway.server.GatewayServer.privateDirectory(data);
            return GatewayDatabase.openH2(data);
        }

        /**
         * The ledger at --data or --database, which must exist: a mistyped --data is an error, not a new
         * empty gateway (a list that shows no users, a limit set where no gateway reads it).
         */
        GatewayDatabase open(CommandSpec spec) throws java.io.IOException {
            if (database == null && !Files.exists(data.resolve("ledger.mv.db"))) {
                throw new ParameterException(spec.commandLine(), "--data " + data + ": no gateway ledger there ("
                        + data.resolve("ledger.mv.db") + " does not exist); give the directory 'burst gateway serve --data' uses");
            }
            return openOrCreate();
        }
    }

    // ---------------------------------------------------------------- serve

    @Command(name = "serve", mixinStandardHelpOptions = true,
            description = "Serve the gateway on one port (HTTPS and the clusters' TLS), until Ctrl-C.")
    static final class Serve implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @picocli.CommandLine.Mixin
        Store store;

        @Option(names = "--port", description = "The one port to serve on (default: ${DEFAULT-VALUE}; 0 picks a free one).")
        int port = 8787;

        @Option(names = "--host", description = "Address to bind (default: ${DEFAULT-VALUE}; use 0.0.0.0 to serve other machines).")
        String host = "127.0.0.1";

        @Option(names = "--backend", paramLabel = "NAME", description = "Where workers run: local (default), slurm, ...")
        String backend = "local";

        @Option(names = "--option", paramLabel = "KEY=VALUE", description = "A backend setting, e.g. partition=batch (repeatable).")
        Map<String, String> options = new LinkedHashMap<>();

        @Option(names = "--plain-http", description = "Serve plain HTTP instead of HTTPS (only on a loopback --host).")
        boolean plainHttp;

        @Option(names = "--tls-keystore", paramLabel = "FILE", description = "The admin's own PKCS#12 key store instead of a "
                + "self-signed certificate.")
        Path tlsKeyStore;

        @Option(names = "--tls-password-file", paramLabel = "FILE", description = "The key store's password.")
        Path tlsPasswordFile;

        @Option(names = "--idle-timeout", paramLabel = "DURATION", description = "Stop clusters with no task activity "
                + "this long (default: ${DEFAULT-VALUE}; 'off' never).")
        String idleTimeout = "20m";

        @Option(names = "--no-client-timeout", paramLabel = "DURATION", description = "Stop clusters without a client this long "
                + "(default: ${DEFAULT-VALUE}; 'off' never; detached clusters are exempt).")
        String noClientTimeout = "2m";

        @Option(names = "--max-lifetime", paramLabel = "DURATION", description = "Stop any cluster this old (default: off).")
        String maxLifetime = "off";

        @Option(names = "--spare-processes", paramLabel = "N", description = "Cluster processes kept started for fast creates "
                + "(default: ${DEFAULT-VALUE}).")
        int spares = 1;

        @Option(names = "--jupyterhub-api", paramLabel = "URL", description = "Also accept the API tokens of this JupyterHub's "
                + "users, e.g. http://127.0.0.1:8081/hub/api: a notebook server the hub spawned connects with its own token.")
        String jupyterHubApi;

        @Override
        public Integer call() throws Exception {
            ServiceLogging.forService();
            GatewaySettings.Builder b = GatewaySettings.builder(store.data).host(host).port(port).backend(backend)
                    .reclaim(new ReclaimTimeouts(duration(spec, "--idle-timeout", idleTimeout),
                            duration(spec, "--no-client-timeout", noClientTimeout), duration(spec, "--max-lifetime", maxLifetime)))
                    .spareProcesses(spares);
            try {
                b.jupyterHubApi(jupyterHubApi);
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), "--jupyterhub-api: " + e.getMessage());
            }
            options.forEach(b::backendSetting);
            if (store.database != null) {
                b.database(store.database, store.databaseUser, store.password());
            }
            if (plainHttp) {
                b.plainHttpOnLoopback();
            } else if (tlsKeyStore != null) {
                if (tlsPasswordFile == null) {
                    throw new ParameterException(spec.commandLine(), "--tls-keystore needs --tls-password-file");
                }
                b.tlsKeyStore(tlsKeyStore, Files.readString(tlsPasswordFile, StandardCharsets.UTF_8).strip());
            }
            GatewaySettings settings;
            try {
                settings = b.build();
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), e.getMessage());
            }
            GatewayServer server = GatewayServer.start(settings);
            CountDownLatch stop = new CountDownLatch(1);
            // Ctrl-C and SIGTERM close the gateway before the JVM's shutdown hooks run: H2 closes its
            // database in a hook of its own, and the clusters' stops must reach the ledger first.
            sun.misc.SignalHandler onSignal = signal -> stop.countDown();
            sun.misc.Signal.handle(new sun.misc.Signal("INT"), onSignal);
            sun.misc.Signal.handle(new sun.misc.Signal("TERM"), onSignal);
            PrintWriter out = spec.commandLine().getOut();
            out.println("gateway at " + server.url() + " (backend " + backend + ", ledger " + server.database().description() + ")");
            if (server.certificateSha256() != null) {
                out.println("certificate sha256: " + server.certificateSha256());
                out.println("users connect with: export BURST_GATEWAY_CERT_SHA256=" + server.certificateSha256());
                out.println("curl pins its key: export BURST_GATEWAY_KEY_PIN=" + server.publicKeyPin()
                        + "   # curl -k --pinnedpubkey \"$BURST_GATEWAY_KEY_PIN\" ...");
            }
            out.println("add a user:  bin/burst gateway user add NAME --data " + store.data);
            out.println("press Ctrl-C to stop (clusters are stopped with it; a killed gateway takes them back when it restarts)");
            out.flush();
            stop.await();
            out.println("stopping the gateway and its clusters");
            out.flush();
            server.close();
            return 0;
        }
    }

    // ---------------------------------------------------------------- users

    @Command(name = "user", mixinStandardHelpOptions = true, description = "Add, list and remove users; change their limits.",
            subcommands = {UserAdd.class, UserList.class, UserLimits.class, UserRemove.class})
    static final class User implements Runnable {
        @Spec
        CommandSpec spec;

        @Override
        public void run() {
            spec.commandLine().usage(spec.commandLine().getErr());
        }
    }

    /** A user's limits and budget as options. */
    static final class LimitOptions {
        @Option(names = "--max-clusters", paramLabel = "N", description = "Clusters at once.")
        Integer maxClusters;
        @Option(names = "--max-cores", paramLabel = "N", description = "Cores of all the user's workers at once.")
        Integer maxCores;
        @Option(names = "--max-memory", paramLabel = "SIZE", description = "Memory of all the user's workers at once, e.g. 64g.")
        String maxMemory;
        @Option(names = "--max-gpus", paramLabel = "N", description = "GPUs of all the user's workers at once.")
        Integer maxGpus;
        @Option(names = "--max-workers-per-cluster", paramLabel = "N", description = "Workers of any one cluster.")
        Integer maxWorkersPerCluster;
        @Option(names = "--max-lifetime", paramLabel = "DURATION", description = "Longest life of any one cluster, e.g. 8h.")
        String maxLifetime;
        @Option(names = "--budget-core-seconds", paramLabel = "N", description = "Core-seconds the user's clusters may be allocated.")
        Double budgetCoreSeconds;
        @Option(names = "--budget-gpu-seconds", paramLabel = "N", description = "GPU-seconds the user's clusters may be allocated.")
        Double budgetGpuSeconds;
        @Option(names = "--budget-period", paramLabel = "DURATION", description = "The budgets renew every period, e.g. 30d "
                + "(default: never, a budget for all time).")
        String budgetPeriod;

        Limits limits(CommandSpec spec) {
            try {
                return new Limits(maxClusters, maxCores, maxMemory == null ? null : MemorySize.parse(maxMemory, "--max-memory"),
                        maxGpus, maxWorkersPerCluster, maxLifetime == null ? null : duration(spec, "--max-lifetime", maxLifetime));
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), e.getMessage());
            }
        }

        /** {@code base} with the limits given here in its place; the others as they were. */
        Limits over(Limits base, CommandSpec spec) {
            Limits given = limits(spec);
            return new Limits(or(given.maxClusters(), base.maxClusters()), or(given.maxCores(), base.maxCores()),
                    or(given.maxMemoryBytes(), base.maxMemoryBytes()), or(given.maxGpus(), base.maxGpus()),
                    or(given.maxWorkersPerCluster(), base.maxWorkersPerCluster()), or(given.maxLifetime(), base.maxLifetime()));
        }

        /** {@code base} with the budget figures given here in its place. */
        Budget over(Budget base, CommandSpec spec) {
            Budget given = budget(spec);
            return new Budget(or(given.coreSeconds(), base.coreSeconds()), or(given.gpuSeconds(), base.gpuSeconds()),
                    or(given.period(), base.period()));
        }

        private static <T> T or(T given, T otherwise) {
            return given != null ? given : otherwise;
        }

        Budget budget(CommandSpec spec) {
            try {
                return new Budget(budgetCoreSeconds, budgetGpuSeconds,
                        budgetPeriod == null ? null : duration(spec, "--budget-period", budgetPeriod));
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), e.getMessage());
            }
        }
    }

    @Command(name = "add", mixinStandardHelpOptions = true,
            description = "Add a user (or bring back a removed one) and print a new API token for them: one line 'token: ...'.")
    static final class UserAdd implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Parameters(paramLabel = "NAME", description = "The user's name (lowercase letters, digits, '_', '.', '-').")
        String name;
        @picocli.CommandLine.Mixin
        Store store;
        @ArgGroup(exclusive = false)
        LimitOptions limits = new LimitOptions();
        @Option(names = "--group", paramLabel = "NAME", description = "Put the user in this group (made if missing).")
        String group;
        @Option(names = "--admin", description = "The user may manage users and every cluster.")
        boolean admin;

        @Override
        public Integer call() throws Exception {
            try {
                Accounts.checkedName("user", name);
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), e.getMessage());
            }
            Limits l = limits.limits(spec);
            Budget b = limits.budget(spec);
            try (GatewayDatabase db = store.openOrCreate()) {
                Instant now = Instant.now();
                if (group != null && db.accounts().group(group).isEmpty()) {
                    db.accounts().addGroup(group, Limits.NONE, now);
                }
                db.accounts().addUser(name, group, admin, l, b, now);
                String token = db.accounts().issueToken(name, "made by burst gateway user add", null, now);
                spec.commandLine().getOut().println("token: " + token);
            }
            return 0;
        }
    }

    @Command(name = "limits", mixinStandardHelpOptions = true,
            description = "Change a user's limits and budget: the options given replace those figures, the others stay "
                    + "(with --clear, the others are lifted). A running gateway applies them to the next create, scale "
                    + "and budget check.")
    static final class UserLimits implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Parameters(paramLabel = "NAME")
        String name;
        @picocli.CommandLine.Mixin
        Store store;
        @ArgGroup(exclusive = false)
        LimitOptions limits = new LimitOptions();
        @Option(names = "--clear", description = "Lift every limit and budget not given here.")
        boolean clear;

        @Override
        public Integer call() throws Exception {
            try (GatewayDatabase db = store.open(spec)) {
                var user = db.accounts().user(name).filter(u -> !u.removed())
                        .orElseThrow(() -> new ParameterException(spec.commandLine(), "no user '" + name + "' (see 'burst gateway user list')"));
                Limits l = limits.over(clear ? Limits.NONE : user.limits(), spec);
                Budget b = limits.over(clear ? Budget.NONE : user.budget(), spec);
                var changed = db.accounts().setLimits(name, l, b);
                spec.commandLine().getOut().println(changed.name() + ": " + describe(changed.limits(), changed.budget()));
            }
            return 0;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List the users, their groups and limits.")
    static final class UserList implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @picocli.CommandLine.Mixin
        Store store;

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            try (GatewayDatabase db = store.open(spec)) {
                var users = db.accounts().users();
                if (users.isEmpty()) {
                    out.println("no users yet: add one with 'burst gateway user add NAME --data " + store.data + "'");
                }
                for (UserRecord u : users) {
                    out.printf(Locale.ROOT, "%-20s %-8s %-12s %s%s%n", u.name(), u.admin() ? "admin" : "user",
                            u.groupName() == null ? "-" : u.groupName(), describe(u.limits(), u.budget()),
                            u.removed() ? "  (removed " + CliTime.format(u.removedAt()) + ")" : "");
                }
            }
            return 0;
        }
    }

    static String describe(Limits l, Budget b) {
        StringBuilder s = new StringBuilder();
        append(s, "max-clusters", l.maxClusters());
        append(s, "max-cores", l.maxCores());
        append(s, "max-memory", l.maxMemoryBytes() == null ? null : dev.burst.internal.usage.UsageTotals.humanBytes(l.maxMemoryBytes()));
        append(s, "max-gpus", l.maxGpus());
        append(s, "max-workers-per-cluster", l.maxWorkersPerCluster());
        append(s, "max-lifetime", l.maxLifetime() == null ? null : l.maxLifetime().toSeconds() + "s");
        append(s, "budget-core-seconds", b.coreSeconds());
        append(s, "budget-gpu-seconds", b.gpuSeconds());
        append(s, "budget-period", b.period() == null ? null : b.period().toSeconds() + "s");
        return s.isEmpty() ? "no limits" : s.toString().strip();
    }

    private static void append(StringBuilder s, String name, Object value) {
        if (value != null) {
            s.append(' ').append(name).append(' ').append(value);
        }
    }

    @Command(name = "remove", mixinStandardHelpOptions = true,
            description = "Remove a user: their tokens stop working; their records stay in the ledger. "
                    + "(A running gateway stops their clusters when asked through its admin API.)")
    static final class UserRemove implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Parameters(paramLabel = "NAME")
        String name;
        @picocli.CommandLine.Mixin
        Store store;

        @Override
        public Integer call() throws Exception {
            long running;
            try (GatewayDatabase db = store.open(spec)) {
                db.accounts().removeUser(name, Instant.now());
                running = db.accounts().user(name).map(u -> db.clusters().ofUser(u.id(), false).size()).orElse(0);
            }
            spec.commandLine().getOut().println("removed user " + name);
            if (running > 0) {
                spec.commandLine().getOut().println(running + " of their clusters still run: they stop when idle or without a "
                        + "client; an admin stops them now with DELETE /api/v1/clusters/NAME (or the gateway's "
                        + "DELETE /api/v1/admin/users/" + name + ")");
            }
            return 0;
        }
    }

    // ---------------------------------------------------------------- tokens

    @Command(name = "token", mixinStandardHelpOptions = true, description = "Make API tokens.", subcommands = TokenNew.class)
    static final class Token implements Runnable {
        @Spec
        CommandSpec spec;

        @Override
        public void run() {
            spec.commandLine().usage(spec.commandLine().getErr());
        }
    }

    @Command(name = "new", mixinStandardHelpOptions = true, description = "Print a new API token for a user: one line 'token: ...'.")
    static final class TokenNew implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Parameters(paramLabel = "NAME")
        String name;
        @picocli.CommandLine.Mixin
        Store store;
        @Option(names = "--expires-in", paramLabel = "DURATION", description = "The token stops working after this long, e.g. 90d.")
        String expiresIn;
        @Option(names = "--label", description = "What the token is for (shown in token lists).")
        String label = "made by burst gateway token new";

        @Override
        public Integer call() throws Exception {
            Instant now = Instant.now();
            Instant expires = expiresIn == null ? null : now.plus(duration(spec, "--expires-in", expiresIn));
            try (GatewayDatabase db = store.open(spec)) {
                spec.commandLine().getOut().println("token: " + db.accounts().issueToken(name, label, expires, now));
            }
            return 0;
        }
    }

    // ---------------------------------------------------------------- durations

    private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)?");

    /** {@code 90s}, {@code 20m}, {@code 8h}, {@code 30d} (a bare number is seconds); {@code off}: null. */
    static Duration duration(CommandSpec spec, String option, String text) {
        String t = text.strip().toLowerCase(Locale.ROOT);
        if (t.equals("off") || t.equals("none")) {
            return null;
        }
        Matcher m = DURATION.matcher(t);
        if (!m.matches()) {
            throw new ParameterException(spec.commandLine(), option + ": bad duration '" + text + "'; use e.g. 90s, 20m, 8h, 30d or off");
        }
        long n = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "s" : m.group(2);
        Duration d = switch (unit) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            case "d" -> Duration.ofDays(n);
            default -> throw new IllegalStateException(unit);
        };
        if (d.isZero()) {
            throw new ParameterException(spec.commandLine(), option + " must be positive, or off");
        }
        return d;
    }
}
