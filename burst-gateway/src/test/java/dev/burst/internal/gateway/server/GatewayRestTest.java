package dev.burst.internal.gateway.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.burst.internal.gateway.ledger.StopReason;
import dev.burst.internal.gateway.reclaim.ReclaimTimeouts;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The REST API's conventions, each as a user meets it: 400 for a body that is not JSON and 422
 * for a JSON body with a bad value; 405 with {@code Allow} for a known path with another method
 * and 404 for an unknown path; one's stopped cluster readable (200, state {@code stopped}) while
 * another user's stays 404; and a create that says when a cluster without a client is reclaimed.
 * Every answer is also checked against the API's OpenAPI document ({@link RawHttp}).
 */
class GatewayRestTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;
    static TestGateway gw;
    static RawHttp http;
    static String alice;
    static String bob;

    @BeforeAll
    static void start() throws Exception {
        gw = new TestGateway(dir);
        alice = gw.addUser("alice");
        bob = gw.addUser("bob");
        http = new RawHttp(gw.server);
    }

    @AfterAll
    static void stop() {
        if (gw != null) {
            gw.close();
        }
    }

    @Test
    void aBodyThatIsNotJsonIs400AndAJsonBodyWithABadValueIs422() throws Exception {
        String cluster = create(alice, "{\"workers\": 0, \"detached\": true}").get("name").asText();
        for (String[] r : new String[][]{{"/api/v1/clusters", "{\"workers\": 0"}, {"/api/v1/clusters/" + cluster + "/scale", "{\"count\": }"},
                {"/api/v1/clusters/" + cluster + "/adapt", "maximum=2"}, {"/api/v1/tokens", "{\"label\": 'x'}"}}) {
            RawHttp.Answer a = http.send("POST", r[0], alice, r[1]);
            assertThat(a.status()).as(r[0] + " " + a.body()).isEqualTo(400);
            assertThat(error(a)).as(r[0]).startsWith("the request body is not JSON: ");
        }
        RawHttp.Answer badValue = http.send("POST", "/api/v1/clusters", alice, "{\"workers\": -1}");
        assertThat(badValue.status()).isEqualTo(422);
        assertThat(error(badValue)).isEqualTo("'workers' must be a whole number from 0 to 100000, got -1");
        RawHttp.Answer badScale = http.send("POST", "/api/v1/clusters/" + cluster + "/scale", alice, "{\"count\": \"two\"}");
        assertThat(badScale.status()).isEqualTo(422);
        assertThat(error(badScale)).isEqualTo("'count' must be a whole number from 0 to 100000, got \"two\"");
        assertThat(http.send("DELETE", "/api/v1/clusters/" + cluster, alice, null).status()).isEqualTo(200);
    }

    @Test
    void aChangeWithTheSignInCookieButNotFromThePagesIs403AsDocumented() throws Exception {
        RawHttp.Answer read = http.sendWithCookie("GET", "/api/v1/me", alice, null, false);
        assertThat(read.status()).isEqualTo(200);
        RawHttp.Answer scripted = http.sendWithCookie("POST", "/api/v1/tokens", alice, "{\"label\": \"x\"}", false);
        assertThat(scripted.status()).isEqualTo(403);
        assertThat(scripted.body()).contains("X-Burst-Page");
        RawHttp.Answer fromPage = http.sendWithCookie("POST", "/api/v1/tokens", alice, "{\"label\": \"x\"}", true);
        assertThat(fromPage.status()).isEqualTo(201);
    }

    @Test
    void aKnownPathWithAnotherMethodIs405WithAllowAndAnUnknownPathIs404() throws Exception {
        String[][] cases = { // method, path, Allow
                {"PUT", "/api/v1/clusters", "GET, POST"},
                {"PATCH", "/api/v1/clusters/c-0123456789", "GET, DELETE"},
                {"GET", "/api/v1/clusters/c-0123456789/scale", "POST"},
                {"POST", "/api/v1/me", "GET"},
                {"DELETE", "/api/health", "GET"},
                {"POST", "/api/openapi.json", "GET"}};
        for (String[] c : cases) {
            RawHttp.Answer a = http.send(c[0], c[1], alice, c[0].equals("GET") || c[0].equals("DELETE") ? null : "{}");
            assertThat(a.status()).as(c[0] + " " + c[1]).isEqualTo(405);
            assertThat(a.allow()).as(c[0] + " " + c[1]).isEqualTo(c[2]);
            assertThat(a.contentType()).startsWith("application/json");
            assertThat(error(a)).isEqualTo("method " + c[0] + " not allowed on " + c[1] + "; allowed: " + c[2]);
        }
        for (String path : new String[]{"/api/v1/nothing", "/api/v2/clusters", "/api/v1/clusters/c-0123456789/resize"}) {
            RawHttp.Answer a = http.send("GET", path, alice, null);
            assertThat(a.status()).as(path).isEqualTo(404);
            assertThat(a.allow()).isNull();
            assertThat(error(a)).isEqualTo("no such route: GET " + path);
        }
    }

    @Test
    void onesStoppedClusterAnswersGetWith200AndStateStoppedAndAnotherUsersStays404() throws Exception {
        String name = create(alice, "{\"workers\": 0, \"detached\": true}").get("name").asText();
        RawHttp.Answer running = http.send("GET", "/api/v1/clusters/" + name, alice, null);
        assertThat(running.status()).isEqualTo(200);
        assertThat(JSON.readTree(running.body()).get("state").asText()).isEqualTo("running");
        assertThat(JSON.readTree(running.body()).has("connection")).isTrue();
        assertThat(http.send("DELETE", "/api/v1/clusters/" + name, alice, null).status()).isEqualTo(200);

        RawHttp.Answer stopped = http.send("GET", "/api/v1/clusters/" + name, alice, null);
        assertThat(stopped.status()).as(stopped.body()).isEqualTo(200);
        JsonNode s = JSON.readTree(stopped.body());
        assertThat(s.get("name").asText()).isEqualTo(name);
        assertThat(s.get("user").asText()).isEqualTo("alice");
        assertThat(s.get("state").asText()).isEqualTo("stopped");
        assertThat(s.get("stopReason").asText()).isEqualTo("user");
        assertThat(s.get("stopDetail").asText()).isEqualTo("stopped by alice");
        assertThat(s.has("stoppedAt")).isTrue();
        assertThat(s.has("connection")).as("nothing to connect to").isFalse();
        // Exactly its entry in the list of one's stopped clusters.
        JsonNode listed = JSON.readTree(http.send("GET", "/api/v1/clusters?stopped=true", alice, null).body()).get("clusters");
        assertThat(listed).filteredOn(c -> c.get("name").asText().equals(name)).containsExactly(s);

        // A change to it is still refused: it is not running.
        RawHttp.Answer again = http.send("DELETE", "/api/v1/clusters/" + name, alice, null);
        assertThat(again.status()).isEqualTo(409);
        assertThat(error(again)).isEqualTo("cluster " + name + " is not running");
        assertThat(http.send("POST", "/api/v1/clusters/" + name + "/scale", alice, "{\"count\": 1}").status()).isEqualTo(409);

        // Another user's, running or stopped, answers as one that does not exist.
        RawHttp.Answer bobs = http.send("GET", "/api/v1/clusters/" + name, bob, null);
        RawHttp.Answer none = http.send("GET", "/api/v1/clusters/c-0123456789", bob, null);
        assertThat(bobs.status()).isEqualTo(404);
        assertThat(bobs.body()).isEqualTo("{\"error\":\"no cluster '" + name + "'\"}");
        assertThat(bobs.body()).isEqualTo(none.body().replace("c-0123456789", name));
    }

    @Test
    void theCreateAnswerSaysAClusterWithoutAClientIsReclaimedAfterTheNoClientTimeoutUnlessDetached() throws Exception {
        long noClient = ReclaimTimeouts.DEFAULTS.noClient().toSeconds();
        long idle = ReclaimTimeouts.DEFAULTS.idle().toSeconds();
        JsonNode attached = create(bob, "{\"workers\": 0}");
        JsonNode r = attached.get("reclaim");
        assertThat(r.get("detached").asBoolean()).isFalse();
        assertThat(r.get("afterSecondsWithoutClient").asLong()).isEqualTo(noClient).isEqualTo(120);
        assertThat(r.get("afterSecondsIdle").asLong()).isEqualTo(idle);
        assertThat(r.has("maxLifetimeSeconds")).isFalse();
        assertThat(r.get("notice").asText()).contains("without a connected client for 120 s", "\"detached\": true");

        JsonNode detached = create(bob, "{\"workers\": 0, \"detached\": true}");
        JsonNode d = detached.get("reclaim");
        assertThat(d.get("detached").asBoolean()).isTrue();
        assertThat(d.has("afterSecondsWithoutClient")).isFalse();
        assertThat(d.get("afterSecondsIdle").asLong()).isEqualTo(idle);
        assertThat(d.get("notice").asText()).startsWith("detached: this cluster outlives its clients").contains(idle + " s");

        // The figure is the one the gateway acts on: no client comes, and after that long the cluster is stopped.
        String name = attached.get("name").asText();
        gw.server.fleet().poll();
        gw.clock.advance(Duration.ofSeconds(noClient - 1));
        gw.server.fleet().poll();
        assertThat(gw.record(name).stoppedAt()).isNull();
        gw.clock.advance(Duration.ofSeconds(1));
        await().atMost(Duration.ofSeconds(30)).until(() -> gw.record(name).stopReason() == StopReason.NO_CLIENT);
        assertThat(gw.record(detached.get("name").asText()).stoppedAt()).as("detached: kept").isNull();
        assertThat(http.send("DELETE", "/api/v1/clusters/" + detached.get("name").asText(), bob, null).status()).isEqualTo(200);
    }

    private static JsonNode create(String token, String body) throws Exception {
        RawHttp.Answer a = http.send("POST", "/api/v1/clusters", token, body);
        assertThat(a.status()).as(a.body()).isEqualTo(201);
        return JSON.readTree(a.body());
    }

    private static String error(RawHttp.Answer a) throws Exception {
        JsonNode n = JSON.readTree(a.body());
        assertThat(n.size()).as(a.body()).isEqualTo(1);
        return n.get("error").asText();
    }
}
