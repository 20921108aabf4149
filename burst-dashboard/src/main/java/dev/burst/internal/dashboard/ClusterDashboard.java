package dev.burst.internal.dashboard;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.burst.Cluster;
import dev.burst.ClusterStatus;
import dev.burst.spi.DashboardProvider;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.sse.SseClient;
import org.eclipse.jetty.server.ServerConnector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * One cluster's web dashboard: the status page (progress per task prefix, the task stream, the
 * workers, live busy ÷ allocated), the workers page, the usage page, {@code /events} (server-sent
 * events at 1 Hz) and {@code /metrics} (Prometheus).
 *
 * <p>Design note. Everything comes from the cluster's public API: a ticker thread takes
 * {@link Cluster#status()} once a second (the snapshot is counted, not walked, so this costs the
 * scheduler next to nothing), keeps it for the pages, the metrics and the usage history, and
 * pushes it to the pages open now with the task-stream records each has not seen; the task stream
 * and the per-prefix counters come from a {@link dev.burst.ClusterListener}. With no page open the
 * dashboard costs one snapshot a second. It binds loopback and admits only holders of its token
 * ({@link DashboardAccess}). Start is a sequence of steps; {@link #close} undoes any prefix of them.
 */
final class ClusterDashboard implements DashboardProvider.Dashboard {
    private static final Logger log = LoggerFactory.getLogger(ClusterDashboard.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Task-stream records sent to a page per tick at most: a page shows seconds, not history. */
    private static final int STREAM_PER_TICK = 2_000;
    /** Usage samples kept: an hour at one a second. */
    private static final int HISTORY = 3_600;
    /**
     * The name the cluster's user knows it by, sent by a gateway that relays this dashboard (its
     * {@code c-…} name; the cluster process names the cluster it runs {@code burst-processes-<pid>-<n>},
     * often before the gateway picked a name for it). Only holders of the token send requests at all.
     */
    static final String USER_NAME_HEADER = "X-Burst-Gateway-Cluster";
    private static final java.util.regex.Pattern USER_NAME = java.util.regex.Pattern.compile("[A-Za-z0-9._-]{1,64}");

    private final Cluster cluster;
    private final DashboardAccess access;
    private final TaskStream stream = new TaskStream();
    private final ClusterMetrics metrics;
    private final WorkerLabels workerLabels;
    private final List<Subscriber> subscribers = new CopyOnWriteArrayList<>();
    /** (epoch ms, allocated core-s, busy core-s, allocated GPU-s, busy GPU-s), oldest first; guarded by itself. */
    private final ArrayDeque<double[]> history = new ArrayDeque<>();
    private volatile ClusterStatus latest;
    private ScheduledExecutorService ticker;
    private Javalin http;
    private String url;
    private volatile boolean closed;

    /** A page listening to {@code /events}, and the first task-stream record it has not had. */
    private static final class Subscriber {
        final SseClient client;
        long next;

        Subscriber(SseClient client, long next) {
            this.client = client;
            this.next = next;
        }
    }

    private ClusterDashboard(Cluster cluster, DashboardAccess access) {
        this.cluster = cluster;
        this.access = access;
        this.latest = cluster.status();
        this.workerLabels = new WorkerLabels(cluster.name());
        this.metrics = new ClusterMetrics(cluster.name(), cluster.user(), () -> latest, subscribers::size);
    }

    /** Serves {@code cluster}'s dashboard on {@code bindHost} (port 0: any free one). */
    static ClusterDashboard start(Cluster cluster, String bindHost, int port, DashboardAccess access) {
        ClusterDashboard d = new ClusterDashboard(cluster, access);
        try {
            d.listen();
            d.serveHttp(bindHost, port);
            d.tick();
            return d;
        } catch (RuntimeException e) {
            d.close();
            throw e;
        }
    }

    private void listen() {
        cluster.addListener(stream);
        cluster.addListener(metrics);
        ticker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "burst-dashboard-" + cluster.name());
            t.setDaemon(true);
            return t;
        });
    }

    private void serveHttp(String bindHost, int port) {
        http = Javalin.create(config -> {
            config.startup.showJavalinBanner = false;
            config.startup.showOldJavalinVersionWarning = false;
            config.concurrency.useVirtualThreads = true;
            config.staticFiles.enableWebjars();
            config.staticFiles.add("/dev/burst/dashboard", io.javalin.http.staticfiles.Location.CLASSPATH);
            config.jetty.addConnector((server, httpConfig) -> {
                ServerConnector c = new ServerConnector(server);
                c.setHost(bindHost);
                c.setPort(port);
                return c;
            });
            var r = config.routes;
            r.before(ctx -> {
                String path = ctx.path();
                if (!path.startsWith("/webjars/") && !path.startsWith("/static/") && !access.admit(ctx)) {
                    ctx.skipRemainingHandlers();
                }
            });
            r.get("/", ctx -> page(ctx, DashboardPages.status(names(ctx))));
            r.get("/workers", ctx -> page(ctx, DashboardPages.workers(names(ctx))));
            r.get("/usage", ctx -> page(ctx, DashboardPages.usage(names(ctx))));
            r.get("/api/status", ctx -> ctx.json(view(latest)));
            r.get("/api/usage-history", ctx -> ctx.json(history()));
            r.get("/metrics", ctx -> ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(metrics.scrape()));
            r.sse("/events", client -> {
                client.keepAlive();
                Subscriber s = new Subscriber(client, Math.max(0, stream.next() - STREAM_PER_TICK));
                subscribers.add(s);
                client.onClose(() -> subscribers.remove(s));
                send(s, view(latest)); // at once, not a tick later
            });
        }).start();
        int bound = ((ServerConnector) http.jettyServer().server().getConnectors()[0]).getLocalPort();
        url = "http://" + (bindHost.contains(":") ? "[" + bindHost + "]" : bindHost) + ":" + bound + "/?token=" + access.token();
        ticker.scheduleAtFixedRate(this::tickQuietly, 1, 1, TimeUnit.SECONDS);
    }

    /** Takes a fresh snapshot now (the initial workers joined), on the caller's thread. */
    @Override
    public void refresh() {
        tickQuietly();
    }

    /** The cluster's name for the page's title: the one its user knows, and the one it runs as. */
    private DashboardPages.Names names(Context ctx) {
        String relayed = ctx.header(USER_NAME_HEADER);
        return new DashboardPages.Names(relayed != null && USER_NAME.matcher(relayed).matches() ? relayed : cluster.name(),
                cluster.name());
    }

    private static void page(Context ctx, String html) {
        ctx.header("Cache-Control", "no-store");
        ctx.header("Content-Security-Policy", "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:");
        ctx.contentType("text/html; charset=utf-8").result(html);
    }

    private void tickQuietly() {
        try {
            tick();
        } catch (RuntimeException e) {
            if (!closed && !cluster.isClosed()) {
                log.debug("dashboard tick failed: {}", e.toString());
            }
        }
    }

    /** Takes the snapshot, records a usage sample, and pushes both to the open pages. */
    private synchronized void tick() {
        if (closed || cluster.isClosed()) {
            return;
        }
        ClusterStatus s = cluster.status();
        latest = s;
        synchronized (history) {
            history.addLast(new double[]{s.takenAt().toEpochMilli(), s.usage().allocatedCoreSeconds(), s.usage().busyCoreSeconds(),
                    s.usage().allocatedGpuSeconds(), s.usage().busyGpuSeconds()});
            while (history.size() > HISTORY) {
                history.removeFirst();
            }
        }
        if (!subscribers.isEmpty()) {
            Map<String, Object> v = view(s);
            for (Subscriber sub : subscribers) {
                send(sub, v);
            }
        }
    }

    private void send(Subscriber sub, Map<String, Object> status) {
        if (sub.client.terminated()) {
            subscribers.remove(sub);
            return;
        }
        List<TaskStream.Entry> tasks = stream.since(sub.next, STREAM_PER_TICK);
        List<Object[]> rows = new ArrayList<>(tasks.size());
        for (TaskStream.Entry e : tasks) {
            var t = e.task();
            long end = t.endedAt().toEpochMilli();
            rows.add(new Object[]{t.worker(), t.prefix(), end - t.duration().toMillis(), end, t.failed()});
            sub.next = e.seq() + 1;
        }
        Map<String, Object> event = new LinkedHashMap<>(status);
        event.put("stream", rows);
        try {
            sub.client.sendEvent("status", JSON.writeValueAsString(event));
        } catch (Exception e) {
            subscribers.remove(sub);
        }
    }

    /** The status as the pages read it. */
    private Map<String, Object> view(ClusterStatus s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("cluster", s.cluster());
        m.put("takenAt", s.takenAt().toEpochMilli());
        m.put("clients", s.clients());
        m.put("idleSeconds", s.idle() ? s.sinceLastActivity().toSeconds() : 0);
        var t = s.tasks();
        m.put("tasks", Map.of("released", t.released(), "waiting", t.waiting(), "queued", t.queued(), "noWorker", t.noWorker(),
                "processing", t.processing(), "running", s.tasksRunning(), "queuedOnWorkers", s.tasksQueuedOnWorkers(),
                "memory", t.memory(), "erred", t.erred()));
        List<Map<String, Object>> progress = new ArrayList<>();
        for (ClusterStatus.Progress p : s.progress()) {
            progress.add(Map.of("prefix", p.prefix(), "total", p.total(), "done", p.done(), "erred", p.erred(), "processing", p.processing()));
        }
        m.put("progress", progress);
        List<Map<String, Object>> workers = new ArrayList<>();
        for (ClusterStatus.Worker w : s.workers()) {
            Map<String, Object> x = new LinkedHashMap<>();
            x.put("name", w.name());
            x.put("label", workerLabels.of(w.name()));
            x.put("threads", w.threads());
            x.put("running", w.tasksRunning());
            x.put("queued", w.tasksQueued());
            x.put("storedBytes", w.storedBytes());
            x.put("spilledBytes", w.spilledBytes());
            x.put("busySeconds", w.busySeconds());
            x.put("cpuSeconds", w.cpuSeconds());
            x.put("retiring", w.retiring());
            workers.add(x);
        }
        m.put("workers", workers);
        var u = s.usage();
        Map<String, Object> usage = new LinkedHashMap<>();
        usage.put("cores", u.cores());
        usage.put("wallSeconds", u.wallSeconds());
        usage.put("allocatedCoreSeconds", u.allocatedCoreSeconds());
        usage.put("busyCoreSeconds", u.busyCoreSeconds());
        usage.put("allocatedGpuSeconds", u.allocatedGpuSeconds());
        usage.put("busyGpuSeconds", u.busyGpuSeconds());
        usage.put("cpuSeconds", u.cpuSeconds());
        usage.put("tasks", u.tasks());
        usage.put("bytesSpilled", u.bytesSpilled());
        usage.put("efficiency", u.allocatedCoreSeconds() > 0 ? u.busyCoreSeconds() / u.allocatedCoreSeconds() : null);
        m.put("usage", usage);
        return m;
    }

    private List<double[]> history() {
        synchronized (history) {
            return new ArrayList<>(history);
        }
    }

    /** The port it serves on. */
    int port() {
        return ((ServerConnector) http.jettyServer().server().getConnectors()[0]).getLocalPort();
    }

    String token() {
        return access.token();
    }

    @Override
    public String url() {
        return url;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (ticker != null) {
            ticker.shutdownNow();
        }
        for (Subscriber s : subscribers) {
            s.client.close();
        }
        subscribers.clear();
        if (http != null) {
            http.stop();
        }
        if (!cluster.isClosed()) {
            cluster.removeListener(stream);
            cluster.removeListener(metrics);
        }
        metrics.close();
    }
}
