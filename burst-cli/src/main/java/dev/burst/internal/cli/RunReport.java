package dev.burst.internal.cli;

import dev.burst.ClusterListener;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/**
 * A finished run as one self-contained HTML file: its figures and its task stream (one row per
 * worker, a bar per task, a time axis and a legend). The live dashboard closes with its cluster, and
 * a short demo ended before a browser could open it; the report stays, and its path is printed.
 *
 * <p>Design note: it listens for tasks that end ({@link ClusterListener#taskEnded}), which the
 * cluster tells on a thread of its own, so the scheduler never waits on it; it keeps at most
 * {@link #MAX_TASKS} tasks (the rest are counted, not drawn).
 */
final class RunReport implements ClusterListener {
    static final int MAX_TASKS = 20_000;
    /** Reports of one kind kept in the reports directory; older ones are deleted. */
    static final int KEPT = 20;
    private static final String[] PALETTE = {"#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948", "#b07aa1"};

    private final List<TaskRecord> tasks = new ArrayList<>();
    private long dropped;

    @Override
    public synchronized void taskEnded(TaskRecord task) {
        if (tasks.size() < MAX_TASKS) {
            tasks.add(task);
        } else {
            dropped++;
        }
    }

    /**
     * Writes the report to {@code dir/<name>-<time>.html} and returns its path.
     *
     * @param figures the run's figures in order, label to value, as the console printed them
     */
    synchronized Path write(Path dir, String name, String title, Map<String, String> figures, Instant now) throws IOException {
        Files.createDirectories(dir);
        // to the millisecond and the process: two runs in one second each keep their own report
        String stamp = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss-SSS", Locale.ROOT).format(now.atZone(ZoneId.systemDefault()));
        Path file = dir.resolve(name + "-" + stamp + "-" + ProcessHandle.current().pid() + ".html");
        StringBuilder h = new StringBuilder(8192 + tasks.size() * 120);
        h.append("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>").append(escape(title))
                .append("</title><style>body{font-family:system-ui,sans-serif;margin:2em;color:#222}table{border-collapse:collapse}")
                .append("td,th{padding:.2em .8em;text-align:left;border-bottom:1px solid #ddd}svg text{font-size:11px}")
                .append(".legend span{display:inline-block;margin-right:1.2em}.legend i{display:inline-block;width:.9em;height:.9em;")
                .append("margin-right:.3em;vertical-align:middle}</style></head><body><h1>").append(escape(title)).append("</h1><table>");
        figures.forEach((k, v) -> h.append("<tr><th>").append(escape(k)).append("</th><td>").append(escape(v)).append("</td></tr>"));
        h.append("</table><h2>Task stream</h2>");
        streamSvg(h);
        h.append("</body></html>\n");
        Files.writeString(file, h, StandardCharsets.UTF_8);
        keepNewest(dir, name + "-", KEPT);
        return file;
    }

    /** Deletes all but the {@code kept} newest reports named {@code prefix…html} in {@code dir}: they would pile up. */
    static void keepNewest(Path dir, String prefix, int kept) throws IOException {
        List<Path> reports;
        try (var files = Files.list(dir)) {
            reports = files.filter(f -> f.getFileName().toString().startsWith(prefix) && f.getFileName().toString().endsWith(".html"))
                    .sorted(java.util.Comparator.comparing((Path f) -> f.getFileName().toString()).reversed()).toList();
        }
        for (Path old : reports.subList(Math.min(kept, reports.size()), reports.size())) {
            Files.deleteIfExists(old);
        }
    }

    private void streamSvg(StringBuilder h) {
        if (tasks.isEmpty()) {
            h.append("<p>No task ended.</p>");
            return;
        }
        Instant first = tasks.stream().map(t -> t.endedAt().minus(t.duration())).min(Instant::compareTo).orElseThrow();
        Instant last = tasks.stream().map(TaskRecord::endedAt).max(Instant::compareTo).orElseThrow();
        double span = Math.max(1e-3, seconds(Duration.between(first, last)));
        List<String> workers = new ArrayList<>(new TreeSet<>(tasks.stream().map(TaskRecord::worker).toList()));
        Map<String, String> colours = new LinkedHashMap<>();
        for (TaskRecord t : tasks) {
            colours.computeIfAbsent(t.prefix(), p -> PALETTE[colours.size() % PALETTE.length]);
        }
        int label = 240;
        int width = 900;
        int row = 18;
        int top = 10;
        int height = top + workers.size() * row + 30;
        h.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(label + width + 20).append("\" height=\"").append(height)
                .append("\" role=\"img\" aria-label=\"task stream\">");
        for (int i = 0; i < workers.size(); i++) {
            h.append("<text x=\"").append(label - 6).append("\" y=\"").append(top + i * row + 13)
                    .append("\" text-anchor=\"end\">").append(escape(workers.get(i))).append("</text>");
        }
        for (TaskRecord t : tasks) {
            double x0 = seconds(Duration.between(first, t.endedAt().minus(t.duration()))) / span * width;
            double w = Math.max(0.5, seconds(t.duration()) / span * width);
            int y = top + workers.indexOf(t.worker()) * row + 2;
            h.append(String.format(Locale.ROOT, "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"%s\" fill-opacity=\"%s\" stroke=\"#fff\" stroke-width=\"0.5\">"
                            + "<title>%s on %s: %.3f s%s</title></rect>", label + x0, y, w, row - 4,
                    t.failed() ? "#d62728" : colours.get(t.prefix()), t.failed() ? "1" : "0.85", escape(t.key()), escape(t.worker()),
                    seconds(t.duration()), t.failed() ? " (failed)" : ""));
        }
        int axis = top + workers.size() * row + 4;
        h.append("<line x1=\"").append(label).append("\" x2=\"").append(label + width).append("\" y1=\"").append(axis)
                .append("\" y2=\"").append(axis).append("\" stroke=\"#888\"/>");
        double step = niceStep(span / 8);
        for (double s = 0; s <= span + 1e-9; s += step) {
            double x = label + s / span * width;
            h.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%d\" y2=\"%d\" stroke=\"#888\"/>"
                    + "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s s</text>", x, x, axis, axis + 4, x, axis + 16, trim(s)));
        }
        h.append("</svg><p class=\"legend\">");
        colours.forEach((p, c) -> h.append("<span><i style=\"background:").append(c).append("\"></i>").append(escape(p)).append("</span>"));
        if (tasks.stream().anyMatch(TaskRecord::failed)) {
            h.append("<span><i style=\"background:#d62728\"></i>failed</span>");
        }
        h.append("</p>");
        if (dropped > 0) {
            h.append("<p>").append(dropped).append(" more tasks ended; the first ").append(MAX_TASKS).append(" are drawn.</p>");
        }
    }

    /** 1, 2 or 5 times a power of ten, at least {@code rough}. */
    static double niceStep(double rough) {
        double p = Math.pow(10, Math.floor(Math.log10(rough)));
        for (double m : new double[] {1, 2, 5, 10}) {
            if (m * p >= rough) {
                return m * p;
            }
        }
        return 10 * p;
    }

    private static String trim(double s) {
        return s == Math.rint(s) ? Long.toString((long) s) : String.format(Locale.ROOT, "%.2f", s).replaceAll("0+$", "");
    }

    private static double seconds(Duration d) {
        return d.toNanos() / 1e9;
    }

    /** Text for HTML, by Jetty's escaper (as the dashboard's pages do). */
    static String escape(String s) {
        return org.eclipse.jetty.util.StringUtil.sanitizeXmlString(s);
    }
}
