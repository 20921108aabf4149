package dev.burst.internal.gateway.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.burst.internal.gateway.ledger.Budget;
import dev.burst.internal.gateway.ledger.Limits;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The API's OpenAPI document against the running gateway: it lists exactly the routes the server
 * registered (taken from Javalin's registration, not from a list here), with every method; the
 * served document is the resource with the gateway's version; a walk through every documented
 * operation gets answers that validate against it ({@link RawHttp} checks each); and
 * {@code /api/docs} is Swagger UI, from the gateway itself, on that document.
 */
class GatewayOpenApiTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;
    static TestGateway gw;
    static RawHttp http;
    static String alice;
    static String root;

    @BeforeAll
    static void start() throws Exception {
        gw = new TestGateway(dir);
        alice = gw.addUser("alice", Limits.NONE, new Budget(1_000_000.0, null, null));
        gw.server.database().accounts().addUser("root", null, true, Limits.NONE, Budget.NONE, gw.clock.instant());
        root = gw.server.database().accounts().issueToken("root", "test", null, gw.clock.instant());
        http = new RawHttp(gw.server);
    }

    @AfterAll
    static void stop() {
        if (gw != null) {
            gw.close();
        }
    }

    @Test
    void theDocumentListsExactlyTheRoutesTheServerRegisteredWithEveryMethod() {
        List<String> registered = gw.server.routes();
        assertThat(registered).as("Javalin's registrations were seen").contains("POST /api/v1/clusters", "GET /login");
        Set<String> api = registered.stream()
                .map(r -> r.replaceAll("<([^>]+)>", "{$1}")) // Javalin's <path> parameters in OpenAPI's syntax
                .filter(r -> OpenApiContract.describes(r.substring(r.indexOf(' ') + 1)))
                .collect(Collectors.toCollection(TreeSet::new));
        assertThat(OpenApiContract.get().operations()).as("documented operations vs registered routes").isEqualTo(api);
    }

    @Test
    void theServedDocumentIsTheResourceWithTheGatewaysVersion() throws Exception {
        RawHttp.Answer a = http.send("GET", ApiDocs.DOCUMENT_PATH, null, null);
        assertThat(a.status()).isEqualTo(200);
        JsonNode served = JSON.readTree(a.body());
        JsonNode resource = JSON.readTree(ApiDocs.class.getResourceAsStream(ApiDocs.DOCUMENT));
        assertThat(served.get("openapi").asText()).isEqualTo("3.1.0");
        assertThat(served.get("info").get("version").asText()).isEqualTo(Version.VERSION);
        ((com.fasterxml.jackson.databind.node.ObjectNode) resource.get("info")).put("version", Version.VERSION);
        assertThat(served).isEqualTo(resource);
    }

    @Test
    void everyDocumentedOperationAnswersAsTheDocumentSays() throws Exception {
        List<String> walked = new ArrayList<>();
        walk(walked, "GET", "/api/health", null, null, 200);
        walk(walked, "GET", "/api/version", null, null, 200);
        walk(walked, "GET", "/api/openapi.json", null, null, 200);
        walk(walked, "GET", "/api/docs", null, null, 200);
        walk(walked, "GET", "/api/docs/init.js", null, null, 200);
        walk(walked, "GET", "/api/docs/nothing.js", null, null, 404);
        walk(walked, "GET", "/api/v1/options", alice, null, 200);
        String name = JSON.readTree(walk(walked, "POST", "/api/v1/clusters", alice, "{\"adapt\": {\"maximum\": 2}, \"threads\": 1}", 201)
                .body()).get("name").asText();
        walk(walked, "GET", "/api/v1/clusters", alice, null, 200);
        walk(walked, "GET", "/api/v1/clusters?stopped=true", alice, null, 200);
        walk(walked, "GET", "/api/v1/clusters/" + name, alice, null, 200);
        walk(walked, "POST", "/api/v1/clusters/" + name + "/adapt", alice, "{\"minimum\": 0, \"maximum\": 1}", 200);
        walk(walked, "POST", "/api/v1/clusters/" + name + "/scale", alice, "{\"count\": 0}", 200);
        walk(walked, "GET", "/api/v1/me", alice, null, 200);
        walk(walked, "GET", "/api/v1/usage", alice, null, 200);
        walk(walked, "GET", "/api/v1/usage?days=7", alice, null, 200);
        walk(walked, "DELETE", "/api/v1/clusters/" + name, alice, null, 200);
        walk(walked, "GET", "/api/v1/clusters/" + name, alice, null, 200); // stopped: its record
        walk(walked, "GET", "/api/v1/usage?days=1", alice, null, 200); // with the stopped cluster's usage
        String token = JSON.readTree(walk(walked, "POST", "/api/v1/tokens", alice, "{\"label\": \"laptop\", \"expiresInDays\": 30}", 201)
                .body()).get("token").asText();
        JsonNode tokens = JSON.readTree(walk(walked, "GET", "/api/v1/tokens", token, null, 200).body()).get("tokens");
        long id = tokens.get(tokens.size() - 1).get("id").asLong();
        walk(walked, "DELETE", "/api/v1/tokens/" + id, alice, null, 200);
        walk(walked, "DELETE", "/api/v1/tokens/" + id + "0", alice, null, 404);
        walk(walked, "GET", "/api/v1/admin/users", root, null, 200);
        walk(walked, "GET", "/api/v1/admin/users", alice, null, 403);
        walk(walked, "POST", "/api/v1/admin/groups", root, "{\"name\": \"physics\", \"limits\": {\"maxCores\": 64}}", 201);
        walk(walked, "PUT", "/api/v1/admin/groups/physics/limits", root, "{\"limits\": {\"maxCores\": 32, \"maxMemory\": \"64g\"}}", 200);
        walk(walked, "POST", "/api/v1/admin/users", root, "{\"name\": \"carol\", \"group\": \"physics\", \"limits\": {\"maxClusters\": 2},"
                + " \"budget\": {\"coreSeconds\": 3600, \"periodSeconds\": 86400}}", 201);
        walk(walked, "PUT", "/api/v1/admin/users/carol/limits", root, "{\"limits\": {\"maxClusters\": 3, \"maxLifetimeSeconds\": 3600}}", 200);
        walk(walked, "GET", "/api/v1/usage?user=carol", root, null, 200);
        walk(walked, "DELETE", "/api/v1/admin/users/carol", root, null, 200);
        walk(walked, "GET", "/api/v1/admin/clusters", root, null, 200);
        walk(walked, "GET", "/metrics", root, null, 200);
        walk(walked, "GET", "/metrics", null, null, 401);
        walk(walked, "GET", "/api/v1/me", null, null, 401);

        OpenApiContract contract = OpenApiContract.get();
        Set<String> covered = walked.stream().map(w -> {
            String path = w.substring(w.indexOf(' ') + 1).replaceAll("\\?.*", "");
            return w.substring(0, w.indexOf(' ')) + " " + contract.template(path);
        }).collect(Collectors.toCollection(TreeSet::new));
        assertThat(covered).as("the walk reached every documented operation").isEqualTo(contract.operations());
    }

    /** One request whose answer must have {@code status}; RawHttp has checked it against the document. */
    private static RawHttp.Answer walk(List<String> walked, String method, String path, String token, String body, int status)
            throws Exception {
        RawHttp.Answer a = http.send(method, path, token, body);
        assertThat(a.status()).as(method + " " + path + ": " + a.body()).isEqualTo(status);
        walked.add(method + " " + path);
        return a;
    }

    @Test
    void apiDocsIsSwaggerUiFromTheGatewayOnTheServedDocument() throws Exception {
        RawHttp.Answer page = http.send("GET", ApiDocs.PAGE_PATH, null, null);
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.contentType()).startsWith("text/html");
        assertThat(page.body()).contains("<div id=\"swagger-ui\"></div>")
                .doesNotContainPattern("(?i)(https?:)?//[a-z0-9.-]+\\.[a-z]{2,}/") // no CDN: everything from the gateway
                .doesNotContainPattern("(?s)<script>.+</script>"); // no inline script: a strict CSP holds
        // Every file the page loads is served, and is what it should be.
        Matcher refs = Pattern.compile("(?:src|href)=\"([^\"]+)\"").matcher(page.body());
        List<String> loaded = new ArrayList<>();
        while (refs.find()) {
            String ref = refs.group(1);
            RawHttp.Answer f = http.send("GET", ref, null, null);
            assertThat(f.status()).as(ref).isEqualTo(200);
            assertThat(f.body()).as(ref).isNotEmpty();
            loaded.add(ref);
            if (ref.endsWith("/swagger-ui-bundle.js")) {
                assertThat(f.contentType()).startsWith("text/javascript");
                assertThat(f.body()).contains("SwaggerUIBundle").hasSizeGreaterThan(500_000); // the WebJar's bundle itself
            } else if (ref.endsWith(".css")) {
                assertThat(f.contentType()).startsWith("text/css");
                assertThat(f.body()).contains(".swagger-ui");
            } else if (ref.endsWith("/init.js")) {
                assertThat(f.body()).contains("SwaggerUIBundle({url: \"/api/openapi.json\", dom_id: \"#swagger-ui\"");
            }
        }
        assertThat(loaded).contains("/api/docs/swagger-ui-bundle.js", "/api/docs/init.js", "/api/docs/swagger-ui.css");
        assertThat(loaded.indexOf("/api/docs/swagger-ui-bundle.js")).as("the bundle loads before the script that uses it")
                .isLessThan(loaded.indexOf("/api/docs/init.js"));
    }
}
