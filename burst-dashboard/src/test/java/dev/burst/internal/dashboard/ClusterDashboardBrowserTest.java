package dev.burst.internal.dashboard;

import dev.burst.Client;
import dev.burst.testsupport.Chromium;
import dev.burst.LocalCluster;
import dev.burst.TaskFuture;
import dev.burst.TaskOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.openqa.selenium.By;
import org.openqa.selenium.NoAlertPresentException;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.chrome.ChromeDriver;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * A running cluster's dashboard in real headless Chromium: progress advances and the task stream
 * draws (with its time axis, a row label per worker and a legend) while a map of a named function
 * runs, the worker table lists every worker by a short name, a task name made of HTML shows as
 * text, and the dashboard admits only the holder of its link. The screenshots it takes are the
 * README's ({@code -Dburst.screenshots=$PWD/docs/images}).
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ClusterDashboardBrowserTest {
    /** A task name that would run script if the page parsed names as HTML (names may hold no spaces). */
    static final String HOSTILE = "<svg/onload=alert(1)>";
    private static ChromeDriver browser;

    @BeforeAll
    static void startBrowser() {
        Chromium.requireOrSkip(ClusterDashboardBrowserTest.class.getSimpleName());
        browser = Chromium.start();
    }

    @AfterAll
    static void stopBrowser() {
        if (browser != null) {
            browser.quit();
        }
    }

    private static long updates() {
        return Long.parseLong(String.valueOf(browser.executeScript("return document.body.dataset.updates || '0'")));
    }

    /** Finished tasks of {@code prefix} as its progress bar says; read in one script, as the page redraws each second. */
    private static long done(String prefix) {
        Object figures = browser.executeScript("const row = [...document.querySelectorAll('#progress .bar')]"
                + ".find(r => r.dataset.prefix === arguments[0]); return row ? row.querySelector('.figures').textContent : null;", prefix);
        return figures == null ? -1 : Long.parseLong(figures.toString().split(" ")[0]);
    }

    private static Object script(String js) {
        return browser.executeScript(js);
    }

    /**
     * A task as a user writes one, named by its method (the task prefix is {@code simulate}): a
     * Monte Carlo estimate of pi that computes for about 60 ms, so that the workers' CPU-s is real.
     */
    static double simulate(int seed) {
        java.util.SplittableRandom random = new java.util.SplittableRandom(seed);
        long deadline = System.nanoTime() + 60_000_000L;
        long inside = 0;
        long drawn = 0;
        while (System.nanoTime() < deadline) {
            for (int i = 0; i < 10_000; i++) {
                double x = random.nextDouble();
                double y = random.nextDouble();
                inside += x * x + y * y <= 1 ? 1 : 0;
            }
            drawn += 10_000;
        }
        return 4.0 * inside / drawn;
    }

    @Test
    void progressAdvancesTheStreamDrawsAndEveryWorkerIsListed() throws Exception {
        // one thread per worker: three spinning threads already leave headless Chromium little of 2 cores
        try (LocalCluster cluster = LocalCluster.builder().workers(3).threadsPerWorker(1).build();
             Client client = Client.connect(cluster)) {
            String url = cluster.dashboardUrl().orElseThrow();
            assertThat(url).startsWith("http://127.0.0.1:").contains("/?token=");
            assertThat(cluster.toString()).contains("dashboard=" + url);
            browser.get(url);
            await().atMost(Duration.ofSeconds(20)).until(() -> updates() >= 1);
            assertThat(browser.getCurrentUrl()).doesNotContain("token="); // moved into a cookie

            List<Integer> inputs = new ArrayList<>();
            for (int i = 0; i < 1200; i++) {
                inputs.add(i);
            }
            List<TaskFuture<Double>> estimates = client.map(ClusterDashboardBrowserTest::simulate, inputs);

            long first = await().atMost(Duration.ofSeconds(30)).until(() -> done("simulate"), n -> n > 0 && n < 1200);
            await().atMost(Duration.ofSeconds(30)).until(() -> done("simulate") > first); // it advances, live
            await().atMost(Duration.ofSeconds(30)).until(() ->
                    Integer.parseInt(String.valueOf(script("return document.getElementById('stream').dataset.drawn || '0'"))) > 0);
            // The stream has a time axis, a row label per worker and a legend of the prefixes it shows.
            assertThat(script("return document.getElementById('stream').dataset.rows")).isEqualTo("worker-1 worker-2 worker-3");
            assertThat(String.valueOf(script("return document.getElementById('stream').dataset.ticks"))).endsWith("now").contains("−");
            assertThat(script("return [...document.querySelectorAll('#stream-legend li')].map(e => e.textContent).join(',')"))
                    .isEqualTo("simulate");
            // Workers by a short name, their own in a tooltip; embedded workers' CPU-s is their threads' CPU time.
            assertThat(script("return [...document.querySelectorAll('#workers tbody td.worker')].map(e => e.textContent + '@' + e.title)"
                    + ".join(' ')")).isEqualTo("worker-1@" + cluster.name() + "-worker-1 worker-2@" + cluster.name()
                    + "-worker-2 worker-3@" + cluster.name() + "-worker-3");
            // Rows update in place (a tooltip being read stays): the same element after two more updates.
            org.openqa.selenium.WebElement row = browser.findElement(By.cssSelector("#workers tbody tr"));
            long seen = updates();
            await().atMost(Duration.ofSeconds(20)).until(() -> updates() >= seen + 2);
            assertThat(row.getAttribute("data-worker")).isEqualTo(cluster.name() + "-worker-1"); // throws if replaced
            // a whole-number sum comes back from the browser as a Long, a fractional one as a Double
            await().atMost(Duration.ofSeconds(30)).until(() -> ((Number) script("return [...document.querySelectorAll('#workers td.cpu')]"
                    + ".reduce((s, e) => s + parseFloat(e.textContent), 0.0)")).doubleValue() > 0.0);
            assertThat(String.valueOf(script("return document.querySelector('#workers td.cpu').title"))).contains("CPU-s used");
            // The screenshot mid-run, with some seconds of task stream to show.
            await().atMost(Duration.ofSeconds(60)).until(() -> done("simulate") >= 400);
            Files.copy(new java.io.ByteArrayInputStream(browser.getScreenshotAs(OutputType.BYTES)),
                    Chromium.screenshots().resolve("dashboard-status.png"), StandardCopyOption.REPLACE_EXISTING);
            assertThat(script("return document.querySelectorAll('#workers tbody tr').length")).isEqualTo(3L);

            client.gather(estimates, Duration.ofSeconds(60));
            TaskFuture<String> hostile = client.submit(() -> "named with markup", TaskOptions.builder().name(HOSTILE).build());
            assertThat(hostile.get()).isEqualTo("named with markup");
            await().atMost(Duration.ofSeconds(10)).until(() -> done("simulate") == 1200 && done(HOSTILE) == 1);
            // The hostile name is text on the page: no element it would make, no script run.
            assertThat(script("return [...document.querySelectorAll('#progress .name')].map(e => e.textContent)")
                    .toString()).contains(HOSTILE);
            await().atMost(Duration.ofSeconds(10)).until(() -> String.valueOf(
                    script("return document.getElementById('stream-legend').textContent")).contains(HOSTILE));
            assertThat(script("return document.querySelectorAll('svg').length")).isEqualTo(0L);
            assertThatThrownBy(() -> browser.switchTo().alert()).isInstanceOf(NoAlertPresentException.class);

            // The same figures for Prometheus, named after Dask's.
            String metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url.substring(0, url.indexOf("/?"))
                    + "/metrics")).header("Authorization", "Bearer " + url.substring(url.indexOf("token=") + 6)).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            assertThat(metrics).contains("burst_tasks_compute_seconds_total{cluster=\"" + cluster.name() + "\",prefix=\"simulate\"}")
                    .contains("burst_tasks_ended_total{").contains("outcome=\"finished\"").contains("prefix=\"simulate\"")
                    .contains("burst_worker_memory_bytes{").contains("type=\"stored\"")
                    .contains("burst_scheduler_tasks{cluster=\"" + cluster.name() + "\",state=\"memory\"}")
                    .contains("burst_dashboard_pages_open{")
                    // and the JVM the scheduler runs in
                    .contains("jvm_memory_used_bytes{").contains("process_cpu_usage{").contains("jvm_gc_")
                    .contains("jvm_threads_live_threads{").contains("process_uptime_seconds{");

            browser.get(url.substring(0, url.indexOf("/?")) + "/usage");
            await().atMost(Duration.ofSeconds(20)).until(() -> !browser.findElements(By.cssSelector("#usage-chart canvas")).isEmpty());
            assertThat(browser.findElement(By.id("usage-summary")).getText()).contains("efficiency");
            // The time axis spans the samples (seconds since the cluster started), not uPlot's 1,000 days around one point.
            await().atMost(Duration.ofSeconds(10)).until(() -> script("return document.getElementById('usage-chart').dataset.to") != null);
            double from = Double.parseDouble(String.valueOf(script("return document.getElementById('usage-chart').dataset.from")));
            double to = Double.parseDouble(String.valueOf(script("return document.getElementById('usage-chart').dataset.to")));
            assertThat(to - from).isPositive().isLessThan(3600);
            Files.copy(new java.io.ByteArrayInputStream(browser.getScreenshotAs(OutputType.BYTES)),
                    Chromium.screenshots().resolve("dashboard-usage.png"), StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** The figure of the status card labelled {@code label}, read in one script. */
    private static String card(String label) {
        return String.valueOf(browser.executeScript("const d = [...document.querySelectorAll('#summary div')]"
                + ".find(d => d.querySelector('span').textContent === arguments[0]); return d ? d.querySelector('b').textContent : null;",
                label));
    }

    @Test
    void runningCountsTasksOnThreadsAndTheRestSentToAWorkerAreQueuedThere() throws Exception {
        // one thread, and a saturation that sends the worker three tasks at once: one runs, two wait there
        try (LocalCluster cluster = LocalCluster.builder().workers(1).threadsPerWorker(1).workerSaturation(3.0).build();
             Client client = Client.connect(cluster)) {
            browser.get(cluster.dashboardUrl().orElseThrow());
            await().atMost(Duration.ofSeconds(20)).until(() -> updates() >= 1);
            List<TaskFuture<Integer>> slow = client.map(ClusterDashboardBrowserTest::sleepy, List.of(1, 2, 3));
            await().atMost(Duration.ofSeconds(30)).until(() -> "1".equals(card("running")) && "2".equals(card("queued on workers")));
            await().atMost(Duration.ofSeconds(10)).until(() -> String.valueOf(script(
                    "const r = document.querySelector('#workers tbody tr'); return r ? r.cells[2].textContent + '/' + r.cells[3].textContent : ''"))
                    .equals("1/2"));
            assertThat(script("return [...document.querySelectorAll('#workers thead th')].map(e => e.textContent).slice(0, 4).join(',')"))
                    .isEqualTo("worker,threads,running,queued");
            slow.forEach(f -> f.cancel(true));
        }
    }

    static int sleepy(int x) throws InterruptedException {
        Thread.sleep(60_000);
        return x;
    }

    @Test
    void onlyTheHolderOfTheLinkGetsIn() throws Exception {
        try (LocalCluster cluster = LocalCluster.builder().workers(1).build()) {
            String url = cluster.dashboardUrl().orElseThrow();
            String base = url.substring(0, url.indexOf("/?"));
            String token = url.substring(url.indexOf("token=") + 6);
            browser.manage().deleteAllCookies();
            browser.get(base + "/");
            assertThat(browser.findElement(By.id("refused")).getText()).contains("no dashboard token");
            browser.get(base + "/?token=" + "x".repeat(token.length()));
            assertThat(browser.findElement(By.id("refused")).getText()).contains("not this dashboard's");

            HttpClient http = HttpClient.newHttpClient();
            HttpResponse<String> anonymous = http.send(HttpRequest.newBuilder(URI.create(base + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(anonymous.statusCode()).isEqualTo(401);
            HttpResponse<String> events = http.send(HttpRequest.newBuilder(URI.create(base + "/api/status")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(events.statusCode()).isEqualTo(401);
            HttpResponse<String> scrape = http.send(HttpRequest.newBuilder(URI.create(base + "/metrics"))
                    .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(scrape.statusCode()).isEqualTo(200);
            assertThat(scrape.body()).contains("burst_scheduler_workers{cluster=\"" + cluster.name() + "\"} 1.0")
                    .contains("burst_scheduler_tasks{cluster=").contains("burst_user_core_seconds_allocated_total{");
        }
    }
}
