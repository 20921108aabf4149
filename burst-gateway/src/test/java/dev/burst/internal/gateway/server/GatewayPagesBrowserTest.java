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
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.chrome.ChromeDriver;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The gateway's pages in real headless Chromium: sign in with a token, see one's cluster, open its
 * dashboard through the gateway, press Stop and see it stopped; another user's cluster is refused;
 * the admin sees every user's; changes need the pages' header; the metrics are an admin's.
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

    /** The state cell of {@code cluster}'s row on the clusters page, or null while it is not listed. */
    private static String stateOf(String cluster) {
        return (String) script("const r = document.querySelector('tr[data-cluster=\"' + arguments[0] + '\"]');"
                + " return r ? r.querySelector('.state').textContent : null;", cluster);
    }

    @Test
    void aUserSignsInSeesTheirClusterWatchesItsDashboardAndStopsIt() throws Exception {
        String alice = gw.addUser("alice", Limits.NONE, new Budget(1e9, null, null));
        String bob = gw.addUser("bob");
        gw.server.database().accounts().addUser("root", null, true, Limits.NONE, Budget.NONE, gw.clock.instant());
        String root = gw.server.database().accounts().issueToken("root", "test", null, gw.clock.instant());
        try (Gateway a = gw.connect(alice); Gateway b = gw.connect(bob);
             GatewayCluster mine = a.newCluster(ClusterOptions.builder().workers(1).build());
             GatewayCluster bobs = b.newCluster(ClusterOptions.builder().workers(0).build())) {
            try (Client client = Client.connect(mine)) {
                client.gather(client.map(x -> x * 2, List.of(1, 2, 3, 4, 5)), Duration.ofSeconds(60));
            }

            // A wrong token is refused on the login page, naming why.
            browser.get(gw.server.url() + "/login");
            browser.findElement(By.id("token")).sendKeys("burst_not-a-real-token");
            browser.findElement(By.id("sign-in")).click();
            await().atMost(Duration.ofSeconds(10)).until(() -> !browser.findElements(By.id("problem")).isEmpty());
            assertThat(browser.findElement(By.id("problem")).getText()).contains("token");

            signIn(alice);
            await().atMost(Duration.ofSeconds(20)).until(() -> "running".equals(stateOf(mine.name())));
            assertThat(stateOf(bobs.name())).as("bob's cluster on alice's page").isNull();
            assertThat(browser.findElement(By.id("user")).getText()).isEqualTo("alice");
            Files.copy(new java.io.ByteArrayInputStream(browser.getScreenshotAs(OutputType.BYTES)),
                    Chromium.screenshots().resolve("gateway-clusters.png"), StandardCopyOption.REPLACE_EXISTING);

            // Scripts reach a cluster's dashboard with their API token, e.g. to scrape its metrics.
            RawHttp.Answer metrics = new RawHttp(gw.server).send("GET", "/clusters/" + mine.name() + "/metrics", alice, null);
            assertThat(metrics.status()).isEqualTo(200);
            assertThat(metrics.body()).contains("burst_tasks_ended_total{");
            // Its dashboard, through the gateway: live (server-sent events relayed), the tasks it ran.
            browser.findElement(By.linkText(mine.name())).click();
            await().atMost(Duration.ofSeconds(30)).until(() ->
                    Long.parseLong(String.valueOf(script("return document.body.dataset.updates || '0'"))) >= 2);
            assertThat(browser.getCurrentUrl()).endsWith("/clusters/" + mine.name() + "/");
            assertThat(String.valueOf(script("return document.getElementById('progress').textContent"))).contains("5 / 5");

            // Bob's cluster's dashboard is not alice's to see: the same answer as no cluster at all.
            browser.get(gw.server.url() + "/clusters/" + bobs.name() + "/");
            assertThat(browser.getPageSource()).contains("no cluster '" + bobs.name() + "'").doesNotContain("data-page");
            // A change with the cookie but without the pages' header (what a cross-site request would be) is refused.
            browser.get(gw.server.url() + "/");
            Object status = ((org.openqa.selenium.JavascriptExecutor) browser).executeAsyncScript(
                    "const done = arguments[arguments.length - 1]; fetch('/api/v1/clusters/' + arguments[0], {method: 'DELETE'})"
                            + ".then(r => done(r.status));", mine.name());
            assertThat(status).isEqualTo(403L);

            await().atMost(Duration.ofSeconds(20)).until(() -> "running".equals(stateOf(mine.name())));
            browser.findElement(By.cssSelector("tr[data-cluster='" + mine.name() + "'] button.stop")).click();
            await().atMost(Duration.ofSeconds(30)).until(() -> String.valueOf(stateOf(mine.name())).startsWith("stopped"));
            assertThat(stateOf(mine.name())).isEqualTo("stopped (user)");
            assertThat(gw.server.database().clusters().find(mine.name()).orElseThrow().stopReason()).isEqualTo(StopReason.USER);

            // The admin sees every user's clusters and usage.
            signIn(root);
            browser.get(gw.server.url() + "/admin");
            await().atMost(Duration.ofSeconds(20)).until(() -> "1".equals(script("return document.body.dataset.loaded")));
            assertThat(String.valueOf(script("return [...document.querySelectorAll('#all-clusters tbody tr')]"
                    + ".map(r => r.dataset.cluster).join(' ')"))).contains(mine.name(), bobs.name());
            assertThat(String.valueOf(script("return [...document.querySelectorAll('#users tbody tr')]"
                    + ".map(r => r.dataset.user).join(' ')"))).contains("alice", "bob", "root");

            // Metrics: an admin's token only.
            RawHttp raw = new RawHttp(gw.server);
            assertThat(raw.send("GET", "/metrics", alice, null).status()).isEqualTo(403);
            RawHttp.Answer scrape = raw.send("GET", "/metrics", root, null);
            assertThat(scrape.status()).isEqualTo(200);
            assertThat(scrape.body()).contains("burst_user_core_seconds_allocated_total{user=\"alice\"}")
                    .contains("burst_gateway_clusters{user=\"bob\"} 1.0")
                    // and the gateway's own JVM and process
                    .contains("jvm_memory_used_bytes{").contains("process_cpu_usage ").contains("jvm_gc_")
                    .contains("jvm_threads_live_threads ").contains("process_uptime_seconds ");
        }
    }
}
