package dev.burst.bench;

import dev.burst.Client;
import dev.burst.LocalCluster;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What watching a cluster costs: P1 (20,000 no-op tasks, {@code map} + {@code gather}) on a fresh
 * {@code LocalCluster} of 2 worker processes, in three variants taken in turn within one run:
 * {@code off} (no dashboard: {@code burst.dashboard=off}), {@code closed} (the dashboard serving,
 * no page open) and {@code open} (its status page open in a headless Chromium, live at 1 Hz,
 * checked through the {@code burst_dashboard_pages_open} gauge before the timed region).
 *
 * <pre>RESULT system=burst workload=p1 variant=open repeat=1 seconds=... tasks_per_s=... correct=true</pre>
 *
 * <p>Usage: {@code DashboardBench [--repeats N] [--chromium /usr/bin/chromium]}.
 */
public final class DashboardBench {
    private static final Pattern PAGES_OPEN = Pattern.compile("(?m)^burst_dashboard_pages_open\\{[^}]*} ([0-9.]+)$");

    private DashboardBench() {
    }

    public static void main(String[] args) throws Exception {
        int repeats = 5;
        String chromium = "/usr/bin/chromium";
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--repeats" -> repeats = Integer.parseInt(args[++i]);
                case "--chromium" -> chromium = args[++i];
                default -> throw new IllegalArgumentException("unknown option " + args[i]
                        + "; usage: DashboardBench [--repeats N] [--chromium PATH]");
            }
        }
        if (!Files.isExecutable(Path.of(chromium))) {
            throw new IllegalStateException(chromium + " is not there: apt-get install -y chromium");
        }
        System.err.printf(Locale.ROOT, "# burst P1, LocalCluster processes=true workers=2 threadsPerWorker=1, %d repeats per variant"
                + " (off, closed, open in turn), Java %s%n", repeats, System.getProperty("java.version"));
        boolean failed = false;
        for (int r = 1; r <= repeats; r++) {
            for (String variant : List.of("off", "closed", "open")) {
                DistributedBench.Result res = once(variant, chromium);
                failed |= !Boolean.TRUE.equals(res.fields.get("correct"));
                StringBuilder line = new StringBuilder("RESULT system=burst workload=p1 variant=").append(variant)
                        .append(" repeat=").append(r);
                res.fields.forEach((k, v) -> line.append(' ').append(k).append('=').append(DistributedBench.format(v)));
                System.out.println(line);
                System.out.flush();
            }
        }
        System.exit(failed ? 1 : 0);
    }

    static DistributedBench.Result once(String variant, String chromium) throws Exception {
        System.setProperty("burst.dashboard", variant.equals("off") ? "off" : "on");
        Process browser = null;
        Path profile = Files.createTempDirectory("burst-bench-chromium-");
        try (LocalCluster cluster = LocalCluster.builder().processes(true).workers(2).threadsPerWorker(1).build();
             Client client = Client.connect(cluster)) {
            List<Long> in = DistributedBench.range(2_000);
            if (!client.gather(client.map(DistributedBench::noop, in), DistributedBench.TIMEOUT).equals(in)) {
                throw new AssertionError("warm-up map gave a wrong result");
            }
            if (variant.equals("open")) {
                String url = cluster.dashboardUrl().orElseThrow();
                browser = new ProcessBuilder(chromium, "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                        "--user-data-dir=" + profile, "--remote-debugging-port=0", url)
                        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
                awaitPagesOpen(url, 1);
            }
            DistributedBench.Result res = DistributedBench.p1(client);
            if (variant.equals("open")) {
                res.put("pages_open", pagesOpen(cluster.dashboardUrl().orElseThrow()));
            }
            return res;
        } finally {
            if (browser != null) {
                browser.descendants().forEach(ProcessHandle::destroyForcibly);
                browser.destroyForcibly().waitFor();
            }
            deleteTree(profile);
        }
    }

    private static int pagesOpen(String url) throws Exception {
        String base = url.substring(0, url.indexOf("/?"));
        String token = url.substring(url.indexOf("token=") + 6);
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(base + "/metrics"))
                .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString());
        Matcher m = PAGES_OPEN.matcher(r.body());
        return m.find() ? (int) Double.parseDouble(m.group(1)) : 0;
    }

    private static void awaitPagesOpen(String url, int n) throws Exception {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (pagesOpen(url) < n) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("Chromium did not open the dashboard within 60 s");
            }
            Thread.sleep(100);
        }
    }

    private static void deleteTree(Path dir) {
        try (var walk = Files.walk(dir)) {
            List<Path> paths = new ArrayList<>(walk.toList());
            java.util.Collections.reverse(paths);
            for (Path p : paths) {
                Files.deleteIfExists(p);
            }
        } catch (java.io.IOException ignored) {
            // a browser profile left in /tmp
        }
    }
}
