package dev.burst.internal.gateway.server;

import dev.burst.internal.gateway.ledger.GatewayDatabase;
import dev.burst.internal.gateway.ledger.UserRecord;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.http.Cookie;
import io.javalin.http.SameSite;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The gateway's pages: sign in with an API token (kept in an HttpOnly, SameSite=Strict cookie; the
 * browser then returns to the page it asked for, a path on this site only),
 * one's clusters with their state, idle time, when they will be stopped and a Stop button, one's
 * usage over time, an admin page, and each cluster's own dashboard at {@code /clusters/<name>/}.
 *
 * <p>Design note. The pages hold no data of their own: {@code gateway.js} reads the REST API with
 * the cookie (changes carry {@link ApiRoutes#PAGE_HEADER}, which no cross-site form can send), so
 * what a user sees is exactly what the API lets them see. A cluster's dashboard is its cluster
 * process's, on loopback: the gateway checks the cookie's user owns the cluster (404 otherwise, as
 * the API answers) and relays GETs with the dashboard's token, which never reaches the browser.
 * What the gateway refuses is a styled page for a browser ({@code Accept: text/html}) and JSON for
 * a script, from the same {@link ApiException}.
 */
final class WebRoutes implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(WebRoutes.class);
    private static final Pattern CLUSTER_NAME = Pattern.compile("c-[0-9a-f]{10}");
    private static final Pattern DASHBOARD_PATH = Pattern.compile("[A-Za-z0-9._/-]*");
    /**
     * Where sign-in may send the browser back to: a path on this site and nothing else (no scheme,
     * no {@code //host}, no backslash, which browsers read as a slash), so the login link cannot be
     * made into a redirect to another site.
     */
    private static final Pattern SAME_SITE_PATH = Pattern.compile("/(?![/\\\\])[A-Za-z0-9._~!$&'()*+,;=:@%/?-]{0,500}");
    private static final HttpClient UPSTREAM = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final ApiRoutes api;
    private final ClusterFleet fleet;
    private final boolean secureCookies;
    private final GatewayMetrics metrics;

    WebRoutes(ApiRoutes api, GatewayDatabase db, ClusterFleet fleet, boolean secureCookies) {
        this.api = api;
        this.fleet = fleet;
        this.secureCookies = secureCookies;
        this.metrics = new GatewayMetrics(db, fleet);
    }

    /** Stops the metrics' JVM listeners. */
    @Override
    public void close() {
        metrics.close();
    }

    void install(JavalinConfig config) {
        config.staticFiles.enableWebjars();
        config.staticFiles.add("/dev/burst/dashboard", io.javalin.http.staticfiles.Location.CLASSPATH);
        config.staticFiles.add("/dev/burst/gateway", io.javalin.http.staticfiles.Location.CLASSPATH);
        var r = config.routes;
        r.get("/login", ctx -> page(ctx, 200, GatewayPages.login(null, sameSitePath(ctx.queryParam("next")))));
        r.post("/login", this::login);
        r.post("/logout", ctx -> {
            ctx.removeCookie(ApiRoutes.SESSION_COOKIE, "/");
            ctx.redirect("/login");
        });
        r.get("/", ctx -> signedIn(ctx).ifPresent(u -> page(ctx, 200, GatewayPages.clusters(u.name(), u.admin()))));
        r.get("/usage", ctx -> signedIn(ctx).ifPresent(u -> page(ctx, 200, GatewayPages.usage(u.name(), u.admin()))));
        r.get("/admin", ctx -> signedIn(ctx).ifPresent(u -> {
            if (!u.admin()) {
                page(ctx, 403, GatewayPages.error(403, "the admin page is for the gateway's admins; " + u.name() + " is not one"));
            } else {
                page(ctx, 200, GatewayPages.admin(u.name()));
            }
        }));
        r.get("/metrics", this::metrics);
        r.get("/clusters/{name}", ctx -> { // Javalin matches the trailing slash here too: that is the dashboard's root
            if (ctx.path().endsWith("/")) {
                dashboard(ctx);
            } else {
                ctx.redirect("/clusters/" + checkedName(ctx) + "/"); // relative links need the slash
            }
        });
        r.get("/clusters/{name}/<path>", this::dashboard);
    }

    /** Prometheus text, for an admin's API token ({@code Authorization: Bearer}). */
    private void metrics(Context ctx) {
        String h = ctx.header("Authorization");
        if (h == null || !h.regionMatches(true, 0, "Bearer ", 0, 7)) {
            throw ApiException.unauthorized("the gateway's metrics need an admin's API token: 'Authorization: Bearer <token>'");
        }
        UserRecord u = api.userOf(ctx, h.substring(7).strip());
        if (!u.admin()) {
            throw new ApiException(403, "admin only: " + u.name() + " is not an admin");
        }
        ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(metrics.scrape());
    }

    private static void page(Context ctx, int status, String html) {
        ctx.status(status);
        ctx.header("Cache-Control", "no-store");
        ctx.header("Content-Security-Policy", "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:");
        ctx.header("X-Frame-Options", "DENY");
        ctx.contentType("text/html; charset=utf-8").result(html);
    }

    /** {@code next} if it is a path on this site (not the sign-in page itself), else {@code /}. */
    static String sameSitePath(String next) {
        return next != null && SAME_SITE_PATH.matcher(next).matches() && !next.startsWith("/login") ? next : "/";
    }

    /**
     * Answers a refused or failed page request of a browser ({@code Accept: text/html}, outside
     * {@code /api/}) with a page, as the API answers JSON.
     *
     * @return whether it answered
     */
    static boolean errorPage(Context ctx, int status, String message) {
        String accept = ctx.header("Accept");
        if (ctx.path().startsWith("/api/") || accept == null || !accept.contains("text/html")) {
            return false;
        }
        page(ctx, status, GatewayPages.error(status, message));
        return true;
    }

    private void login(Context ctx) {
        String token = ctx.formParam("token");
        String next = sameSitePath(ctx.formParam("next"));
        UserRecord user;
        try {
            user = api.userOf(ctx, token == null ? "" : token.strip());
        } catch (ApiException e) {
            page(ctx, e.status(), GatewayPages.login(e.getMessage(), next));
            return;
        }
        Cookie c = new Cookie(ApiRoutes.SESSION_COOKIE, token.strip());
        c.setHttpOnly(true);
        c.setSecure(secureCookies);
        c.setSameSite(SameSite.STRICT);
        c.setPath("/");
        ctx.cookie(c);
        log.info("{} signed in on the gateway's pages from {}", user.name(), ctx.ip());
        ctx.redirect(next); // back to the page that sent the browser here
    }

    /** The signed-in user, or empty after sending the browser to the login page. */
    private Optional<UserRecord> signedIn(Context ctx) {
        String h = ctx.header("Authorization");
        if (h != null && h.regionMatches(true, 0, "Bearer ", 0, 7)) { // a script, e.g. scraping a cluster's /metrics
            return Optional.of(api.userOf(ctx, h.substring(7).strip()));
        }
        String session = ctx.cookie(ApiRoutes.SESSION_COOKIE);
        String here = ctx.path() + (ctx.queryString() == null ? "" : "?" + ctx.queryString());
        if (session == null) {
            ctx.redirect(here.equals("/") ? "/login" : "/login?next=" + URLEncoder.encode(sameSitePath(here), StandardCharsets.UTF_8));
            return Optional.empty();
        }
        try {
            return Optional.of(api.userOf(ctx, session));
        } catch (ApiException e) {
            ctx.removeCookie(ApiRoutes.SESSION_COOKIE, "/");
            page(ctx, 401, GatewayPages.login(e.getMessage(), sameSitePath(here)));
            return Optional.empty();
        }
    }

    private static String checkedName(Context ctx) {
        String name = ctx.pathParam("name");
        if (!CLUSTER_NAME.matcher(name).matches()) {
            throw ApiException.notFound("no cluster by that name: cluster names are 'c-' and 10 hex digits");
        }
        return name;
    }

    /** Relays a GET to the cluster's own dashboard, for its owner (or an admin) only. */
    private void dashboard(Context ctx) throws Exception {
        Optional<UserRecord> user = signedIn(ctx);
        if (user.isEmpty()) {
            return;
        }
        String name = checkedName(ctx);
        LiveCluster c = fleet.owned(user.get(), name).orElseThrow(() -> ApiException.notFound("no cluster '" + name + "'"));
        var s = c.lastStatus;
        if (s == null || s.dashboardUrl() == null) {
            throw ApiException.conflict("cluster " + name + " has no dashboard (yet)");
        }
        String path = ctx.pathParamMap().getOrDefault("path", "");
        if (!DASHBOARD_PATH.matcher(path).matches() || path.contains("..")) {
            throw ApiException.notFound("no such page");
        }
        URI base = URI.create(s.dashboardUrl());
        String dashToken = s.dashboardUrl().substring(s.dashboardUrl().indexOf("token=") + 6);
        StringBuilder query = new StringBuilder();
        ctx.queryParamMap().forEach((k, vs) -> {
            if (!k.equals("token")) {
                vs.forEach(v -> query.append(query.isEmpty() ? "?" : "&").append(URLEncoder.encode(k, StandardCharsets.UTF_8))
                        .append('=').append(URLEncoder.encode(v, StandardCharsets.UTF_8)));
            }
        });
        URI target = URI.create("http://" + base.getHost() + ":" + base.getPort() + "/" + path + query);
        HttpRequest.Builder req = HttpRequest.newBuilder(target).header("Authorization", "Bearer " + dashToken)
                .header("X-Burst-Gateway-Cluster", name); // its pages are titled with the name its user knows
        String accept = ctx.header("Accept");
        if (accept != null) {
            req.header("Accept", accept);
        }
        HttpResponse<InputStream> up;
        try {
            up = UPSTREAM.send(req.build(), HttpResponse.BodyHandlers.ofInputStream());
        } catch (java.io.IOException e) {
            throw new ApiException(502, "cluster " + name + "'s dashboard did not answer: " + e.getMessage());
        }
        ctx.status(up.statusCode());
        for (String h : new String[]{"Content-Type", "Cache-Control", "Content-Security-Policy"}) {
            up.headers().firstValue(h).ifPresent(v -> ctx.header(h, v));
        }
        boolean events = up.headers().firstValue("Content-Type").orElse("").startsWith("text/event-stream");
        // Written straight to the response, flushed as it comes: the event stream is endless.
        try (InputStream in = up.body()) {
            OutputStream out = ctx.res().getOutputStream();
            byte[] buf = new byte[16 * 1024];
            for (int n; (n = in.read(buf)) > 0; ) {
                out.write(buf, 0, n);
                if (events) {
                    out.flush();
                }
            }
            out.flush();
        } catch (java.io.IOException e) {
            log.debug("relaying {} of {} ended: {}", path, name, e.toString()); // the page closed, or the cluster stopped
        }
    }
}
