package dev.burst.internal.gateway.ledger;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.attribute.UserPrincipalNotFoundException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A throwaway PostgreSQL server for one test class: a fresh data directory in a fresh temp
 * directory, a free port on 127.0.0.1, its unix socket in that same directory, and a database
 * {@value #DATABASE} owned by the superuser {@code burst} (trust authentication, no password).
 * {@link #close()} stops it ({@code pg_ctl stop -m immediate}) and deletes the directory; a
 * shutdown hook does the same if a test forgets.
 *
 * <p>Design note: why not the system service ({@code postgresql@15-main})? Starting it needs root
 * and leaves root-owned state behind (a cluster under /var/lib/postgresql, roles and databases that
 * outlive the test); it listens on the fixed port 5432, which another server or another build may
 * hold; and test classes or builds running at once would share one database. A server per test
 * class, started from the package's binaries, has none of these problems, and with initdb's
 * {@code --no-sync} and the server's {@code fsync=off} it is cheap. Measured on the 2-core Debian 12
 * build machine with PostgreSQL 15: {@link #start()} takes 0.9 to 1.9 s depending on load (initdb
 * 0.6 to 1.2 s, pg_ctl start 0.15 s, the first JDBC connection 0.2 s, {@code CREATE DATABASE}
 * 0.2 s), and {@code close()} a fraction of a second.
 *
 * <p>The binaries are the newest {@code /usr/lib/postgresql/<version>/bin} (Debian's
 * {@code postgresql} package; {@code .ci/run} installs it), or the directory in
 * {@code $BURST_PG_BIN}. PostgreSQL refuses to run as root, so as root the temp directory
 * belongs to the {@code postgres} system user (the package creates it) and initdb and pg_ctl run
 * under {@code runuser -u postgres --}; the directory must then lie below parents that user can
 * traverse, so where {@code java.io.tmpdir} is not such a place it falls back to {@code /tmp}.
 *
 * <p>Tests call {@link #startOrSkip()}: without PostgreSQL they are skipped with a loud banner,
 * except under {@code CI=true}, where they fail. A JVM killed with SIGKILL leaves its server
 * running (PostgreSQL has no parent-death option); its directory is named {@code burst-pg-*}.
 */
public final class PostgresServer implements AutoCloseable {
    /** The database every test gets, created empty at start. */
    public static final String DATABASE = "burst_test";

    private static final String USER = "burst";
    private static final String SERVER_USER = "postgres";
    private static final Duration INITDB_TIMEOUT = Duration.ofSeconds(120);
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(20);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);
    private static final int PORT_ATTEMPTS = 3;
    /** sun_path holds 108 bytes with its NUL; the socket is {@code <dir>/.s.PGSQL.<port>}. */
    private static final int MAX_SOCKET_PATH = 107;
    private static final int LOG_TAIL_LINES = 30;

    private final Path bin;
    private final List<String> asServerUser;
    private final Path dir;
    private final int port;
    private final Duration startTime;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Thread shutdownHook;

    private PostgresServer(Path bin, List<String> asServerUser, Path dir, int port, Duration startTime) {
        this.bin = bin;
        this.asServerUser = asServerUser;
        this.dir = dir;
        this.port = port;
        this.startTime = startTime;
        this.shutdownHook = new Thread(() -> {
            if (closed.compareAndSet(false, true)) {
                try {
                    stopAndDelete();
                } catch (RuntimeException e) {
                    System.err.println("PostgresServer shutdown hook: " + e.getMessage());
                }
            }
        }, "postgres-server-stop-" + port);
    }

    /**
     * Starts a server, or skips the calling test when there is no PostgreSQL to start: prints
     * {@code *** PostgreSQL tests SKIPPED: <why> ***} to stderr and aborts through JUnit's
     * assumptions. Under {@code CI=true} a missing or failing PostgreSQL is an error instead.
     */
    public static PostgresServer startOrSkip() throws IOException {
        try {
            return start();
        } catch (IOException e) {
            String why = e.getMessage();
            boolean ci = "true".equalsIgnoreCase(System.getenv("CI"));
            System.err.printf("%n************************************************************************%n"
                    + "*** PostgreSQL tests %s: %s ***%n"
                    + "* They need PostgreSQL's binaries: apt-get install -y --no-install-recommends postgresql%n"
                    + "* (or BURST_PG_BIN=<dir with initdb and pg_ctl>); .ci/run installs them.%n"
                    + "************************************************************************%n",
                    ci ? "FAILED (CI=true, so not skipped)" : "SKIPPED", why);
            if (ci) {
                throw e;
            }
            assumeTrue(false, "no usable PostgreSQL: " + why);
            throw new AssertionError("unreachable");
        }
    }

    /** Starts a server and waits until database {@value #DATABASE} accepts connections. */
    public static PostgresServer start() throws IOException {
        long started = System.nanoTime();
        Path bin = findBinaries();
        boolean root = isRoot();
        List<String> asServerUser = root ? List.of("runuser", "-u", SERVER_USER, "--") : List.of();
        Path dir = createDirectory(root);
        Path data = dir.resolve("data");
        int port = -1;
        try {
            check(exec(dir, command(asServerUser, bin.resolve("initdb"), "-D", data, "-A", "trust", "-U", USER,
                    "--no-sync", "-E", "UTF8", "--locale=C"), INITDB_TIMEOUT), "initdb", null);
            for (int attempt = 1; ; attempt++) {
                port = freePort();
                Path log = dir.resolve("postgres.log");
                Files.deleteIfExists(log);
                Result r = exec(dir, command(asServerUser, bin.resolve("pg_ctl"), "-D", data, "-l", log,
                        "-w", "-t", START_TIMEOUT.toSeconds(),
                        "-o", "-h 127.0.0.1 -p " + port + " -k '" + dir + "'"
                                + " -c fsync=off -c synchronous_commit=off -c full_page_writes=off",
                        "start"), START_TIMEOUT.plusSeconds(15));
                if (r.exitCode() != 0 && attempt < PORT_ATTEMPTS && logTail(log).contains("Address already in use")) {
                    continue; // another process took the free port between our probe and the bind
                }
                check(r, "pg_ctl start (port " + port + ")", log);
                break;
            }
            try (Connection c = connectWhenReady(port, dir.resolve("postgres.log"));
                 Statement s = c.createStatement()) {
                s.execute("CREATE DATABASE " + DATABASE);
            } catch (SQLException e) {
                throw new IOException("CREATE DATABASE " + DATABASE + " failed on 127.0.0.1:" + port + ": " + e.getMessage(), e);
            }
            PostgresServer server = new PostgresServer(bin, asServerUser, dir, port,
                    Duration.ofNanos(System.nanoTime() - started));
            Runtime.getRuntime().addShutdownHook(server.shutdownHook);
            return server;
        } catch (IOException | RuntimeException e) {
            try {
                new PostgresServer(bin, asServerUser, dir, port, Duration.ZERO).stopAndDelete();
            } catch (RuntimeException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
    }

    /** {@code jdbc:postgresql://127.0.0.1:<port>/burst_test}. */
    public String jdbcUrl() {
        return url(port, DATABASE);
    }

    /** The superuser that owns {@value #DATABASE}: {@code burst}. */
    public String user() {
        return USER;
    }

    /** Empty: the server trusts every local connection. */
    public String password() {
        return "";
    }

    /** How long {@link #start()} took, initdb included. */
    public Duration startTime() {
        return startTime;
    }

    /** The temp directory holding the data directory, the socket and the server log. */
    Path directory() {
        return dir;
    }

    /** The postmaster's pid, from {@code postmaster.pid}; empty when it is not running. */
    OptionalLong postmasterPid() {
        Path pidFile = dir.resolve("data").resolve("postmaster.pid");
        try {
            String first = Files.readAllLines(pidFile, StandardCharsets.UTF_8).stream().findFirst().orElse("").strip();
            return first.isEmpty() ? OptionalLong.empty() : OptionalLong.of(Long.parseLong(first));
        } catch (IOException | NumberFormatException e) {
            return OptionalLong.empty();
        }
    }

    /**
     * Stops the server at once ({@code pg_ctl stop -m immediate}: nothing here needs a clean
     * shutdown) and deletes its directory.
     *
     * @throws UncheckedIOException when the server would not stop or the directory would not go
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException shuttingDown) {
            // the hook is running or about to; stopping twice is harmless
        }
        stopAndDelete();
    }

    /**
     * Whether a process is running: absent from /proc or a zombie both count as gone (a
     * daemonised postmaster is reaped by init, which may take a moment).
     */
    static boolean isRunning(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            int afterName = stat.lastIndexOf(')');
            char state = afterName >= 0 && afterName + 2 < stat.length() ? stat.charAt(afterName + 2) : '?';
            return state != 'Z' && state != 'X';
        } catch (IOException e) {
            return false;
        }
    }

    private void stopAndDelete() {
        List<String> problems = new ArrayList<>();
        OptionalLong pid = postmasterPid();
        List<ProcessHandle> processes = new ArrayList<>();
        pid.ifPresent(p -> ProcessHandle.of(p).ifPresent(h -> {
            processes.add(h);
            h.descendants().forEach(processes::add);
        }));
        if (pid.isPresent()) {
            try {
                Result r = exec(dir, command(asServerUser, bin.resolve("pg_ctl"), "-D", dir.resolve("data"),
                        "-m", "immediate", "-w", "-t", STOP_TIMEOUT.toSeconds(), "stop"), STOP_TIMEOUT.plusSeconds(15));
                if (r.exitCode() != 0) {
                    problems.add("pg_ctl stop exited with " + r.exitCode() + ": " + r.output().strip());
                }
            } catch (IOException e) {
                problems.add("pg_ctl stop: " + e.getMessage());
            }
        }
        // pg_ctl returns once postmaster.pid is gone, a moment before the processes are: wait for
        // them, and kill what is left when pg_ctl could not stop it.
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        for (ProcessHandle h : processes) {
            while (isRunning(h.pid()) && System.nanoTime() < deadline) {
                sleep(Duration.ofMillis(10));
            }
            if (isRunning(h.pid())) {
                h.destroyForcibly();
                problems.add("killed PostgreSQL process " + h.pid() + " that outlived pg_ctl stop");
            }
        }
        try {
            deleteRecursively(dir);
        } catch (IOException e) {
            problems.add("could not delete " + dir + ": " + e.getMessage());
        }
        if (!problems.isEmpty()) {
            throw new UncheckedIOException(new IOException("stopping PostgreSQL in " + dir + ": " + String.join("; ", problems)));
        }
    }

    private static Path findBinaries() throws IOException {
        String override = System.getenv("BURST_PG_BIN");
        if (override != null && !override.isBlank()) {
            Path bin = Path.of(override);
            if (!hasBinaries(bin)) {
                throw new IOException("BURST_PG_BIN=" + override + " has no executable initdb and pg_ctl");
            }
            return bin;
        }
        Path root = Path.of("/usr/lib/postgresql");
        if (!Files.isDirectory(root)) {
            throw new IOException("PostgreSQL is not installed (no " + root + "; set BURST_PG_BIN to use another)");
        }
        try (Stream<Path> versions = Files.list(root)) {
            return versions.filter(v -> v.getFileName().toString().matches("\\d+(\\.\\d+)?"))
                    .map(v -> v.resolve("bin"))
                    .filter(PostgresServer::hasBinaries)
                    .max(Comparator.comparingDouble(b -> Double.parseDouble(b.getParent().getFileName().toString())))
                    .orElseThrow(() -> new IOException("no " + root + "/<version>/bin with initdb and pg_ctl"
                            + " (set BURST_PG_BIN to use another)"));
        }
    }

    private static boolean hasBinaries(Path bin) {
        return Files.isExecutable(bin.resolve("initdb")) && Files.isExecutable(bin.resolve("pg_ctl"));
    }

    private static boolean isRoot() throws IOException {
        return check(exec(Path.of("/"), List.of("id", "-u"), Duration.ofSeconds(10)), "id -u", null).output().strip().equals("0");
    }

    /**
     * A fresh {@code burst-pg-*} directory. As root it must belong to {@code postgres}, and that
     * user must reach it: not so below a home directory with mode 700, hence the probe.
     */
    private static Path createDirectory(boolean root) throws IOException {
        UserPrincipal serverUser = null;
        if (root) {
            try {
                serverUser = Path.of("/").getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName(SERVER_USER);
            } catch (UserPrincipalNotFoundException e) {
                throw new IOException("running as root, and there is no '" + SERVER_USER + "' user to run PostgreSQL as"
                        + " (the postgresql package creates it)");
            }
        }
        Set<Path> bases = new LinkedHashSet<>(List.of(Path.of(System.getProperty("java.io.tmpdir")).toAbsolutePath(), Path.of("/tmp")));
        List<String> rejected = new ArrayList<>();
        for (Path base : bases) {
            if ((base + "/burst-pg-0000000000000000000/.s.PGSQL.65535").length() > MAX_SOCKET_PATH || base.toString().contains("'")) {
                rejected.add(base + ": the socket path would be too long, or it holds a quote");
                continue;
            }
            Path dir = Files.createTempDirectory(base, "burst-pg-"); // mode 700
            if (!root) {
                return dir;
            }
            Files.setOwner(dir, serverUser);
            if (exec(dir, List.of("runuser", "-u", SERVER_USER, "--", "test", "-w", dir.toString()), Duration.ofSeconds(10)).exitCode() == 0) {
                return dir;
            }
            deleteRecursively(dir);
            rejected.add(base + ": user " + SERVER_USER + " cannot reach it (a parent directory is not traversable)");
        }
        throw new IOException("no temp directory to run PostgreSQL in: " + String.join("; ", rejected));
    }

    private static Connection connectWhenReady(int port, Path log) throws IOException {
        Properties props = new Properties();
        props.setProperty("user", USER);
        props.setProperty("password", "");
        props.setProperty("connectTimeout", "2");
        long deadline = System.nanoTime() + CONNECT_TIMEOUT.toNanos();
        while (true) {
            try {
                return DriverManager.getConnection(url(port, "postgres"), props);
            } catch (SQLException e) {
                if (System.nanoTime() > deadline) {
                    throw new IOException("PostgreSQL on 127.0.0.1:" + port + " did not accept connections within "
                            + CONNECT_TIMEOUT.toSeconds() + " s (last error: " + e.getMessage() + ")" + logSection(log), e);
                }
                sleep(Duration.ofMillis(25));
            }
        }
    }

    private static String url(int port, String database) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static List<String> command(List<String> prefix, Object... args) {
        List<String> cmd = new ArrayList<>(prefix);
        for (Object a : args) {
            cmd.add(a.toString());
        }
        return cmd;
    }

    private record Result(List<String> command, int exitCode, String output) {}

    private static Result exec(Path cwd, List<String> command, Duration timeout) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command).directory(cwd.toFile()).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
        Map<String, String> env = pb.environment();
        env.keySet().removeIf(k -> k.startsWith("PG")); // PGDATA, PGPORT, PGHOST... would steer the tools
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new IOException("could not run " + command.getFirst() + ": " + e.getMessage(), e);
        }
        CompletableFuture<String> output = CompletableFuture.supplyAsync(() -> {
            try {
                return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                return "(output unreadable: " + e.getMessage() + ")";
            }
        }, Thread::startVirtualThread);
        try {
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new IOException(String.join(" ", command) + " did not finish within " + timeout.toSeconds() + " s");
            }
            return new Result(command, p.exitValue(), output.get(5, TimeUnit.SECONDS));
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while running " + command.getFirst());
        } catch (ExecutionException | TimeoutException e) {
            return new Result(command, p.exitValue(), "(output unreadable: " + e + ")");
        }
    }

    private static Result check(Result r, String what, Path log) throws IOException {
        if (r.exitCode() != 0) {
            throw new IOException(what + " failed (exit " + r.exitCode() + "): " + String.join(" ", r.command())
                    + System.lineSeparator() + r.output().strip() + (log == null ? "" : logSection(log)));
        }
        return r;
    }

    private static String logSection(Path log) {
        String tail = logTail(log);
        return tail.isEmpty() ? "" : System.lineSeparator() + "server log " + log + " ends with:" + System.lineSeparator() + tail;
    }

    private static String logTail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join(System.lineSeparator(), lines.subList(Math.max(0, lines.size() - LOG_TAIL_LINES), lines.size()));
        } catch (IOException e) {
            return "";
        }
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        List<Path> paths;
        try (Stream<Path> walk = Files.walk(dir)) {
            paths = walk.sorted(Comparator.reverseOrder()).toList();
        }
        for (Path path : paths) {
            Files.deleteIfExists(path);
        }
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    @Override
    public String toString() {
        return "PostgresServer[" + jdbcUrl() + ", " + dir + "]";
    }
}
