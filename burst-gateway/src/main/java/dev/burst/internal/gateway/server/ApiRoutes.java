package dev.burst.internal.gateway.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.burst.internal.gateway.ledger.Accounts;
import dev.burst.internal.gateway.ledger.Budget;
import dev.burst.internal.gateway.ledger.ClusterRecord;
import dev.burst.internal.gateway.ledger.GatewayDatabase;
import dev.burst.internal.gateway.ledger.Limits;
import dev.burst.internal.gateway.ledger.StopReason;
import dev.burst.internal.gateway.ledger.TokenRefusal;
import dev.burst.internal.gateway.ledger.UsageFigures;
import dev.burst.internal.gateway.ledger.UsageRecords;
import dev.burst.internal.gateway.ledger.UserRecord;
import dev.burst.internal.resources.MemorySize;
import dev.burst.spi.ClusterBackend;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The REST API, shaped after Dask Gateway's ({@code /api/v1/clusters}, {@code /scale},
 * {@code /adapt}, {@code /options}) plus {@code me}, {@code usage}, tokens and admin routes.
 *
 * <p>Every route under {@code /api/v1} needs {@code Authorization: Bearer <token>}. A cluster
 * that is not the caller's answers 404, exactly as one that does not exist, so its name reveals
 * nothing; one's own cluster that has stopped answers GET with its record (state {@code stopped}),
 * as Dask Gateway's does, and 409 to a change. Errors are {@code {"error": "..."}} naming the
 * problem: 400 a body that is not JSON, 401 token, 403 admin only, 404 not found, 405 a method
 * the route does not take (with {@code Allow}), 409 not running, 413 body too large, 422 a JSON
 * body with bad options or over a limit, with the figures. What Jetty refuses before any route (a
 * malformed URI or header) is JSON too ({@link JsonErrorHandler}). The API is described in
 * OpenAPI 3.1 ({@link ApiDocs}); its tests check every answer against that document.
 */
final class ApiRoutes {
    private static final Logger log = LoggerFactory.getLogger(ApiRoutes.class);
    static final long MAX_BODY_BYTES = 64 * 1024;
    private static final String USER = "burst.user";
    private static final String TOKEN = "burst.token";
    // One JSON value per body: trailing values or a repeated key would leave which one counts unclear.
    private static final ObjectMapper JSON = JsonMapper.builder().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();
    private static final Pattern AUTH_SCHEME = Pattern.compile("[A-Za-z0-9_-]{1,20}");
    private static final Pattern CLUSTER_NAME = Pattern.compile("c-[0-9a-f]{10}");
    private static final Set<String> CREATE_KEYS = Set.of("workers", "adapt", "threads", "memory", "gpus", "detached", "options");
    private static final int MAX_WORKERS = 100_000;
    private static final int MAX_THREADS = 4096;
    private static final int MAX_GPUS = 1024;
    private static final long MIN_MEMORY = 1L << 20;
    private static final long MAX_MEMORY = 1L << 50;
    /** A cluster's workers' memory together: sums over thousands of clusters stay far below a BIGINT. */
    private static final long MAX_CLUSTER_MEMORY = 1L << 53;

    private final GatewaySettings settings;
    private final GatewayDatabase db;
    private final ClusterFleet fleet;
    private final ClusterBackend backend;
    private final java.util.function.Supplier<GatewayAddress> address;
    private final AuthFailures authFailures;
    /** JupyterHub's users' tokens, when the gateway accepts them; null otherwise. */
    private final JupyterHubTokens hub;

    ApiRoutes(GatewaySettings settings, GatewayDatabase db, ClusterFleet fleet, ClusterBackend backend, java.util.function.Supplier<GatewayAddress> address) {
        this.settings = settings;
        this.db = db;
        this.fleet = fleet;
        this.backend = backend;
        this.address = address;
        this.authFailures = new AuthFailures(settings.clock(), Duration.ofMinutes(1));
        this.hub = settings.jupyterHubApi() == null ? null : new JupyterHubTokens(settings.jupyterHubApi(), settings.clock());
    }

