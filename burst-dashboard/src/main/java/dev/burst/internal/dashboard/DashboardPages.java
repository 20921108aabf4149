package dev.burst.internal.dashboard;

import org.eclipse.jetty.util.StringUtil;

/**
 * The dashboard's HTML: a shell per page that {@code /static/burst.js} fills from {@code /events}.
 * Links are relative, so the same pages work at a gateway's {@code /clusters/<name>/}. Every
 * name that is not Burst's own (the cluster's here; task prefixes and workers in the script)
 * goes in as text: escaped here, set with {@code textContent} there, never parsed as HTML.
 */
final class DashboardPages {
    /** uPlot's WebJar path, served by Javalin from the class path (no CDN). */
    static final String UPLOT = "webjars/uplot/1.6.30/dist/";

    private DashboardPages() {
    }

    /**
     * A cluster's names on its pages: {@code shown}, the one its user knows (a gateway's {@code c-…}
     * name when relayed, else the cluster's own), and {@code runsAs}, the cluster's own, in a tooltip.
     */
    record Names(String shown, String runsAs) {
    }

    static String escape(String text) {
        return StringUtil.sanitizeXmlString(text);
    }

    private static String shell(Names cluster, String page, String title, String main) {
        String c = escape(cluster.shown());
        String runsAs = cluster.shown().equals(cluster.runsAs()) ? "" : " title=\"runs as " + escape(cluster.runsAs()) + "\"";
        return """
                <!doctype html>
                <html lang="en"><head><meta charset="utf-8">
                <meta name="viewport" content="width=device-width, initial-scale=1">
                <title>%s · %s · Burst</title>
                <link rel="stylesheet" href="static/burst.css">
                <link rel="stylesheet" href="%suPlot.min.css">
                </head>
                <body data-page="%s">
                <header><strong>Burst</strong> <span id="cluster"%s>%s</span>
                <nav><a href="./" %s>Status</a> <a href="workers" %s>Workers</a> <a href="usage" %s>Usage</a>
                <a href="metrics">Metrics</a></nav>
                <span id="live" class="live">connecting…</span></header>
                <main>%s</main>
                <script src="%suPlot.iife.min.js"></script>
                <script src="static/burst.js"></script>
                </body></html>
                """.formatted(escape(title), c, UPLOT, page, runsAs, c, current(page, "status"), current(page, "workers"),
                current(page, "usage"), main, UPLOT);
    }

    private static String current(String page, String link) {
        return page.equals(link) ? "aria-current=\"page\"" : "";
    }

    /** The workers table; "CPU-s" has a tooltip, as it can be far below busy core-s without anything being wrong. */
    private static final String WORKERS_TABLE = """
            <table id="workers"><thead><tr><th>worker</th><th>threads</th>
            <th title="Tasks on the worker's threads now (a worker process reports it about once a second)">running</th>
            <th title="Tasks sent to the worker that wait there for a thread or for their inputs">queued</th><th>busy core-s</th>
            <th title="CPU time the worker's executor threads used. Tasks that sleep or wait (I/O, locks, other services) \
            are busy without using CPU, so this can be far below busy core-s.">CPU-s <span class="hint">?</span></th>
            <th>stored</th><th>spilled</th></tr></thead><tbody></tbody></table>""";

    static String status(Names cluster) {
        return shell(cluster, "status", "Status", """
                <section id="summary" class="summary"></section>
                <section><h2>Progress</h2><div id="progress"></div></section>
                <section><h2>Task stream <small>(last 30 s, one row per worker thread)</small></h2>
                <canvas id="stream" width="1200" height="160"></canvas>
                <ul id="stream-legend" class="legend"></ul></section>
                <section><h2>Workers</h2>%s</section>
                """.formatted(WORKERS_TABLE));
    }

    static String workers(Names cluster) {
        return shell(cluster, "workers", "Workers", """
                <section><h2>Workers</h2>%s</section>
                """.formatted(WORKERS_TABLE));
    }

    static String usage(Names cluster) {
        return shell(cluster, "usage", "Usage", """
                <section id="usage-summary" class="summary"></section>
                <section><h2>Core-seconds: allocated vs busy</h2><div id="usage-chart"></div></section>
                """);
    }

    static String refused(String why) {
        return """
                <!doctype html><html lang="en"><head><meta charset="utf-8"><title>Burst dashboard</title>
                <link rel="stylesheet" href="static/burst.css"></head>
                <body><main><h1>Not allowed</h1><p id="refused">%s</p></main></body></html>
                """.formatted(escape(why));
    }
}
