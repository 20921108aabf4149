package dev.burst.internal.gateway.server;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.burst.internal.gateway.ledger.Accounts;
import dev.burst.internal.gateway.ledger.Budget;
import dev.burst.internal.gateway.ledger.ClusterRecord;
import dev.burst.internal.gateway.ledger.ClusterState;
import dev.burst.internal.gateway.ledger.GroupRecord;
import dev.burst.internal.gateway.ledger.Limits;
import dev.burst.internal.gateway.ledger.TokenRecord;
import dev.burst.internal.gateway.ledger.UserRecord;
import dev.burst.internal.transport.Transport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Bad input from outside, one kind at a time: missing and bad tokens, another user's cluster,
 * hostile names and option values, oversize and non-JSON bodies, plain HTTP and garbage on the TLS
 * port, a flood of bad tokens, admin routes without the right. Each must answer a clear
 * {@code {"error": ...}} (and as the API's OpenAPI document says: {@link RawHttp} checks) and change nothing: the ledger is compared before and after, and Bob's
 * one cluster must still be running.
 */
class GatewayBadInputTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CREATE = "{\"workers\": 0}";

    @TempDir
    static Path dir;
    static TestGateway gw;
    static RawHttp http;
    static String alice;
    static String bob;
    static String bobsCluster;

    @BeforeAll
    static void start() throws Exception {
        gw = new TestGateway(dir);
        alice = gw.addUser("alice");
        bob = gw.addUser("bob");
        http = new RawHttp(gw.server);
        // Detached: no client ever connects, and the tests move the clock.
        RawHttp.Answer created = http.send("POST", "/api/v1/clusters", bob, "{\"workers\": 0, \"detached\": true}");
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        bobsCluster = JSON.readTree(created.body()).get("name").asText();
    }

    @AfterAll
    static void stop() {
        if (gw != null) {
            gw.close();
        }
    }

    // ---------------------------------------------------------------- 1. tokens

    @Test
    void missingMalformedUnknownExpiredRevokedAndRemovedTokensAre401WithAMessageEach() throws Exception {
        Accounts accounts = gw.server.database().accounts();
        Instant now = gw.clock.instant();
        String expiring = accounts.issueToken("alice", "expiring", now.plusSeconds(1), now);
        assertThat(http.send("GET", "/api/v1/me", expiring, null).status()).isEqualTo(200);
        gw.clock.advance(Duration.ofSeconds(1));
        String revoked = accounts.issueToken("alice", "to revoke", null, now);
        long revokedId = accounts.tokens("alice").stream().filter(t -> t.label().equals("to revoke")).findFirst().orElseThrow().id();
        assertThat(accounts.revokeToken("alice", revokedId, now)).isTrue();
        accounts.addUser("gone", null, false, Limits.NONE, Budget.NONE, now);
        String gonesToken = accounts.issueToken("gone", "test", null, now);
        accounts.removeUser("gone", now);
        String random = "burst_" + "A".repeat(43);

        Map<String, String> headers = new LinkedHashMap<>(); // case -> the whole Authorization header (null: none)
        headers.put("none", null);
        headers.put("basic", "Basic eDp5");
        headers.put("bearer alone", "Bearer");
        headers.put("not a token", "Bearer hunter2");
        headers.put("unknown", "Bearer " + random);
        headers.put("expired", "Bearer " + expiring);
        headers.put("revoked", "Bearer " + revoked);
        headers.put("removed user", "Bearer " + gonesToken);
        Map<String, String[]> expected = Map.of(
                "none", new String[]{"no API token", "Authorization: Bearer <token>"},
                "basic", new String[]{"'Basic'", "Bearer <token>"},
                "bearer alone", new String[]{"no token after 'Bearer'"},
                "not a token", new String[]{"not a Burst API token", "burst_"},
                "unknown", new String[]{"unknown API token"},
                "expired", new String[]{"expired", now.plusSeconds(1).toString()},
                "revoked", new String[]{"revoked"},
                "removed user", new String[]{"user 'gone'", "removed"});

        List<String> before = ledger();
        Set<String> messages = new HashSet<>();
        for (var h : headers.entrySet()) {
            String message = null;
            for (String[] route : new String[][]{{"GET", "/api/v1/clusters", null}, {"POST", "/api/v1/clusters", CREATE},
                    {"GET", "/api/v1/me", null}}) {
                RawHttp.Answer a = http.sendAuthorized(route[0], route[1], h.getValue(), route[2]);
                String m = error(a, 401, expected.get(h.getKey()));
                assertThat(message).as("one message for '%s' on every route", h.getKey()).isIn(null, m);
                message = m;
                assertThat(a.body()).as("the secret is not echoed").doesNotContain("eDp5", "hunter2", random, expiring, revoked, gonesToken);
            }
            messages.add(message);
        }
        assertThat(messages).as("a message of its own for each case").hasSize(headers.size());
        assertUnchanged(before);
    }

    // ---------------------------------------------------------------- 2. another user's cluster

    @Test
    void anotherUsersClusterAnswersExactlyAsAClusterThatDoesNotExist() throws Exception {
        String ghost = "c-0123456789";
        assertThat(ghost).isNotEqualTo(bobsCluster);
        List<String> before = ledger();
        String[][] requests = {{"GET", "", null}, {"DELETE", "", null}, {"POST", "/scale", "{\"count\": 3}"},
                {"POST", "/adapt", "{\"minimum\": 0, \"maximum\": 3}"}, {"POST", "/scale", "not JSON"},
                {"POST", "/adapt", "{\"nonsense\": true}"}};
        for (String[] r : requests) {
            RawHttp.Answer bobs = http.send(r[0], "/api/v1/clusters/" + bobsCluster + r[1], alice, r[2]);
            RawHttp.Answer none = http.send(r[0], "/api/v1/clusters/" + ghost + r[1], alice, r[2]);
            error(none, 404, "no cluster '" + ghost + "'");
            assertThat(bobs.status()).as(r[0] + " " + r[1]).isEqualTo(404);
            assertThat(bobs.contentType()).isEqualTo(none.contentType());
            assertThat(bobs.body().getBytes(StandardCharsets.UTF_8))
                    .isEqualTo(none.body().replace(ghost, bobsCluster).getBytes(StandardCharsets.UTF_8));
        }
        for (String path : new String[]{"/api/v1/clusters", "/api/v1/clusters?stopped=true", "/api/v1/usage", "/api/v1/me"}) {
            RawHttp.Answer a = http.send("GET", path, alice, null);
            assertThat(a.status()).isEqualTo(200);
            assertThat(a.body()).as(path).doesNotContain(bobsCluster);
        }
        assertThat(http.send("GET", "/api/v1/clusters", bob, null).body()).contains(bobsCluster);
        assertUnchanged(before);
    }

    // ---------------------------------------------------------------- 3. hostile names and values

    @Test
    void clusterNamesWithSqlShellOrHtmlInThePathAreNotFoundAndReachNothing() throws Exception {
        List<String> before = ledger();
        List<String> paths = new ArrayList<>();
        for (String name : new String[]{"c-'; DROP TABLE clusters; --", "$(rm -rf /)", "<script>alert(1)</script>", "c-%00"}) {
            paths.add(URLEncoder.encode(name, StandardCharsets.UTF_8).replace("+", "%20"));
        }
        paths.add("..%2F..%2Fetc%2Fpasswd");
        paths.add("..%252F..%252Fetc%252Fpasswd");
        paths.add("c-%00"); // an encoded NUL: Jetty refuses the URI
        paths.add("%2e%2e/%2e%2e/admin/users"); // must not normalise into an admin route
        paths.add("..;/..;/admin/users");
        paths.add("c-0123456789%3B.json");
        paths.add("%c0%ae%c0%ae%c0%af"); // overlong UTF-8 for "../"
        for (String p : paths) {
            for (String[] r : new String[][]{{"GET", "", null}, {"DELETE", "", null}, {"POST", "/scale", "{\"count\": 1}"}}) {
                RawHttp.Answer a = http.send(r[0], "/api/v1/clusters/" + p + r[1], bob, r[2]);
                // 404 from the route (or, for several segments, no route); 400 where Jetty refuses the URI itself.
                assertThat(a.status()).as(r[0] + " " + p + r[1] + ": " + a.body()).isIn(400, 404);
                assertThat(error(a, a.status())).containsAnyOf("no cluster by that name", "no such route: ", "bad request: ");
            }
        }
        assertUnchanged(before);
        assertThat(http.send("GET", "/api/v1/clusters", bob, null).body()).contains(bobsCluster); // the table is still there
    }

    @Test
    void badOptionValuesAre422NamingTheFieldAndItsRangeAndStartNothing() throws Exception {
        Map<String, String[]> bodies = new LinkedHashMap<>(); // body -> what the error must name
        bodies.put("{\"workers\": 0, \"options\": {\"$(rm -rf /); `id` | x\": \"'; DROP TABLE clusters; --\"}}",
                new String[]{"unknown option '$(rm -rf /); `id` | x'", "backend local"});
        bodies.put("{\"workers\": 0, \"options\": \"processes=true\"}", new String[]{"'options' must be an object"});
        for (String field : new String[]{"threads", "workers", "gpus"}) {
            String range = field.equals("threads") ? "from 1 to 4096" : field.equals("workers") ? "from 0 to 100000" : "from 0 to 1024";
            for (String value : new String[]{"\"2\"", "-1", "2147483648", "1e308", "1.5", "true", "null", "[1]", "99999999999999999999999"}) {
                bodies.put("{\"" + field + "\": " + value + (field.equals("workers") ? "" : ", \"workers\": 0") + "}",
                        new String[]{"'" + field + "'", range});
            }
        }
        for (String value : new String[]{"2147483648", "1e308", "true", "{}"}) {
            bodies.put("{\"workers\": 0, \"memory\": " + value + "}", new String[]{"'memory'", "a size like 512m or 4g"});
        }
        for (String value : new String[]{"-1g", "0", "-0.0"}) {
            bodies.put("{\"workers\": 0, \"memory\": \"" + value + "\"}", new String[]{"memory must be greater than 0", "'" + value + "'"});
        }
        for (String value : new String[]{"lots", "", "4gb; rm -rf /"}) {
            bodies.put("{\"workers\": 0, \"memory\": \"" + value + "\"}", new String[]{"memory must be a size like 512m or 4g"});
        }
        for (String value : new String[]{"\"1e308\"", "\"0.5\"", "\"2147483648t\"", "\"1k\""}) {
            bodies.put("{\"workers\": 0, \"memory\": " + value + "}", new String[]{"'memory'", "from 1m to 1024t"});
        }
        bodies.put("{\"workers\": 0, \"wrokers\": 1}", new String[]{"unknown option 'wrokers'",
                "known: adapt, detached, gpus, memory, options, threads, workers"});
        bodies.put("{\"workers\": 1, \"adapt\": {\"maximum\": 2}}", new String[]{"either 'workers'", "'adapt'", "not both"});
        bodies.put("{\"adapt\": [0, 2]}", new String[]{"'adapt' must be {\"minimum\": a, \"maximum\": b}"});
        bodies.put("{\"adapt\": {\"minimum\": 3, \"maximum\": 1}}", new String[]{"maximum 1 is below its minimum 3"});
        bodies.put("{\"adapt\": {\"maximum\": 2, \"step\": 1}}", new String[]{"unknown option 'step'", "known: maximum, minimum"});
        bodies.put("{\"workers\": 0, \"detached\": \"yes\"}", new String[]{"'detached' must be true or false"});

        List<String> before = ledger();
        for (var b : bodies.entrySet()) {
            error(http.send("POST", "/api/v1/clusters", bob, b.getKey()), 422, b.getValue());
        }
        // The same checks on a running cluster's scale and adapt.
        error(http.send("POST", "/api/v1/clusters/" + bobsCluster + "/scale", bob, "{\"count\": 2147483648}"), 422,
                "'count'", "from 0 to 100000");
        error(http.send("POST", "/api/v1/clusters/" + bobsCluster + "/scale", bob, "{}"), 422, "'count' is missing");
        error(http.send("POST", "/api/v1/clusters/" + bobsCluster + "/adapt", bob, "{\"maximum\": -5}"), 422, "'maximum'",
                "from 1 to 100000");
        error(http.send("GET", "/api/v1/usage?days=1e308", bob, null), 422, "days must be 1..3660");
        assertUnchanged(before);
    }

    // ---------------------------------------------------------------- 4. bodies

    @Test
    void anOversizeBodyIs413GarbageIs400AndAnArrayIs422() throws Exception {
        List<String> before = ledger();
        String big = "{\"workers\": 0, \"pad\": \"" + "x".repeat((int) ApiRoutes.MAX_BODY_BYTES) + "\"}";
        error(http.send("POST", "/api/v1/clusters", bob, big), 413, "request body over 65536 bytes");
        error(http.send("POST", "/api/v1/clusters/" + bobsCluster + "/scale", bob, big), 413, "request body over 65536 bytes");
        // Not JSON at all: a syntax error is the request's fault before any value is read (400).
        error(http.send("POST", "/api/v1/clusters", bob, "workers=0&threads=2"), 400, "not JSON");
        error(http.send("POST", "/api/v1/clusters", bob, "{\"workers\": 0"), 400, "not JSON");
        error(http.send("POST", "/api/v1/clusters", bob, "\u0000\u00ff\u0007"), 400, "not JSON");
        error(http.send("POST", "/api/v1/clusters", bob, "{\"workers\": 0} {\"workers\": 0}"), 400, "not JSON");
        error(http.send("POST", "/api/v1/clusters", bob, "{\"workers\": 0, \"workers\": 100000}"), 400, "not JSON", "workers");
        // JSON, but not the object the route takes: a value it cannot process (422).
        error(http.send("POST", "/api/v1/clusters", bob, "[{\"workers\": 0}]"), 422, "must be a JSON object");
        error(http.send("POST", "/api/v1/clusters", bob, "null"), 422, "must be a JSON object");
        error(http.send("POST", "/api/v1/clusters", bob, "\"workers\""), 422, "must be a JSON object");
        assertUnchanged(before);
    }

    // ---------------------------------------------------------------- 5. the TLS port

    @Test
    void plainHttpOnTheTlsPortIsTold400ToUseHttpsAndGarbageIsClosed() throws Exception {
        URI url = URI.create(gw.server.url());
        try (Socket s = new Socket(url.getHost(), url.getPort())) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write("GET /api/health HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            String answer = new String(readAll(s.getInputStream()), StandardCharsets.UTF_8);
            assertThat(answer).startsWith("HTTP/1.1 400 ").contains("Content-Type: application/json");
            JsonNode body = JSON.readTree(answer.substring(answer.indexOf("\r\n\r\n") + 4));
            assertThat(body.get("error").asText()).contains("use https://x:" + url.getPort() + "/");
        }
        byte[] garbage = new byte[512];
        new Random(42).nextBytes(garbage);
        garbage[0] = 0x00; // neither a TLS record nor an HTTP method
        try (Socket s = new Socket(url.getHost(), url.getPort())) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write(garbage);
            assertThat(readAll(s.getInputStream())).as("closed without an answer").isEmpty();
        }
        RawHttp.Answer health = http.send("GET", "/api/health", null, null);
        assertThat(health.status()).isEqualTo(200);
        assertThat(http.send("GET", "/api/v1/me", alice, null).status()).isEqualTo(200);
    }

    @Test
    void requestsJettyRefusesBeforeTheRoutesGetJsonErrorsToo() throws Exception {
        List<String> before = ledger();
        String[] requests = { // none says "Connection: close": the gateway must close after such an error itself
                "GET /api/v1/clusters/c-%00 HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + bob + "\r\n\r\n",
                "GET /api/v1/clusters/%ZZ HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + bob + "\r\n\r\n",
                "GET /api/v1/clusters/<script>alert(1)</script> HTTP/1.1\r\nHost: x\r\n\r\n",
                "GET /api/health HTTP/1.1\r\nHost: x\r\nX-Bad: a\u0001b\r\n\r\n",
                "GET /api/health HTTP/1.1\r\nHost: x\r\nno colon here\r\n\r\n",
                "GET /api/health HTTP/7.3\r\nHost: x\r\n\r\n"};
        for (String request : requests) {
            String answer = overTls(request);
            assertThat(answer).as(request).matches("(?s)HTTP/1.1 (400|505) .*").containsIgnoringCase("Content-Type: application/json")
                    .containsIgnoringCase("Connection: close").doesNotContain("<html", "<script", "Exception");
            JsonNode body = JSON.readTree(answer.substring(answer.indexOf("\r\n\r\n") + 4));
            assertThat(body.get("error").asText()).as(request).matches("(bad request|HTTP 505): .+");
        }
        assertUnchanged(before);
        assertThat(http.send("GET", "/api/v1/me", alice, null).status()).isEqualTo(200);
    }

    /** Sends {@code request} verbatim over TLS to the gateway's port (pinning its certificate) and returns all it answers. */
    private static String overTls(String request) throws Exception {
        SSLContext ssl = SSLContext.getInstance("TLS");
        ssl.init(null, new TrustManager[]{new Transport.PinnedCertificate(gw.server.certificateSha256(), "test gateway")}, null);
        URI url = URI.create(gw.server.url());
        try (Socket s = ssl.getSocketFactory().createSocket(url.getHost(), url.getPort())) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            s.getOutputStream().flush();
            return new String(readAll(s.getInputStream()), StandardCharsets.ISO_8859_1);
        }
    }

    /** Everything until the peer closes; a reset counts as closed. */
    private static byte[] readAll(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] b = new byte[4096];
        try {
            for (int n; (n = in.read(b)) >= 0; ) {
                out.write(b, 0, n);
            }
        } catch (java.net.SocketException reset) {
            // the gateway closed with unread bytes: the connection ends either way
        }
        return out.toByteArray();
    }

    // ---------------------------------------------------------------- 6. a flood of bad tokens

    @Test
    void aThousandBadTokensAreAll401AGoodUserIsStillServedAndTheLogHasOneLine() throws Exception {
        Logger logger = (Logger) LoggerFactory.getLogger(AuthFailures.class);
        ListAppender<ILoggingEvent> lines = new ListAppender<>();
        lines.start();
        logger.addAppender(lines);
        ExecutorService pool = Executors.newFixedThreadPool(16);
        ExecutorService goodUserThread = Executors.newSingleThreadExecutor();
        AtomicBoolean flooding = new AtomicBoolean(true);
        try {
            gw.clock.advance(Duration.ofSeconds(61)); // a fresh interval: earlier tests' refusals were logged in the last one
            List<String> before = ledger();
            long started = System.nanoTime();
            Future<List<Integer>> goodUser = goodUserThread.submit(() -> {
                List<Integer> statuses = new ArrayList<>();
                while (flooding.get() || statuses.isEmpty()) {
                    statuses.add(http.send("GET", "/api/v1/me", alice, null).status());
                }
                return statuses;
            });
            List<Future<Integer>> refused = new ArrayList<>();
            for (int i = 0; i < 1000; i++) {
                String header = switch (i % 4) {
                    case 0 -> "Bearer burst_" + String.format("%043d", i);
                    case 1 -> "Bearer not-a-token-" + i;
                    case 2 -> "Basic " + i;
                    default -> null;
                };
                String method = i % 2 == 0 ? "GET" : "POST";
                refused.add(pool.submit(() -> http.sendAuthorized(method, "/api/v1/clusters", header,
                        method.equals("POST") ? CREATE : null).status()));
            }
            for (Future<Integer> f : refused) {
                assertThat(f.get()).isEqualTo(401);
            }
            flooding.set(false);
            assertThat(goodUser.get()).isNotEmpty().containsOnly(200);
            assertThat(http.send("GET", "/api/v1/me", alice, null).status()).isEqualTo(200);
            System.err.printf("1000 refusals in %d ms%n", (System.nanoTime() - started) / 1_000_000);
            assertThat(lines.list).as("one line for the interval, not one per refusal").hasSize(1);
            assertThat(lines.list.getFirst().getFormattedMessage()).contains("from 127.0.0.1");

            gw.clock.advance(Duration.ofSeconds(61));
            assertThat(http.send("GET", "/api/v1/me", "burst_" + "B".repeat(43), null).status()).isEqualTo(401);
            assertThat(lines.list).hasSize(2);
            assertThat(lines.list.get(1).getFormattedMessage()).as("the next line counts what the first did not log")
                    .contains("refused 1000 request(s) from 127.0.0.1");
            assertUnchanged(before);
        } finally {
            flooding.set(false);
            pool.shutdownNow();
            goodUserThread.shutdownNow();
            logger.detachAppender(lines);
        }
    }

    // ---------------------------------------------------------------- 7. admin routes

    @Test
    void adminRoutesRefuseANonAdminWith403AndServeAnAdmin() throws Exception {
        Instant now = gw.clock.instant();
        gw.server.database().accounts().addUser("root", null, true, Limits.NONE, Budget.NONE, now);
        String root = gw.server.database().accounts().issueToken("root", "test", null, now);
        List<String> before = ledger();
        String[][] requests = {{"GET", "/api/v1/admin/users", null}, {"GET", "/api/v1/admin/clusters", null},
                {"POST", "/api/v1/admin/users", "{\"name\": \"mallory\", \"admin\": true}"},
                {"DELETE", "/api/v1/admin/users/bob", null},
                {"PUT", "/api/v1/admin/users/alice/limits", "{\"limits\": {\"maxClusters\": 1000}}"},
                {"POST", "/api/v1/admin/groups", "{\"name\": \"mine\"}"}};
        for (String[] r : requests) {
            error(http.send(r[0], r[1], alice, r[2]), 403, "admin only: alice is not an admin");
            error(http.send(r[0], r[1], null, r[2]), 401, "no API token");
        }
        assertUnchanged(before);
        RawHttp.Answer users = http.send("GET", "/api/v1/admin/users", root, null);
        assertThat(users.status()).isEqualTo(200);
        assertThat(users.body()).contains("\"alice\"", "\"bob\"", "\"root\"");
        assertThat(http.send("GET", "/api/v1/admin/clusters", root, null).body()).contains(bobsCluster);
    }

    // ---------------------------------------------------------------- helpers

    /** Asserts {@code a} is {@code status} with a JSON {@code {"error": ...}} holding each fragment; returns the message. */
    private static String error(RawHttp.Answer a, int status, String... fragments) throws IOException {
        assertThat(a.status()).as(a.body()).isEqualTo(status);
        assertThat(a.contentType()).as(a.body()).startsWith("application/json");
        assertThat(a.body()).doesNotContain("Exception", "\tat ", "<html", "<script", "<body");
        JsonNode n = JSON.readTree(a.body());
        assertThat(n.isObject() && n.size() == 1 && n.path("error").isTextual()).as(a.body()).isTrue();
        String message = n.get("error").asText();
        if (fragments.length > 0) {
            assertThat(message).contains(fragments);
        }
        return message;
    }

    /** The ledger as lines: clusters, users, groups, tokens (without what every request may move: usage, last use). */
    private static List<String> ledger() {
        var db = gw.server.database();
        List<String> rows = new ArrayList<>();
        for (ClusterRecord c : db.clusters().all(1000)) {
            rows.add("cluster " + c.name() + " " + c.user() + " " + c.state() + " " + c.stopReason() + " " + c.shape() + " "
                    + c.optionsJson() + " " + c.stoppedAt());
        }
        for (UserRecord u : db.accounts().users()) {
            rows.add("user " + u.name() + " " + u.admin() + " " + u.removed() + " " + u.limits() + " " + u.budget() + " " + u.groupName());
            for (TokenRecord t : db.accounts().tokens(u.name())) {
                rows.add("token " + t.id() + " " + t.user() + " " + t.label() + " " + t.expiresAt() + " " + t.revokedAt());
            }
        }
        for (GroupRecord g : db.accounts().groups()) {
            rows.add("group " + g.name() + " " + g.limits());
        }
        return rows;
    }

    /** The ledger is as {@code before}, and Bob's cluster still runs. */
    private static void assertUnchanged(List<String> before) {
        assertThat(ledger()).containsExactlyElementsOf(before);
        assertThat(gw.server.fleet().running(bobsCluster)).isPresent();
        assertThat(gw.server.database().clusters().find(bobsCluster).orElseThrow().state()).isEqualTo(ClusterState.RUNNING);
    }
}