    void install(JavalinConfig config) {
        config.http.maxRequestSize = MAX_BODY_BYTES;
        config.http.prefer405over404 = true; // a known path with another method: 405 and Allow, not "no such route"
        config.jetty.modifyServer(server -> server.setErrorHandler(new JsonErrorHandler()));
        var r = config.routes;
        r.get("/api/health", ctx -> json(ctx, 200, Map.of("status", "ok")));
        r.get("/api/version", ctx -> json(ctx, 200, Map.of("version", Version.VERSION)));
        r.before("/api/v1/*", this::authenticate);
        r.get("/api/v1/options", this::options);
        r.get("/api/v1/clusters", this::listClusters);
        r.post("/api/v1/clusters", this::createCluster);
        r.get("/api/v1/clusters/{name}", this::getCluster);
        r.delete("/api/v1/clusters/{name}", this::stopCluster);
        r.post("/api/v1/clusters/{name}/scale", this::scale);
        r.post("/api/v1/clusters/{name}/adapt", this::adapt);
        r.get("/api/v1/me", this::me);
        r.get("/api/v1/usage", this::usage);
        r.get("/api/v1/tokens", ctx -> json(ctx, 200, Map.of("tokens",
                db.accounts().tokens(user(ctx).name()).stream().map(ApiViews::token).toList())));
        r.post("/api/v1/tokens", this::newToken);
        r.delete("/api/v1/tokens/{id}", this::revokeToken);
        r.before("/api/v1/admin/*", ctx -> {
            if (!user(ctx).admin()) {
                throw new ApiException(403, "admin only: " + user(ctx).name() + " is not an admin");
            }
        });
        r.get("/api/v1/admin/users", ctx -> json(ctx, 200, Map.of("users", db.accounts().users().stream().map(ApiViews::user).toList())));
        r.post("/api/v1/admin/users", this::addUser);
        r.delete("/api/v1/admin/users/{user}", this::removeUser);
        r.put("/api/v1/admin/users/{user}/limits", this::setUserLimits);
        r.post("/api/v1/admin/groups", this::addGroup);
        r.put("/api/v1/admin/groups/{group}/limits", this::setGroupLimits);
        r.get("/api/v1/admin/clusters", ctx -> json(ctx, 200, Map.of("clusters", db.clusters().all(1000).stream()
                .map(c -> ApiViews.cluster(c, fleet.running(c.name()).orElse(null))).toList(),
                "now", settings.clock().instant().toString())));

        r.exception(ApiException.class, (e, ctx) -> {
            if (!WebRoutes.errorPage(ctx, e.status(), e.getMessage())) {
                json(ctx, e.status(), Map.of("error", e.getMessage()));
            }
        });
        r.exception(HttpResponseException.class, (e, ctx) -> {
            String message = e.getMessage();
            if (e.getStatus() == 413) {
                message = "request body over " + MAX_BODY_BYTES + " bytes";
            } else if (e instanceof io.javalin.router.EndpointNotFound) { // no route has this path, with any method
                message = "no such route: " + ctx.method() + " " + ctx.path();
            } else if (e.getStatus() == 405) {
                // Javalin found the path under other methods and names them in the exception's one detail.
                String allowed = String.join(", ", e.getDetails().values());
                ctx.header("Allow", allowed);
                message = "method " + ctx.method() + " not allowed on " + ctx.path() + "; allowed: " + allowed;
            }
            json(ctx, e.getStatus(), Map.of("error", message));
        });
        r.exception(IllegalArgumentException.class, (e, ctx) -> json(ctx, 422, Map.of("error", e.getMessage())));
        r.exception(Exception.class, (e, ctx) -> {
            log.warn("{} {} failed", ctx.method(), ctx.path(), e);
            json(ctx, 500, Map.of("error", "internal error: " + e));
        });
        r.error(404, "*", ctx -> {
            if (ctx.result() == null || ctx.result().isEmpty()) {
                json(ctx, 404, Map.of("error", "no such route: " + ctx.method() + " " + ctx.path()));
            }
        });
    }

    // ---------------------------------------------------------------- auth

    /** The cookie a browser holds after logging in on the gateway's pages: the API token, HttpOnly and SameSite=Strict. */
    static final String SESSION_COOKIE = "burst-session";
    /** The header the gateway's own pages send with every change: a cross-site form or script cannot. */
    static final String PAGE_HEADER = "X-Burst-Page";

