package dev.burst.internal.gateway.clusterprocess;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.burst.BurstException;
import dev.burst.internal.workerprocess.WorkerJvm;
import dev.burst.spi.WorkerLaunch;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The gateway's handle on one cluster process: starts it (or finds it again after a restart),
 * talks to its control API, and stops or kills it.
 *
 * <p>Design note: the process is started detached from the gateway's fate on purpose (its output
 * goes to {@code cluster.log} in its directory, not to a pipe the gateway holds), so that a
 * {@code kill -9} of the gateway leaves running clusters running for a restarted gateway to take
 * back; the process's own orphan watchdog stops it if no gateway ever returns.
 */
public final class ClusterProcess {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration START_TIMEOUT = Duration.ofSeconds(120);
    static final String LOG_FILE = "cluster.log";

    private final Path dir;
    private final long pid;
    private final int port;
    private final String token;
    private final HttpClient http;

    private ClusterProcess(Path dir, long pid, int port, String token) {
        this.dir = dir;
        this.pid = pid;
        this.port = port;
        this.token = token;
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    }

    /**
     * Starts a bare cluster process in {@code dir} and waits until its control API answers.
     *
     * @param classpath the process's class path (the gateway's)
     * @param javaOptions extra JVM options (e.g. {@code -Xmx4g})
     * @param environment set in the process's environment (e.g. {@code BURST_HOME})
     */
    public static ClusterProcess launch(Path dir, String classpath, List<String> javaOptions, Map<String, String> environment,
                                        Duration timeout) {
        try {
            Files.createDirectories(dir);
            String token = HexFormat.of().formatHex(randomBytes());
            Path tokenFile = dir.resolve(ClusterProcessMain.CONTROL_TOKEN);
            Files.deleteIfExists(tokenFile);
            Files.createFile(tokenFile, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(tokenFile, token + "\n");
            Files.deleteIfExists(dir.resolve(ClusterProcessMain.CONTROL_JSON));
            String java = WorkerLaunch.thisJava();
            List<String> cmd = new ArrayList<>();
            cmd.add(java);
            cmd.addAll(WorkerJvm.options(java, classpath, 1L << 30, dir.getFileName().toString()));
            cmd.addAll(javaOptions);
            cmd.addAll(List.of("-cp", classpath, ClusterProcessMain.class.getName(), "--dir", dir.toAbsolutePath().toString()));
            ProcessBuilder pb = new ProcessBuilder(cmd);
            pb.environment().putAll(environment);
            Process p = pb.directory(dir.toFile()).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve(LOG_FILE).toFile()))
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
            long deadline = System.nanoTime() + timeout.toNanos();
            while (true) {
                Optional<ClusterProcess> found = read(dir, token);
                if (found.isPresent()) {
                    return found.get();
                }
                if (!p.isAlive()) {
                    throw new BurstException("the cluster process exited with status " + p.exitValue() + " before it was ready: "
                            + logTail(dir));
                }
                if (System.nanoTime() > deadline) {
                    p.destroyForcibly();
                    throw new BurstException("the cluster process was not ready within " + timeout.toSeconds() + " s: " + logTail(dir));
                }
                p.waitFor(10, TimeUnit.MILLISECONDS);
            }
        } catch (IOException e) {
            throw new BurstException("cannot start a cluster process in " + dir + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BurstException("interrupted while starting a cluster process");
        }
    }

