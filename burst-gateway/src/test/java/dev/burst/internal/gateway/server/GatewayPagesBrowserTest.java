package dev.burst.internal.gateway.server;

import dev.burst.Client;
import dev.burst.gateway.ClusterOptions;
import dev.burst.gateway.Gateway;
import dev.burst.gateway.GatewayCluster;
import dev.burst.testsupport.Chromium;
import dev.burst.internal.gateway.ledger.Budget;
import dev.burst.internal.gateway.ledger.Limits;
import dev.burst.internal.gateway.ledger.StopReason;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.Alert;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The gateway's pages in real headless Chromium: sign in with a token (back to the page asked for,
 * on this site only), see one's cluster, open its dashboard through the gateway, press Stop, confirm
 * and see it stopped; another user's cluster is refused (a page for browsers, JSON for scripts);
 * usage per day on a sensible time axis; the admin sees every user's clusters, limits and budgets
 * and stops any cluster; changes need the pages' header; the metrics are an admin's. The clusters
 * screenshot is the README's ({@code -Dburst.screenshots=$PWD/docs/images}).
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class GatewayPagesBrowserTest {
    @TempDir
    static Path dir;
    static TestGateway gw;
    static ChromeDriver browser;

    @BeforeAll
    static void start() {
        Chromium.requireOrSkip(GatewayPagesBrowserTest.class.getSimpleName());
        gw = new TestGateway(dir);
        browser = Chromium.start(true); // the test gateway's certificate is self-signed
    }

    @AfterAll
    static void stop() {
        if (browser != null) {
            browser.quit();
        }
        if (gw != null) {
            gw.close();
        }
    }

    private static Object script(String js, Object... args) {
        return browser.executeScript(js, args);
    }

    private static void signIn(String token) {
        browser.manage().deleteAllCookies();
        browser.get(gw.server.url() + "/");
        await().atMost(Duration.ofSeconds(10)).until(() -> browser.getCurrentUrl().endsWith("/login"));
        browser.findElement(By.id("token")).sendKeys(token);
        browser.findElement(By.id("sign-in")).click();
        await().atMost(Duration.ofSeconds(10)).until(() -> !browser.getCurrentUrl().endsWith("/login"));
    }

    /** The state cell of {@code cluster}'s row on the page's table of clusters, or null while it is not listed. */
    private static String stateOf(String cluster) {
        return (String) script("const r = document.querySelector('tr[data-cluster=\"' + arguments[0] + '\"]');"
                + " return r ? r.querySelector('.state').textContent : null;", cluster);
    }

    /** The confirmation the page asks for, once it shows. */
    private static Alert alert() {
        return new WebDriverWait(browser, Duration.ofSeconds(5)).until(ExpectedConditions.alertIsPresent());
    }

    private static long loads() {
        return Long.parseLong(String.valueOf(script("return document.body.dataset.loaded || '0'")));
    }

    private static void screenshot(String name) throws java.io.IOException {
        Files.copy(new java.io.ByteArrayInputStream(browser.getScreenshotAs(OutputType.BYTES)),
                Chromium.screenshots().resolve(name), StandardCopyOption.REPLACE_EXISTING);
    }

    /** A task as a user writes one, named by its method (prefix {@code simulate}). */
    static double simulate(int seed) {
        java.util.SplittableRandom random = new java.util.SplittableRandom(seed);
        double sum = 0;
        for (int i = 0; i < 1_000_000; i++) {
            sum += random.nextDouble();
        }
        return sum / 1_000_000;
    }

    @Test
    void signingInReturnsToThePageAskedForOnThisSiteOnly() {
        String carol = gw.addUser("carol");
        browser.manage().deleteAllCookies();
        browser.get(gw.server.url() + "/usage");
        await().atMost(Duration.ofSeconds(10)).until(() -> browser.getCurrentUrl().contains("/login?next="));
        // A wrong token: the sign-in page again, styled, with the reason in an alert box, and still going back to /usage.
        browser.findElement(By.id("token")).sendKeys("burst_not-a-real-token");
        browser.findElement(By.id("sign-in")).click();
        await().atMost(Duration.ofSeconds(10)).until(() -> !browser.findElements(By.id("problem")).isEmpty());
        assertThat(browser.findElement(By.id("problem")).getText()).contains("token");
        assertThat(browser.findElement(By.id("problem")).getCssValue("background-color")).isNotEqualTo("rgba(0, 0, 0, 0)");
        assertThat(browser.findElement(By.tagName("header")).getCssValue("background-color")).isNotEqualTo("rgba(0, 0, 0, 0)");
        browser.findElement(By.id("token")).sendKeys(carol);
        browser.findElement(By.id("sign-in")).click();
        await().atMost(Duration.ofSeconds(10)).until(() -> browser.getCurrentUrl().equals(gw.server.url() + "/usage"));

        // Never to another site: a next of //host, a scheme or a backslash goes to the clusters page.
        for (String elsewhere : List.of("//example.org/x", "https://example.org/", "/\\example.org", "javascript:alert(1)")) {
            browser.manage().deleteAllCookies();
            browser.get(gw.server.url() + "/login?next=" + java.net.URLEncoder.encode(elsewhere, java.nio.charset.StandardCharsets.UTF_8));
            assertThat(browser.findElement(By.name("next")).getAttribute("value")).isEqualTo("/");
            browser.findElement(By.id("token")).sendKeys(carol);
            browser.findElement(By.id("sign-in")).click();
            await().atMost(Duration.ofSeconds(10)).until(() -> browser.getCurrentUrl().equals(gw.server.url() + "/"));
        }
        assertThat(WebRoutes.sameSitePath("//example.org")).isEqualTo("/");
        assertThat(WebRoutes.sameSitePath("/\\example.org")).isEqualTo("/");
        assertThat(WebRoutes.sameSitePath("/clusters/c-0123456789/workers?x=1")).isEqualTo("/clusters/c-0123456789/workers?x=1");
    }

    @Test
    void aUserSignsInSeesTheirClusterWatchesItsDashboardAndStopsIt() throws Exception {
        String alice = gw.addUser("alice", Limits.NONE, new Budget(1e9, null, null));
        String bob = gw.addUser("bob", new Limits(2, 8, null, null, 2, null), Budget.NONE);
        gw.server.database().accounts().addUser("root", null, true, Limits.NONE, Budget.NONE, gw.clock.instant());
        String root = gw.server.database().accounts().issueToken("root", "test", null, gw.clock.instant());
        try (Gateway a = gw.connect(alice); Gateway b = gw.connect(bob);
             GatewayCluster mine = a.newCluster(ClusterOptions.builder().workers(1).build());
             GatewayCluster bobs = b.newCluster(ClusterOptions.builder().workers(0).build())) {
            try (Client client = Client.connect(mine)) {
                client.gather(client.map(GatewayPagesBrowserTest::simulate, List.of(1, 2, 3, 4, 5)), Duration.ofSeconds(60));
            }

            signIn(alice);
            await().atMost(Duration.ofSeconds(20)).until(() -> "running".equals(stateOf(mine.name())));
            assertThat(stateOf(bobs.name())).as("bob's cluster on alice's page").isNull();
            assertThat(browser.findElement(By.id("user")).getText()).isEqualTo("alice");
            // A budget of a billion core-seconds reads as hours, and as next to no limit at all.
            assertThat(browser.findElement(By.id("budget")).getText()).contains("277,778 core-hours").contains("effectively unlimited");
            screenshot("gateway-clusters.png");

            // Scripts reach a cluster's dashboard with their API token, e.g. to scrape its metrics.
            RawHttp raw = new RawHttp(gw.server);
            RawHttp.Answer metrics = raw.send("GET", "/clusters/" + mine.name() + "/metrics", alice, null);
            assertThat(metrics.status()).isEqualTo(200);
            assertThat(metrics.body()).contains("burst_tasks_ended_total{").contains("jvm_memory_used_bytes{");
            // Its dashboard, through the gateway: live (server-sent events relayed), the tasks it ran,
            // titled with the cluster's name on the gateway and its worker by a short name.
            browser.findElement(By.linkText(mine.name())).click();
            try {
                await().atMost(Duration.ofSeconds(30)).until(() ->
                        Long.parseLong(String.valueOf(script("return document.body.dataset.updates || '0'"))) >= 2);
            } catch (org.awaitility.core.ConditionTimeoutException e) {
                throw new AssertionError("the relayed dashboard had " + script("return document.body.dataset.updates") + " updates; it says '"
                        + script("const l = document.getElementById('live'); return l ? l.textContent : document.body.innerText") + "'", e);
            }
            assertThat(browser.getCurrentUrl()).endsWith("/clusters/" + mine.name() + "/");
            assertThat(String.valueOf(script("return document.getElementById('progress').textContent"))).contains("5 / 5");
            assertThat(browser.getTitle()).contains(mine.name()).doesNotContain("burst-processes");
            assertThat(browser.findElement(By.id("cluster")).getText()).isEqualTo(mine.name());
            assertThat(browser.findElement(By.id("cluster")).getAttribute("title")).startsWith("runs as burst-");
            await().atMost(Duration.ofSeconds(10)).until(() -> !browser.findElements(By.cssSelector("#workers td.worker")).isEmpty());
            assertThat(browser.findElement(By.cssSelector("#workers td.worker")).getText()).isEqualTo("worker-1");
            assertThat(browser.findElement(By.cssSelector("#workers td.worker")).getAttribute("title")).matches(".+:[0-9]+");

            // Bob's cluster's dashboard is not alice's to see: the same answer as no cluster at all, as a page for
            // a browser and as JSON for a script.
            browser.get(gw.server.url() + "/clusters/" + bobs.name() + "/");
            assertThat(browser.findElement(By.id("error-title")).getText()).isEqualTo("Not found");
            assertThat(browser.findElement(By.id("problem")).getText()).contains("no cluster '" + bobs.name() + "'");
            assertThat(browser.findElement(By.tagName("header")).getCssValue("background-color")).isNotEqualTo("rgba(0, 0, 0, 0)");
            assertThat(browser.getPageSource()).doesNotContain("data-page");
            RawHttp.Answer asPage = raw.get("/clusters/" + bobs.name() + "/", alice, "text/html,application/xhtml+xml,*/*;q=0.8");
            assertThat(asPage.status()).isEqualTo(404);
            assertThat(asPage.contentType()).startsWith("text/html");
            RawHttp.Answer asJson = raw.get("/clusters/" + bobs.name() + "/", alice, null);
            assertThat(asJson.status()).isEqualTo(404);
            assertThat(asJson.contentType()).startsWith("application/json");
            assertThat(asJson.body()).contains("\"error\"");
            assertThat(raw.get("/api/v1/clusters/" + bobs.name(), alice, "text/html").contentType()).startsWith("application/json");

            // A change with the cookie but without the pages' header (what a cross-site request would be) is refused.
            browser.get(gw.server.url() + "/");
            Object status = ((org.openqa.selenium.JavascriptExecutor) browser).executeAsyncScript(
                    "const done = arguments[arguments.length - 1]; fetch('/api/v1/clusters/' + arguments[0], {method: 'DELETE'})"
                            + ".then(r => done(r.status));", mine.name());
            assertThat(status).isEqualTo(403L);

            // The table refreshes in place: the row under the cursor stays the same element.
            await().atMost(Duration.ofSeconds(20)).until(() -> "running".equals(stateOf(mine.name())));
            WebElement row = browser.findElement(By.cssSelector("tr[data-cluster='" + mine.name() + "']"));
            WebElement stop = row.findElement(By.cssSelector("button.stop"));
            new org.openqa.selenium.interactions.Actions(browser).moveToElement(stop).perform();
            long seen = loads();
            await().atMost(Duration.ofSeconds(20)).until(() -> loads() >= seen + 2);
            assertThat(row.getAttribute("data-cluster")).isEqualTo(mine.name()); // throws if the row was replaced
            assertThat(stop.isDisplayed()).isTrue();

            // Stop asks first: dismissed, nothing happens; accepted, the cluster stops.
            stop.click();
            Alert ask = alert();
            assertThat(ask.getText()).contains("Stop cluster " + mine.name() + "?");
            ask.dismiss();
            long after = loads();
            await().atMost(Duration.ofSeconds(20)).until(() -> loads() >= after + 1);
            assertThat(stateOf(mine.name())).isEqualTo("running");
            stop.click();
            alert().accept();
            await().atMost(Duration.ofSeconds(30)).until(() -> String.valueOf(stateOf(mine.name())).startsWith("stopped"));
            assertThat(stateOf(mine.name())).isEqualTo("stopped (user)");
            assertThat(gw.server.database().clusters().find(mine.name()).orElseThrow().stopReason()).isEqualTo(StopReason.USER);

            // Usage: the day's figures on a time axis of days around it, not years.
            browser.get(gw.server.url() + "/usage");
            await().atMost(Duration.ofSeconds(20)).until(() -> script("return document.getElementById('usage-chart').dataset.to") != null);
            double from = Double.parseDouble(String.valueOf(script("return document.getElementById('usage-chart').dataset.from")));
            double to = Double.parseDouble(String.valueOf(script("return document.getElementById('usage-chart').dataset.to")));
            double today = gw.clock.instant().truncatedTo(java.time.temporal.ChronoUnit.DAYS).getEpochSecond();
            assertThat(to - from).isBetween(7 * 86400.0, 31 * 86400.0);
            assertThat(today).isBetween(from, to);
            assertThat(browser.findElement(By.id("usage-summary")).getText()).contains("277,778 core-hours");

            // The admin sees every user's clusters, usage, limits and budgets, and can stop any cluster.
            signIn(root);
            await().atMost(Duration.ofSeconds(20)).until(() -> loads() >= 1);
            assertThat(browser.findElement(By.id("summary")).getText()).contains("unlimited").contains("budget: none set");
            browser.get(gw.server.url() + "/admin");
            await().atMost(Duration.ofSeconds(20)).until(() -> loads() >= 1);
            assertThat(String.valueOf(script("return [...document.querySelectorAll('#all-clusters tbody tr')]"
                    + ".map(r => r.dataset.cluster).join(' ')"))).contains(mine.name(), bobs.name());
            assertThat(String.valueOf(script("return [...document.querySelectorAll('#users tbody tr')]"
                    + ".map(r => r.dataset.user).join(' ')"))).contains("alice", "bob", "root");
            assertThat(browser.findElement(By.cssSelector("tr[data-user='bob'] .limits")).getText())
                    .isEqualTo("at most 2 clusters, 8 cores, 2 workers per cluster");
            assertThat(browser.findElement(By.cssSelector("tr[data-user='bob'] .budget")).getText()).isEqualTo("unlimited (no budget set)");
            assertThat(browser.findElement(By.cssSelector("tr[data-user='alice'] .budget")).getText())
                    .isEqualTo("277,778 core-hours (effectively unlimited)");
            assertThat(browser.findElements(By.cssSelector("tr[data-cluster='" + mine.name() + "'] button.stop"))).isEmpty();
            browser.findElement(By.cssSelector("tr[data-cluster='" + bobs.name() + "'] button.stop")).click();
            Alert adminAsk = alert();
            assertThat(adminAsk.getText()).contains("Stop bob's cluster " + bobs.name() + "?");
            adminAsk.accept();
            await().atMost(Duration.ofSeconds(30)).until(() -> String.valueOf(stateOf(bobs.name())).startsWith("stopped"));
            assertThat(gw.server.database().clusters().find(bobs.name()).orElseThrow().stopReason()).isEqualTo(StopReason.ADMIN);

            // Metrics: an admin's token only.
            assertThat(raw.send("GET", "/metrics", alice, null).status()).isEqualTo(403);
            RawHttp.Answer scrape = raw.send("GET", "/metrics", root, null);
            assertThat(scrape.status()).isEqualTo(200);
            assertThat(scrape.body()).contains("burst_user_core_seconds_allocated_total{user=\"alice\"}")
                    .contains("burst_gateway_clusters{user=\"bob\"} 0.0")
                    // and the gateway's own JVM and process
                    .contains("jvm_memory_used_bytes{").contains("process_cpu_usage ").contains("jvm_gc_")
                    .contains("jvm_threads_live_threads ").contains("process_uptime_seconds ");
        }
    }
}