    private void authenticate(Context ctx) {
        String h = ctx.header("Authorization");
        if (h == null || h.isBlank()) {
            String session = ctx.cookie(SESSION_COOKIE);
            if (session == null || session.isBlank()) {
                throw refuse(ctx, "no token", "no API token: send 'Authorization: Bearer <token>' (from 'burst gateway user add' "
                        + "or 'burst gateway token new')");
            }
            if (ctx.method() != io.javalin.http.HandlerType.GET && !"1".equals(ctx.header(PAGE_HEADER))) {
                throw new ApiException(403, "a change made with the login cookie must come from the gateway's pages (" + PAGE_HEADER
                        + " header); scripts send 'Authorization: Bearer <token>'");
            }
            ctx.attribute(USER, userOf(ctx, session));
            ctx.attribute(TOKEN, session);
            return;
        }
        String[] parts = h.strip().split("\\s+", 2);
        if (!parts[0].equalsIgnoreCase("Bearer")) {
            // The scheme only, never what follows it: that may be a password.
            String scheme = AUTH_SCHEME.matcher(parts[0]).matches() ? "'" + parts[0] + "'" : "another scheme";
            throw refuse(ctx, "not a bearer token", "the Authorization header must be 'Bearer <token>', not " + scheme);
        }
        if (parts.length < 2) {
            throw refuse(ctx, "bearer without a token", "no token after 'Bearer': send 'Authorization: Bearer <token>'");
        }
        ctx.attribute(USER, userOf(ctx, parts[1]));
        ctx.attribute(TOKEN, h.substring(7).strip());
    }

    /** The user an API token belongs to; a 401 naming what is wrong with it otherwise. */
    UserRecord userOf(Context ctx, String token) {
        Instant now = settings.clock().instant();
        if (hub != null && !token.startsWith(Accounts.TOKEN_PREFIX)) {
            return hubUser(ctx, token, now);
        }
        UserRecord user = db.accounts().authenticate(token, now).orElse(null);
        if (user == null) {
            String newOne = "; ask the gateway's admin for a new one ('burst gateway token new')";
            throw switch (db.accounts().refusal(token, now).orElse(new TokenRefusal.Unknown())) {
                case TokenRefusal.NotAToken n -> refuse(ctx, "not a token",
                        "that is not a Burst API token (one is 'burst_' and 43 more characters); check what you copied");
                case TokenRefusal.Unknown u -> refuse(ctx, "unknown token", "unknown API token: this gateway did not issue it"
                        + newOne);
                case TokenRefusal.Expired e -> refuse(ctx, "expired token", "API token expired at " + e.at() + newOne);
                case TokenRefusal.Revoked r -> refuse(ctx, "revoked token", "API token was revoked at " + r.at() + newOne);
                case TokenRefusal.UserRemoved r -> refuse(ctx, "removed user's token", "user '" + r.user()
                        + "' was removed from this gateway, and with it their API tokens");
            };
        }
        return user;
    }

    /**
     * The gateway user of a JupyterHub user's token: made at their first call, with no limits of
     * their own (their group's, and the admin's later changes, apply), as Dask Gateway's hub users are.
     */
    private UserRecord hubUser(Context ctx, String token, Instant now) {
        String name = hub.userOf(token).orElseThrow(() -> refuse(ctx, "unknown hub token",
                "JupyterHub does not know this token (nor is it a Burst API token): log in to the hub again, or use "
                        + "a token from 'burst gateway token new'"));
        try {
            Accounts.checkedName("user", name);
        } catch (IllegalArgumentException e) {
            throw ApiException.unauthorized("JupyterHub user '" + name + "' cannot be a gateway user: " + e.getMessage());
        }
        Optional<UserRecord> existing = db.accounts().user(name);
        if (existing.isPresent()) {
            if (existing.get().removed()) {
                throw refuse(ctx, "removed user's hub token", "user '" + name + "' was removed from this gateway");
            }
            return existing.get();
        }
        try {
            UserRecord made = db.accounts().addUser(name, null, false, Limits.NONE, dev.burst.internal.gateway.ledger.Budget.NONE, now);
            log.info("JupyterHub user {} joined the gateway", name);
            return made;
        } catch (RuntimeException raced) { // two first calls at once: the other made them
            return db.accounts().user(name).orElseThrow(() -> raced);
        }
    }