    /** The process that runs in {@code dir}, if it wrote its control address and is alive. */
    public static Optional<ClusterProcess> find(Path dir) {
        try {
            return read(dir, Files.readString(dir.resolve(ClusterProcessMain.CONTROL_TOKEN)).strip())
                    .filter(ClusterProcess::alive);
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static Optional<ClusterProcess> read(Path dir, String token) throws IOException {
        try {
            JsonNode n = JSON.readTree(dir.resolve(ClusterProcessMain.CONTROL_JSON).toFile());
            return Optional.of(new ClusterProcess(dir, n.path("pid").asLong(), n.path("port").asInt(), token));
        } catch (NoSuchFileException | java.io.FileNotFoundException e) {
            return Optional.empty();
        }
    }

    private static byte[] randomBytes() {
        byte[] b = new byte[32];
        RANDOM.nextBytes(b);
        return b;
    }

    /** The last lines of the process's log, for error messages. */
    public static String logTail(Path dir) {
        try {
            List<String> lines = Files.readAllLines(dir.resolve(LOG_FILE), StandardCharsets.UTF_8);
            return lines.isEmpty() ? "(its log is empty)"
                    : String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    public long pid() {
        return pid;
    }

    public int port() {
        return port;
    }

    public Path dir() {
        return dir;
    }

    public boolean alive() {
        return handle().isPresent();
    }

    /**
     * The process, if the pid is alive and still the cluster process of this directory: after a
     * reboot the recorded pid may be an unrelated process of the same user.
     */
    private Optional<ProcessHandle> handle() {
        return ProcessHandle.of(pid).filter(ProcessHandle::isAlive).filter(h -> isClusterProcess(h) || answers());
    }

    /** Its command line names the cluster process's main class (when the system shows command lines at all). */
    private static boolean isClusterProcess(ProcessHandle h) {
        return h.info().arguments().map(args -> java.util.Arrays.asList(args).contains(ClusterProcessMain.class.getName()))
                .orElse(false);
    }

    // ---------------------------------------------------------------- control

    /** Has a cluster of {@code spec}'s shape ready, with no workers, for a {@link #start} of the same shape. */
    public void prepare(ClusterProcessSpec spec) {
        call("POST", "/prepare", spec, START_TIMEOUT);
    }

    /** True when the process answers. */
    public boolean answers() {
        try {
            call("GET", "/health", null, REQUEST_TIMEOUT);
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** Starts the cluster in this process (taking over the prepared one when its shape matches). */
    public ClusterStarted start(ClusterProcessSpec spec) {
        return JSON.convertValue(call("POST", "/start", spec, START_TIMEOUT), ClusterStarted.class);
    }

    public ControlStatus status() {
        return JSON.convertValue(call("GET", "/status", null, REQUEST_TIMEOUT), ControlStatus.class);
    }

    public ControlStatus scale(int n) {
        return JSON.convertValue(call("POST", "/scale", Map.of("count", n), REQUEST_TIMEOUT), ControlStatus.class);
    }

    public ControlStatus adapt(int minimum, int maximum) {
        return JSON.convertValue(call("POST", "/adapt", Map.of("minimum", minimum, "maximum", maximum), REQUEST_TIMEOUT),
                ControlStatus.class);
    }

    /**
     * Winds the cluster down ({@link dev.burst.Cluster#windDown}): no new task runs, running ones
     * get {@code grace}, results stay fetchable, workers stop. Returns at once.
     */
    public ControlStatus windDown(String reason, Duration grace) {
        return JSON.convertValue(call("POST", "/wind-down", Map.of("reason", reason, "graceSeconds", grace.toSeconds()),
                REQUEST_TIMEOUT), ControlStatus.class);
    }

    /**
     * Stops the cluster and the process: asks first, and kills the process if it has not gone
     * within {@code grace}. Returns its last status, when it gave one.
     */
    public Optional<ControlStatus> stop(Duration grace) {
        Optional<ControlStatus> last = Optional.empty();
        try {
            JsonNode n = call("POST", "/stop", Map.of(), grace.plusSeconds(5));
            if (n.has("schedulerAddress")) {
                last = Optional.of(JSON.convertValue(n, ControlStatus.class));
            }
        } catch (RuntimeException e) {
            // not answering: killed below
        }
        Optional<ProcessHandle> h = handle();
        if (h.isPresent()) {
            try {
                h.get().onExit().get(grace.toMillis(), TimeUnit.MILLISECONDS);
            } catch (Exception e) {
                kill();
            }
        }
        return last;
    }

    /**
     * Ends the process: SIGTERM first, so that its shutdown hook closes the cluster (a Slurm
     * backend cancels its jobs there), then, after a few seconds, SIGKILL for it and its descendants.
     */
    public void kill() {
        handle().ifPresent(h -> {
            List<ProcessHandle> family = h.descendants().toList();
            h.destroy();
            try {
                h.onExit().get(KILL_GRACE_SECONDS, TimeUnit.SECONDS);
            } catch (Exception notYet) {
                h.destroyForcibly();
            }
            family.forEach(ProcessHandle::destroyForcibly);
            try {
                h.onExit().get(10, TimeUnit.SECONDS);
            } catch (Exception ignored) {
                // reported by alive()
            }
        });
    }

    private static final long KILL_GRACE_SECONDS = 5;

    private JsonNode call(String method, String path, Object body, Duration timeout) {
        try {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(timeout)
                    .header("Authorization", "Bearer " + token).header("Content-Type", "application/json");
            b.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body)));
            HttpResponse<byte[]> r = http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
            JsonNode n = r.body().length == 0 ? JSON.createObjectNode() : JSON.readTree(r.body());
            if (r.statusCode() == 422) {
                throw new IllegalArgumentException(n.path("error").asText("refused"));
            }
            if (r.statusCode() != 200) {
                throw new BurstException("the cluster process answered " + r.statusCode() + " to " + method + " " + path + ": "
                        + n.path("error").asText(""));
            }
            return n;
        } catch (IOException e) {
            throw new BurstException("the cluster process (pid " + pid + ") does not answer " + method + " " + path + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BurstException("interrupted while talking to the cluster process");
        }
    }
}
