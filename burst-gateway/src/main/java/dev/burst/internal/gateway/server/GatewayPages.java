package dev.burst.internal.gateway.server;

import org.eclipse.jetty.util.StringUtil;

/**
 * The gateway's HTML: a shell per page that {@code /static/gateway.js} fills from the REST API
 * with the login cookie. Names (users, clusters, stop details) are set as text there, never
 * parsed as HTML; the few put in here are escaped.
 */
final class GatewayPages {
    private static final String UPLOT = "/webjars/uplot/1.6.30/dist/";

    private GatewayPages() {
    }

    static String escape(String s) {
        return StringUtil.sanitizeXmlString(s);
    }

    private static String shell(String page, String title, String user, boolean admin, String main) {
        return """
                <!doctype html>
                <html lang="en"><head><meta charset="utf-8">
                <meta name="viewport" content="width=device-width, initial-scale=1">
                <title>%s · Burst gateway</title>
                <link rel="stylesheet" href="/static/burst.css">
                <link rel="stylesheet" href="%suPlot.min.css">
                </head>
                <body data-page="%s">
                <header><strong>Burst gateway</strong>
                <nav><a href="/" %s>Clusters</a> <a href="/usage" %s>Usage</a> %s</nav>
                <span class="live">signed in as <span id="user">%s</span>
                <form method="post" action="/logout" style="display:inline"><button id="logout">Sign out</button></form></span>
                </header>
                <main>%s</main>
                <script src="%suPlot.iife.min.js"></script>
                <script src="/static/gateway.js"></script>
                </body></html>
                """.formatted(escape(title), UPLOT, page, current(page, "clusters"), current(page, "usage"),
                admin ? "<a href=\"/admin\" " + current(page, "admin") + ">Admin</a>" : "", escape(user), main, UPLOT);
    }

    private static String current(String page, String link) {
        return page.equals(link) ? "aria-current=\"page\"" : "";
    }

    static String clusters(String user, boolean admin) {
        return shell("clusters", "Your clusters", user, admin, """
                <section id="summary" class="summary"></section>
                <section><h2>Your clusters</h2>
                <table id="clusters"><thead><tr><th>cluster</th><th>state</th><th>workers</th><th>age</th><th>idle</th>
                <th>stops</th><th>core-s allocated / busy</th><th></th></tr></thead><tbody></tbody></table>
                <p id="message" role="status"></p></section>
                """);
    }

    static String usage(String user, boolean admin) {
        return shell("usage", "Your usage", user, admin, """
                <section id="usage-summary" class="summary"></section>
                <section><h2>Core-seconds per day: allocated vs busy</h2><div id="usage-chart"></div></section>
                <section><h2>Per cluster</h2><table id="usage-clusters"><thead><tr><th>cluster</th><th>state</th>
                <th>allocated core-s</th><th>busy core-s</th><th>efficiency</th></tr></thead><tbody></tbody></table></section>
                """);
    }

    static String admin(String user) {
        return shell("admin", "Admin", user, true, """
                <section><h2>Every user's clusters</h2>
                <table id="all-clusters"><thead><tr><th>cluster</th><th>user</th><th>state</th><th>workers</th><th>age</th>
                <th>core-s allocated / busy</th><th>stop reason</th><th></th></tr></thead><tbody></tbody></table>
                <p id="message" role="status"></p></section>
                <section><h2>Users</h2><table id="users"><thead><tr><th>user</th><th>role</th><th>group</th><th>limits</th>
                <th>allocated core-s (30 days)</th><th>busy core-s</th><th>efficiency</th><th>budget left</th></tr></thead>
                <tbody></tbody></table></section>
                """);
    }

    /**
     * The sign-in page; {@code problem} (escaped) says why the last try failed, {@code next} is the
     * same-site path to return to (checked by the caller, escaped here).
     */
    static String login(String problem, String next) {
        return """
                <!doctype html>
                <html lang="en"><head><meta charset="utf-8"><title>Sign in · Burst gateway</title>
                <link rel="stylesheet" href="/static/burst.css"></head>
                <body><header><strong>Burst gateway</strong></header>
                <main><h1>Sign in</h1>
                %s
                <p>With your API token (the <code>token: burst_…</code> line from <code>burst gateway user add</code>
                or <code>burst gateway token new</code>).</p>
                <form class="sign-in" method="post" action="/login">
                <input type="hidden" name="next" value="%s">
                <label>API token <input id="token" name="token" type="password" autocomplete="off" size="60" required></label>
                <button id="sign-in" type="submit">Sign in</button></form></main></body></html>
                """.formatted(problem == null ? "" : "<p id=\"problem\" class=\"problem\" role=\"alert\">" + escape(problem) + "</p>",
                escape(next));
    }

    /** A page for a browser that asked for one the gateway cannot give (404 for another user's cluster, as for none). */
    static String error(int status, String message) {
        String title = switch (status) {
            case 401 -> "Not signed in";
            case 403 -> "Not allowed";
            case 404 -> "Not found";
            case 409 -> "Not ready";
            case 502 -> "The cluster did not answer";
            default -> "Something went wrong";
        };
        return """
                <!doctype html>
                <html lang="en"><head><meta charset="utf-8"><title>%s · Burst gateway</title>
                <link rel="stylesheet" href="/static/burst.css"></head>
                <body><header><strong>Burst gateway</strong><nav><a href="/">Your clusters</a> <a href="/usage">Usage</a></nav></header>
                <main><h1 id="error-title">%s</h1><p id="problem" class="problem" role="alert">%s</p>
                <p class="notice">HTTP %d. <a href="/">Back to your clusters</a>.</p></main></body></html>
                """.formatted(title, title, escape(message), status);
    }
}