    /** Counts a refused request for the log (once per source and interval) and returns its 401. */
    private ApiException refuse(Context ctx, String why, String message) {
        authFailures.refused(ctx.ip(), why);
        return ApiException.unauthorized(message);
    }

    private static UserRecord user(Context ctx) {
        return ctx.attribute(USER);
    }

    /** The caller's running cluster named in the path (any user's, for an admin); 409 if it stopped, 404 if not theirs. */
    private LiveCluster owned(Context ctx) {
        String name = checkedClusterName(ctx);
        UserRecord user = user(ctx);
        return fleet.owned(user, name).orElseThrow(() -> stoppedOwn(user, name).isPresent()
                ? ApiException.conflict("cluster " + name + " is not running") : ApiException.notFound("no cluster '" + name + "'"));
    }

    private static String checkedClusterName(Context ctx) {
        String name = ctx.pathParam("name");
        if (!CLUSTER_NAME.matcher(name).matches()) {
            // Not echoed: it is no cluster's name, and may be anything (markup, a path, a megabyte).
            throw ApiException.notFound("no cluster by that name: cluster names are 'c-' and 10 hex digits");
        }
        return name;
    }

    /** The record of {@code name} if it is the user's (or the user is an admin) and no longer running. */
    private Optional<ClusterRecord> stoppedOwn(UserRecord user, String name) {
        return db.clusters().find(name).filter(c -> c.userId() == user.id() || user.admin());
    }

    // ---------------------------------------------------------------- clusters

