package dev.burst.internal.jupyter;

import dev.burst.Cluster;
import dev.burst.ClusterStatus;
import dev.burst.TaskFuture;
import org.dflib.jjava.jupyter.kernel.display.Renderer;
import org.dflib.jjava.jupyter.kernel.display.mime.MIMEType;

import java.util.Locale;

/**
 * How a notebook shows Burst's objects: a cluster as a card (workers, cores, tasks, usage, its
 * dashboard's link), a client and a future as what they are and their state. HTML made here escapes every name; plain
 * text goes beside it for front ends without HTML.
 */
public final class BurstDisplays {
    private BurstDisplays() {
    }

    static void registerAll(Renderer renderer) {
        renderer.createRegistration(Cluster.class).preferring(MIMEType.TEXT_HTML).supporting(MIMEType.TEXT_PLAIN)
                .register((c, ctx) -> {
                    ctx.renderIfRequested(MIMEType.TEXT_HTML, () -> clusterHtml(c));
                    ctx.renderIfRequested(MIMEType.TEXT_PLAIN, c::toString);
                });
        renderer.createRegistration(dev.burst.Client.class).preferring(MIMEType.TEXT_HTML).supporting(MIMEType.TEXT_PLAIN)
                .register((c, ctx) -> {
                    ctx.renderIfRequested(MIMEType.TEXT_HTML, () -> "<span class=\"burst-client\"><code>" + escape(c.toString())
                            + "</code></span>");
                    ctx.renderIfRequested(MIMEType.TEXT_PLAIN, c::toString);
                });
        renderer.createRegistration(TaskFuture.class).preferring(MIMEType.TEXT_HTML).supporting(MIMEType.TEXT_PLAIN)
                .register((f, ctx) -> {
                    ctx.renderIfRequested(MIMEType.TEXT_HTML, () -> futureHtml(f));
                    ctx.renderIfRequested(MIMEType.TEXT_PLAIN, f::toString);
                });
    }

    static String escape(String s) {
        return org.eclipse.jetty.util.StringUtil.sanitizeXmlString(s);
    }

    /** A cluster's card. */
    public static String clusterHtml(Cluster c) {
        if (c.isClosed()) {
            return "<div class=\"burst-cluster\"><b>" + escape(c.name()) + "</b>: closed</div>";
        }
        ClusterStatus s = c.status();
        var u = s.usage();
        var t = s.tasks();
        long memory = s.workers().stream().mapToLong(w -> w.storedBytes() + w.spilledBytes()).sum();
        String efficiency = u.allocatedCoreSeconds() > 0
                ? String.format(Locale.ROOT, "%.0f %%", 100 * u.busyCoreSeconds() / u.allocatedCoreSeconds()) : "–";
        StringBuilder h = new StringBuilder("<div class=\"burst-cluster\" style=\"font-family:sans-serif\">")
                .append("<b>").append(escape(c.getClass().getSimpleName())).append(' ').append(escape(c.name())).append("</b>")
                .append(c.address().map(a -> " · scheduler <code>" + escape(a) + "</code>").orElse(""))
                .append("<table><tr><th>workers</th><th>cores</th><th>running</th><th>queued on workers</th><th>waiting</th><th>in memory</th>")
                .append("<th>results held</th><th>core-s allocated / busy</th><th>busy ÷ allocated</th></tr><tr>")
                .append("<td>").append(s.workers().size()).append("</td><td>").append(u.cores()).append("</td><td>")
                .append(s.tasksRunning()).append("</td><td>").append(s.tasksQueuedOnWorkers()).append("</td><td>").append(t.pending())
                .append("</td><td>").append(t.memory())
                .append("</td><td>").append(bytes(memory)).append("</td><td>")
                .append(String.format(Locale.ROOT, "%.1f / %.1f", u.allocatedCoreSeconds(), u.busyCoreSeconds()))
                .append("</td><td>").append(efficiency).append("</td></tr></table>");
        c.dashboardUrl().ifPresent(url -> h.append("<a href=\"").append(escape(url))
                .append("\" target=\"_blank\">dashboard</a>"));
        return h.append("</div>").toString();
    }

    static String futureHtml(TaskFuture<?> f) {
        String state = f.isCancelled() ? "cancelled" : f.isDone() ? "done" : "pending";
        return "<span class=\"burst-future\">TaskFuture <code>" + escape(f.key()) + "</code>: " + state + "</span>";
    }

    static String bytes(long n) {
        String[] units = {"B", "KiB", "MiB", "GiB", "TiB"};
        double v = n;
        int i = 0;
        while (v >= 1024 && i < units.length - 1) {
            v /= 1024;
            i++;
        }
        return i == 0 ? n + " B" : String.format(Locale.ROOT, "%.1f %s", v, units[i]);
    }
}
