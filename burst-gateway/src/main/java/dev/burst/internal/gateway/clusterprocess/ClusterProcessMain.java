package dev.burst.internal.gateway.clusterprocess;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.burst.Cluster;
import dev.burst.ClusterStatus;
import dev.burst.ClusterUsage;
import dev.burst.spi.BackendOptions;
import dev.burst.spi.ClusterBackends;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The main class of a gateway cluster's process: one cluster, controlled over loopback HTTP.
 *
 * <p>Design note: the process starts bare (JVM up, classes loaded, control port open) and writes
 * {@code control.json} ({@code pid}, {@code port}) into its directory; the cluster itself comes
 * with {@code POST /start}. Splitting the two lets the gateway keep a started process spare, so a
 * user's create pays for the cluster, not for a JVM. Every request carries the control token the
 * gateway wrote into {@code control.token} (mode 0600) before starting the process; it is compared
 * in constant time. Without any request for {@code orphanSeconds} the process stops its cluster
 * and exits: a gateway that was killed and never restarted leaves no cluster behind (one that
 * restarts in time finds it again through {@code control.json}).
 */
public final class ClusterProcessMain {
    static final String CONTROL_JSON = "control.json";
    static final String CONTROL_TOKEN = "control.token";
    static final long MAX_BODY_BYTES = 64 * 1024;
    /** Before a spec arrives: a spare that the gateway forgot stops after this long alone. */
    private static final long SPARE_ORPHAN_SECONDS = 600;
    private static final Logger log = LoggerFactory.getLogger(ClusterProcessMain.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path dir;
    private final byte[] controlToken;
    private final CountDownLatch exit = new CountDownLatch(1);
    private final ScheduledExecutorService watchdog = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "burst-cluster-watchdog");
        t.setDaemon(true);
        return t;
    });
    private HttpServer server;
    private volatile Cluster cluster;
    private volatile Cluster prepared;
    private ClusterProcessSpec preparedSpec;
    private volatile long orphanNanos = TimeUnit.SECONDS.toNanos(SPARE_ORPHAN_SECONDS);
    private volatile long lastRequestNanos = System.nanoTime();

    private ClusterProcessMain(Path dir, byte[] controlToken) {
        this.dir = dir;
        this.controlToken = controlToken;
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 2 || !args[0].equals("--dir")) {
            System.err.println("usage: ClusterProcessMain --dir DIR (started by the Burst gateway, not by hand)");
            System.exit(2);
        }
        Path dir = Path.of(args[1]);
        byte[] token = Files.readString(dir.resolve(CONTROL_TOKEN), StandardCharsets.UTF_8).strip().getBytes(StandardCharsets.UTF_8);
        ClusterProcessMain main = new ClusterProcessMain(dir, token);
        Runtime.getRuntime().addShutdownHook(new Thread(main::closeCluster, "burst-cluster-shutdown"));
        main.serveControl();
        main.publishControlAddress();
        main.watchForOrphaning();
        main.exit.await();
        main.closeCluster();
        System.exit(0);
    }

    // ---------------------------------------------------------------- start steps

    private void serveControl() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/", this::handle);
        server.start();
    }

    private void publishControlAddress() throws IOException {
        Path tmp = dir.resolve(CONTROL_JSON + ".tmp");
        Files.writeString(tmp, JSON.writeValueAsString(Map.of("pid", ProcessHandle.current().pid(),
                "port", server.getAddress().getPort())));
        Files.move(tmp, dir.resolve(CONTROL_JSON), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    private void watchForOrphaning() {
        watchdog.scheduleWithFixedDelay(() -> {
            if (System.nanoTime() - lastRequestNanos > orphanNanos) {
                log.warn("no word from the gateway for {} s: stopping this cluster (reason: gateway-lost)",
                        TimeUnit.NANOSECONDS.toSeconds(orphanNanos));
                exit.countDown();
            }
        }, 1, 1, TimeUnit.SECONDS);
    }

    // ---------------------------------------------------------------- requests

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            if (!authorized(ex)) {
                reply(ex, 401, Map.of("error", "bad or missing control token"));
                return;
            }
            lastRequestNanos = System.nanoTime();
            String route = ex.getRequestMethod() + " " + ex.getRequestURI().getPath();
            try {
                switch (route) {
                    case "POST /prepare" -> {
                        prepare(JSON.readValue(body(ex), ClusterProcessSpec.class));
                        reply(ex, 200, Map.of("prepared", true));
                    }
                    case "GET /health" -> reply(ex, 200, Map.of("prepared", prepared != null, "running", cluster != null));
                    case "POST /start" -> reply(ex, 200, start(JSON.readValue(body(ex), ClusterProcessSpec.class)));
                    case "GET /status" -> reply(ex, 200, status());
                    case "POST /scale" -> {
                        JsonNode b = JSON.readTree(body(ex));
                        running().scale(b.path("count").asInt(-1));
                        reply(ex, 200, status());
                    }
                    case "POST /adapt" -> {
                        JsonNode b = JSON.readTree(body(ex));
                        running().adapt(b.path("minimum").asInt(-1), b.path("maximum").asInt(-1));
                        reply(ex, 200, status());
                    }
                    case "POST /wind-down" -> {
                        JsonNode b = JSON.readTree(body(ex));
                        String reason = b.path("reason").asText("");
                        long grace = b.path("graceSeconds").asLong(-1);
                        if (reason.isBlank() || grace < 0) {
                            throw new IllegalArgumentException("a wind-down needs a reason and graceSeconds >= 0");
                        }
                        running().windDown(reason, java.time.Duration.ofSeconds(grace));
                        reply(ex, 200, status());
                    }
                    case "POST /stop" -> {
                        ControlStatus last = cluster == null ? null : status();
                        closeCluster();
                        reply(ex, 200, last == null ? Map.of() : last);
                        exit.countDown();
                    }
                    default -> reply(ex, 404, Map.of("error", "no route " + route));
                }
            } catch (IllegalArgumentException | IllegalStateException e) {
                reply(ex, 422, Map.of("error", String.valueOf(e.getMessage())));
            } catch (RuntimeException e) {
                log.warn("{} failed", route, e);
                reply(ex, 500, Map.of("error", e.toString()));
            }
        }
    }

    private boolean authorized(HttpExchange ex) {
        String h = ex.getRequestHeaders().getFirst("Authorization");
        if (h == null || !h.startsWith("Bearer ")) {
            return false;
        }
        return MessageDigest.isEqual(h.substring(7).strip().getBytes(StandardCharsets.UTF_8), controlToken);
    }

    private static byte[] body(HttpExchange ex) throws IOException {
        try (InputStream in = ex.getRequestBody()) {
            byte[] b = in.readNBytes((int) MAX_BODY_BYTES + 1);
            if (b.length > MAX_BODY_BYTES) {
                throw new IllegalArgumentException("request body over " + MAX_BODY_BYTES + " bytes");
            }
            return b;
        }
    }

    private static void reply(HttpExchange ex, int code, Object body) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(body);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(code, bytes.length);
        ex.getResponseBody().write(bytes);
    }

    /**
     * Starts a cluster of {@code spec}'s shape with no workers, for a later {@code /start} of the
     * same shape to take over: what a spare process has ready, so that a create pays neither for
     * the scheduler nor for the first worker JVM (the local backend keeps a warm one beside it).
     */
    private synchronized void prepare(ClusterProcessSpec spec) {
        if (cluster != null || prepared != null) {
            throw new IllegalStateException("this process has a cluster already");
        }
        prepared = create(spec);
        preparedSpec = spec;
    }

    private static boolean sameShape(ClusterProcessSpec a, ClusterProcessSpec b) {
        return a.backend().equals(b.backend()) && a.threadsPerWorker() == b.threadsPerWorker()
                && java.util.Objects.equals(a.memoryPerWorker(), b.memoryPerWorker()) && a.gpusPerWorker() == b.gpusPerWorker()
                && a.settings().equals(b.settings()) && java.util.Objects.equals(a.workerEntrance(), b.workerEntrance());
    }

    private synchronized ClusterStarted start(ClusterProcessSpec spec) {
        if (cluster != null) {
            throw new IllegalStateException("this process runs cluster " + cluster.name() + " already");
        }
        Cluster c;
        if (prepared != null && sameShape(preparedSpec, spec)) {
            c = prepared;
            if (spec.adaptMaximum() == null && spec.workers() > 0) {
                c.scale(spec.workers());
            }
        } else {
            if (prepared != null) {
                prepared.close(); // another shape was asked for
            }
            c = create(spec);
        }
        prepared = null;
        cluster = c;
        if (spec.adaptMaximum() != null) {
            c.adapt(spec.adaptMinimum() == null ? 0 : spec.adaptMinimum(), spec.adaptMaximum());
        }
        orphanNanos = TimeUnit.SECONDS.toNanos(Math.max(5, spec.orphanSeconds()));
        log.info("cluster {} of {} started: scheduler at {}", spec.name(), spec.user(), c.address().orElse("?"));
        return new ClusterStarted(c.address().orElseThrow(() -> new IllegalStateException(
                "backend " + spec.backend() + " made a cluster without a network scheduler; the gateway needs one")),
                c.tokenFile().map(Path::toString).orElseThrow(() -> new IllegalStateException("the cluster has no token file")));
    }

    private static Cluster create(ClusterProcessSpec spec) {
        BackendOptions.Builder b = BackendOptions.builder().workers(spec.workers()).threadsPerWorker(spec.threadsPerWorker())
                .gpusPerWorker(spec.gpusPerWorker()).user(spec.user()).jobName(spec.name())
                .recordUsage(false); // the gateway's ledger records it
        if (spec.memoryPerWorker() != null) {
            b.memoryPerWorker(String.valueOf(spec.memoryPerWorker()));
        }
        spec.settings().forEach(b::setting);
        if (spec.workerEntrance() != null) {
            b.workerEntrance(spec.workerEntrance());
        }
        return ClusterBackends.create(spec.backend(), b.build());
    }

    private Cluster running() {
        Cluster c = cluster;
        if (c == null || c.isClosed()) {
            throw new IllegalStateException("no cluster is running in this process");
        }
        return c;
    }

    private ControlStatus status() {
        Cluster c = running();
        ClusterStatus s = c.status();
        ClusterStatus.Progress total = s.total();
        ClusterUsage u = s.usage();
        int cores = s.workers().stream().mapToInt(ClusterStatus.Worker::threads).sum();
        return new ControlStatus(c.address().orElse(null), s.workers().stream().map(ClusterStatus.Worker::name).toList(), cores,
                s.tasks().pending(), s.tasks().processing(), s.tasks().memory(), total.total(), total.done() + total.erred(),
                s.clients(), u.allocatedCoreSeconds(), u.busyCoreSeconds(), u.allocatedGpuSeconds(), u.busyGpuSeconds(), u.tasks(),
                c.windDownReason().orElse(null), c.resultKeeperAddress().orElse(null), c.dashboardUrl().orElse(null));
    }

    private synchronized void closeCluster() {
        for (Cluster c : new Cluster[]{cluster, prepared}) {
            if (c != null && !c.isClosed()) {
                c.close();
            }
        }
    }
}