    private void options(Context ctx) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("backend", backend.name());
        m.put("description", backend.description());
        Map<String, Object> defaults = new LinkedHashMap<>();
        defaults.put("threads", settings.defaultThreads());
        defaults.put("memory", settings.defaultMemory());
        defaults.put("adapt", Map.of("minimum", 0, "maximum", settings.defaultMaxWorkers()));
        m.put("defaults", defaults);
        m.put("fields", Map.of("workers", "a fixed number of workers", "adapt", "{\"minimum\": a, \"maximum\": b}: workers come "
                        + "and go with the work", "threads", "cores per worker", "memory", "memory per worker, e.g. 4g", "gpus",
                "GPUs per worker", "detached", "true: the cluster outlives its client (idle and lifetime still apply)",
                "options", "backend settings by name"));
        Map<String, String> backendSettings = new LinkedHashMap<>(backend.settings());
        backendSettings.remove("processes");
        m.put("options", backendSettings);
        m.put("idleTimeoutSeconds", seconds(settings.reclaim().idle()));
        m.put("noClientTimeoutSeconds", seconds(settings.reclaim().noClient()));
        json(ctx, 200, m);
    }

    private static Long seconds(Duration d) {
        return d == null ? null : d.toSeconds();
    }

    private void listClusters(Context ctx) {
        boolean all = "true".equals(ctx.queryParam("stopped"));
        List<Map<String, Object>> out = new ArrayList<>();
        for (ClusterRecord c : db.clusters().ofUser(user(ctx).id(), all)) {
            out.add(ApiViews.cluster(c, fleet.running(c.name()).orElse(null)));
        }
        // The gateway's time, so that pages show ages and deadlines by its clock, not the browser's.
        json(ctx, 200, Map.of("clusters", out, "now", settings.clock().instant().toString()));
    }

    private void createCluster(Context ctx) {
        ClusterRequestOptions options = parseCreate(body(ctx));
        ClusterFleet.Created created = fleet.create(user(ctx), options);
        LiveCluster c = created.cluster();
        Map<String, Object> m = clusterWithConnection(c);
        if (created.clamped() != null) {
            m.put("message", created.clamped());
        }
        // Made over REST, the cluster has no client yet: say when it goes if none comes.
        m.put("reclaim", ApiViews.reclaim(c.record.detached(), c.timeouts));
        json(ctx, 201, m);
    }

    /** A running cluster with how to connect to it; a stopped one of the caller's as its record, like the list's. */
    private void getCluster(Context ctx) {
        String name = checkedClusterName(ctx);
        UserRecord user = user(ctx);
        Optional<LiveCluster> live = fleet.owned(user, name);
        if (live.isPresent()) {
            json(ctx, 200, clusterWithConnection(fleet.refreshed(live.get())));
            return;
        }
        ClusterRecord stopped = stoppedOwn(user, name).orElseThrow(() -> ApiException.notFound("no cluster '" + name + "'"));
        json(ctx, 200, ApiViews.cluster(stopped, null));
    }

    private Map<String, Object> clusterWithConnection(LiveCluster c) {
        Map<String, Object> m = ApiViews.cluster(db.clusters().find(c.name()).orElse(c.record), c);
        Map<String, Object> conn = new LinkedHashMap<>();
        conn.put("address", address.get().burstAddress());
        conn.put("route", ClusterFleet.routeOf(c.name()));
        conn.put("token", c.token);
        conn.put("certificateSha256", c.certificateSha256);
        m.put("connection", conn);
        return m;
    }

    private void stopCluster(Context ctx) {
        LiveCluster c = owned(ctx);
        UserRecord u = user(ctx);
        boolean byAdmin = c.record.userId() != u.id();
        fleet.stop(c, byAdmin ? StopReason.ADMIN : StopReason.USER, "stopped by " + u.name());
        json(ctx, 200, ApiViews.cluster(db.clusters().find(c.name()).orElseThrow(), null));
    }

    private void scale(Context ctx) {
        LiveCluster c = owned(ctx);
        JsonNode b = body(ctx);
        onlyKeys(b, Set.of("count"));
        int count = intField(b, "count", 0, MAX_WORKERS, true);
        ClusterFleet.Scaled s = fleet.scale(c, count);
        Map<String, Object> m = clusterWithConnection(c);
        m.put("requested", count);
        m.put("granted", s.workers());
        if (s.clamped() != null) {
            m.put("message", s.clamped());
        }
        json(ctx, 200, m);
    }

    private void adapt(Context ctx) {
        LiveCluster c = owned(ctx);
        JsonNode b = body(ctx);
        onlyKeys(b, Set.of("minimum", "maximum"));
        int min = intField(b, "minimum", 0, MAX_WORKERS, false);
        int max = intField(b, "maximum", 1, MAX_WORKERS, true);
        ClusterFleet.Scaled s = fleet.adapt(c, b.has("minimum") ? min : 0, max);
        Map<String, Object> m = clusterWithConnection(c);
        m.put("maximum", s.workers());
        if (s.clamped() != null) {
            m.put("message", s.clamped());
        }
        json(ctx, 200, m);
    }

    ClusterRequestOptions parseCreate(JsonNode b) {
        onlyKeys(b, CREATE_KEYS);
        int threads = b.has("threads") ? intField(b, "threads", 1, MAX_THREADS, true) : settings.defaultThreads();
        long memory;
        if (b.has("memory") && !b.get("memory").isTextual()) {
            throw ApiException.unprocessable("'memory' must be a size like 512m or 4g (a string), got " + b.get("memory"));
        }
        try {
            memory = MemorySize.parse(b.has("memory") ? b.get("memory").asText() : settings.defaultMemory(), "memory");
        } catch (IllegalArgumentException e) {
            throw ApiException.unprocessable(e.getMessage());
        }
        if (b.has("memory") && (memory < MIN_MEMORY || memory > MAX_MEMORY)) {
            throw ApiException.unprocessable("'memory' must be from 1m to 1024t per worker, got '" + b.get("memory").asText() + "'");
        }
        int gpus = b.has("gpus") ? intField(b, "gpus", 0, MAX_GPUS, true) : 0;
        boolean detached = false;
        if (b.has("detached")) {
            if (!b.get("detached").isBoolean()) {
                throw ApiException.unprocessable("option 'detached' must be true or false, got " + b.get("detached"));
            }
            detached = b.get("detached").asBoolean();
        }
        Integer min = null;
        Integer max = null;
        int workers = 0;
        if (b.has("workers") && b.has("adapt")) {
            throw ApiException.unprocessable("give either 'workers' (a fixed number) or 'adapt' (bounds), not both");
        }
        if (b.has("workers")) {
            workers = intField(b, "workers", 0, MAX_WORKERS, true);
        } else {
            JsonNode a = b.has("adapt") ? b.get("adapt") : null;
            if (a != null && !a.isObject()) {
                throw ApiException.unprocessable("option 'adapt' must be {\"minimum\": a, \"maximum\": b}, got " + a);
            }
            if (a != null) {
                onlyKeys(a, Set.of("minimum", "maximum"));
            }
            min = a != null && a.has("minimum") ? intField(a, "minimum", 0, MAX_WORKERS, true) : 0;
            max = a != null && a.has("maximum") ? intField(a, "maximum", 1, MAX_WORKERS, true) : settings.defaultMaxWorkers();
            if (max < min) {
                throw ApiException.unprocessable("adapt maximum " + max + " is below its minimum " + min);
            }
        }
        Map<String, String> backendSettings = new LinkedHashMap<>();
        if (b.has("options")) {
            JsonNode o = b.get("options");
            if (!o.isObject()) {
                throw ApiException.unprocessable("'options' must be an object of backend settings, got " + o);
            }
            Map<String, String> known = new LinkedHashMap<>(backend.settings());
            known.remove("processes");
            for (Iterator<Map.Entry<String, JsonNode>> it = o.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (!known.containsKey(e.getKey())) {
                    throw ApiException.unprocessable("unknown option '" + e.getKey() + "' for backend " + backend.name()
                            + (known.isEmpty() ? " (it takes none)" : "; known: " + String.join(", ", known.keySet())));
                }
                if (!e.getValue().isValueNode() || e.getValue().asText().length() > 200
                        || e.getValue().asText().chars().anyMatch(ch -> ch < 0x20 || ch == 0x7f)) {
                    throw ApiException.unprocessable("option '" + e.getKey() + "' must be a value of at most 200 printable characters");
                }
                backendSettings.put(e.getKey(), e.getValue().asText());
            }
        }
        int most = max != null ? max : workers;
        if (Math.multiplyHigh(most, memory) != 0 || (long) most * memory > MAX_CLUSTER_MEMORY) {
            throw ApiException.unprocessable(most + " workers of " + memory + " bytes is more memory than any cluster may hold (8 PiB)");
        }
        for (String key : backendSettings.keySet()) {
            if (settings.backendSettings().containsKey(key)) {
                throw ApiException.unprocessable("option '" + key + "' is set by the gateway's admin ("
                        + settings.backendSettings().get(key) + ") and cannot be changed per cluster");
            }
        }
        return new ClusterRequestOptions(threads, memory, gpus, workers, min, max, detached, backendSettings);
    }

    // ---------------------------------------------------------------- me and usage

    private void me(Context ctx) {
        UserRecord u = user(ctx);
        Map<String, Object> m = ApiViews.user(u);
        Instant now = settings.clock().instant();
        Instant since = u.budget().period() == null ? Instant.EPOCH : now.minus(u.budget().period());
        m.put("budget", ApiViews.budget(u.budget(), db.usage().since(u.id(), since)));
        UsageFigures live = UsageFigures.ZERO;
        int workers = 0;
        int clusters = 0;
        for (LiveCluster c : fleet.running()) {
            if (c.record.userId() == u.id()) {
                clusters++;
                if (c.lastStatus != null) {
                    live = live.plus(LiveCluster.usageOf(c.lastStatus));
                    workers += c.lastStatus.workers().size();
                }
            }
        }
        m.put("clusters", clusters);
        m.put("workers", workers);
        m.put("liveUsage", ApiViews.usage(live));
        json(ctx, 200, m);
    }

    private void usage(Context ctx) {
        UserRecord u = user(ctx);
        String other = ctx.queryParam("user");
        if (other != null && !other.equals(u.name())) { // an admin's view of another user's usage
            if (!u.admin()) {
                throw new ApiException(403, "admin only: another user's usage");
            }
            u = db.accounts().user(other).orElseThrow(() -> ApiException.notFound("no user by that name"));
        }
        int days = 30;
        if (ctx.queryParam("days") != null) {
            try {
                days = Integer.parseInt(ctx.queryParam("days"));
            } catch (NumberFormatException e) {
                days = -1;
            }
            if (days < 1 || days > 3660) {
                throw ApiException.unprocessable("days must be 1..3660, got '" + ctx.queryParam("days") + "'");
            }
        }
        Instant since = settings.clock().instant().minus(Duration.ofDays(days));
        List<Map<String, Object>> perCluster = new ArrayList<>();
        UsageFigures total = UsageFigures.ZERO;
        for (ClusterRecord c : db.clusters().ofUser(u.id(), true)) {
            if (c.stoppedAt() != null && c.stoppedAt().isBefore(since)) {
                continue;
            }
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", c.name());
            m.put("state", c.state().name().toLowerCase(java.util.Locale.ROOT));
            m.put("createdAt", c.createdAt().toString());
            if (c.stoppedAt() != null) {
                m.put("stoppedAt", c.stoppedAt().toString());
            }
            if (c.stopReason() != null) {
                m.put("stopReason", c.stopReason().label());
            }
            m.put("usage", ApiViews.usage(c.usage()));
            perCluster.add(m);
            total = total.plus(c.usage());
        }
        List<Map<String, Object>> perDay = new ArrayList<>();
        for (UsageRecords.Day d : db.usage().perDay(u.id(), since)) {
            perDay.add(Map.of("day", d.day().toString(), "usage", ApiViews.usage(d.usage())));
        }
        json(ctx, 200, Map.of("user", u.name(), "since", since.toString(), "total", ApiViews.usage(total),
                "clusters", perCluster, "days", perDay));
    }

    // ---------------------------------------------------------------- tokens

    private void newToken(Context ctx) {
        JsonNode b = body(ctx);
        onlyKeys(b, Set.of("label", "expiresInDays"));
        String label = b.has("label") ? textField(b, "label") : "";
        if (label.length() > 200) {
            throw ApiException.unprocessable("label is over 200 characters");
        }
        Instant now = settings.clock().instant();
        Instant expires = b.has("expiresInDays") ? now.plus(Duration.ofDays(intField(b, "expiresInDays", 1, 3660, true))) : null;
        // A token never outlives the one that made it: an expiring token cannot mint a lasting one.
        Instant callers = db.accounts().expiryOf(ctx.attribute(TOKEN)).orElse(null);
        if (callers != null && (expires == null || expires.isAfter(callers))) {
            expires = callers;
        }
        String secret = db.accounts().issueToken(user(ctx).name(), label, expires, now);
        json(ctx, 201, Map.of("token", secret));
    }

    private void revokeToken(Context ctx) {
        long id;
        try {
            id = Long.parseLong(ctx.pathParam("id"));
        } catch (NumberFormatException e) {
            throw ApiException.notFound("no token by that id: token ids are numbers");
        }
        if (!db.accounts().revokeToken(user(ctx).name(), id, settings.clock().instant())) {
            throw ApiException.notFound("no token " + id);
        }
        json(ctx, 200, Map.of("revoked", id));
    }

    // ---------------------------------------------------------------- admin

    private void addUser(Context ctx) {
        JsonNode b = body(ctx);
        onlyKeys(b, Set.of("name", "group", "admin", "limits", "budget"));
        String name = textField(b, "name");
        Instant now = settings.clock().instant();
        db.accounts().addUser(name, b.has("group") ? textField(b, "group") : null, b.path("admin").asBoolean(false),
                parseLimits(b.path("limits")), parseBudget(b.path("budget")), now);
        String token = db.accounts().issueToken(name, "made by " + user(ctx).name(), null, now);
        json(ctx, 201, Map.of("user", ApiViews.user(db.accounts().user(name).orElseThrow()), "token", token));
    }

    private void removeUser(Context ctx) {
        String name = ctx.pathParam("user");
        db.accounts().removeUser(name, settings.clock().instant());
        for (LiveCluster c : fleet.running()) {
            if (c.record.user().equals(name)) {
                fleet.stop(c, StopReason.ADMIN, "user " + name + " was removed by " + user(ctx).name());
            }
        }
        json(ctx, 200, Map.of("removed", name));
    }

    private void setUserLimits(Context ctx) {
        JsonNode b = body(ctx);
        onlyKeys(b, Set.of("limits", "budget"));
        json(ctx, 200, ApiViews.user(db.accounts().setLimits(ctx.pathParam("user"), parseLimits(b.path("limits")),
                parseBudget(b.path("budget")))));
    }

    private void addGroup(Context ctx) {
        JsonNode b = body(ctx);
        onlyKeys(b, Set.of("name", "limits"));
        var g = db.accounts().addGroup(textField(b, "name"), parseLimits(b.path("limits")), settings.clock().instant());
        json(ctx, 201, Map.of("name", g.name(), "limits", ApiViews.limits(g.limits())));
    }

    private void setGroupLimits(Context ctx) {
        JsonNode b = body(ctx);
        var g = db.accounts().setGroupLimits(ctx.pathParam("group"), parseLimits(b.path("limits")));
        json(ctx, 200, Map.of("name", g.name(), "limits", ApiViews.limits(g.limits())));
    }

    static Limits parseLimits(JsonNode l) {
        if (l.isMissingNode() || l.isNull()) {
            return Limits.NONE;
        }
        onlyKeys(l, Set.of("maxClusters", "maxCores", "maxMemory", "maxGpus", "maxWorkersPerCluster", "maxLifetimeSeconds"));
        Long memory = l.has("maxMemory") ? MemorySize.parse(l.get("maxMemory").asText(), "maxMemory") : null;
        return new Limits(optInt(l, "maxClusters"), optInt(l, "maxCores"), memory, optInt(l, "maxGpus"),
                optInt(l, "maxWorkersPerCluster"),
                l.has("maxLifetimeSeconds") ? Duration.ofSeconds(intField(l, "maxLifetimeSeconds", 1, Integer.MAX_VALUE, true)) : null);
    }

    static Budget parseBudget(JsonNode b) {
        if (b.isMissingNode() || b.isNull()) {
            return Budget.NONE;
        }
        onlyKeys(b, Set.of("coreSeconds", "gpuSeconds", "periodSeconds"));
        return new Budget(b.has("coreSeconds") ? b.get("coreSeconds").asDouble() : null,
                b.has("gpuSeconds") ? b.get("gpuSeconds").asDouble() : null,
                b.has("periodSeconds") ? Duration.ofSeconds(intField(b, "periodSeconds", 1, Integer.MAX_VALUE, true)) : null);
    }

    private static Integer optInt(JsonNode n, String field) {
        return n.has(field) ? intField(n, field, 0, Integer.MAX_VALUE, true) : null;
    }

    // ---------------------------------------------------------------- JSON

    private static JsonNode body(Context ctx) {
        byte[] bytes = ctx.bodyAsBytes();
        if (bytes.length == 0) {
            return JSON.createObjectNode();
        }
        try {
            JsonNode n = JSON.readTree(bytes);
            if (n == null || !n.isObject()) {
                throw ApiException.unprocessable("the request body must be a JSON object");
            }
            return n;
        } catch (JsonProcessingException e) {
            throw ApiException.badRequest("the request body is not JSON: " + e.getOriginalMessage());
        } catch (java.io.IOException e) {
            throw ApiException.badRequest("cannot read the request body: " + e.getMessage());
        }
    }

    static void onlyKeys(JsonNode n, Set<String> allowed) {
        for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!allowed.contains(k)) {
                throw ApiException.unprocessable("unknown option '" + k + "'; known: " + String.join(", ", new java.util.TreeSet<>(allowed)));
            }
        }
    }

    static int intField(JsonNode n, String field, int min, int max, boolean required) {
        JsonNode v = n.get(field);
        if (v == null) {
            if (required) {
                throw ApiException.unprocessable("'" + field + "' is missing");
            }
            return min;
        }
        if (!v.isIntegralNumber() || !v.canConvertToLong() || v.asLong() < min || v.asLong() > max) {
            throw ApiException.unprocessable("'" + field + "' must be a whole number from " + min + " to " + max + ", got " + v);
        }
        return (int) v.asLong();
    }

    static String textField(JsonNode n, String field) {
        JsonNode v = n.get(field);
        if (v == null || !v.isTextual()) {
            throw ApiException.unprocessable("'" + field + "' must be a string" + (v == null ? " and is missing" : ", got " + v));
        }
        return v.asText();
    }

    static void json(Context ctx, int status, Object body) {
        try {
            ctx.status(status).contentType("application/json").result(JSON.writeValueAsBytes(body));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
