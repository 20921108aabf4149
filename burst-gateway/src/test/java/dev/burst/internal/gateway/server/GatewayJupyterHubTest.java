package dev.burst.internal.gateway.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.burst.Client;
import dev.burst.gateway.ClusterOptions;
import dev.burst.gateway.Gateway;
import dev.burst.gateway.GatewayCluster;
import dev.burst.gateway.GatewayException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A JupyterHub user reaches the gateway with the hub's token alone: Debian's real JupyterHub (its
 * REST API only: no spawner is needed) issues alice a token; a gateway that trusts the hub makes
 * alice a user at her first call and runs her cluster; a token the hub does not know is refused.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class GatewayJupyterHubTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    @TempDir
    Path dir;

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Test
    void aHubUsersTokenOpensTheirOwnGatewayAccount() throws Exception {
        String why = Files.isExecutable(Path.of("/usr/bin/jupyterhub")) ? null
                : "/usr/bin/jupyterhub is missing (apt-get install jupyterhub)";
        if (why != null && "true".equals(System.getenv("CI"))) {
            throw new IllegalStateException("CI=true but GatewayJupyterHubTest cannot run: " + why);
        }
        if (why != null) {
            System.err.println("\n*** SKIPPED: GatewayJupyterHubTest needs JupyterHub: " + why + " ***\n");
        }
        assumeTrue(why == null, why);

        int proxyPort = freePort();
        int hubPort = freePort();
        String service = "burst-test-" + java.util.UUID.randomUUID();
        Path config = Files.writeString(dir.resolve("jupyterhub_config.py"), """
                c.JupyterHub.ip = '127.0.0.1'
                c.JupyterHub.port = %d
                c.JupyterHub.hub_ip = '127.0.0.1'
                c.JupyterHub.hub_port = %d
                c.JupyterHub.db_url = 'sqlite:///%s'
                c.JupyterHub.cookie_secret_file = '%s'
                c.ConfigurableHTTPProxy.pid_file = '%s'
                c.JupyterHub.authenticator_class = 'dummy'
                c.Authenticator.allowed_users = {'alice'}
                c.JupyterHub.services = [{'name': 'burst-test', 'api_token': '%s'}]
                c.JupyterHub.load_roles = [{'name': 'burst-test-admin', 'scopes': ['admin:users', 'tokens'], 'services': ['burst-test']}]
                """.formatted(proxyPort, hubPort, dir.resolve("hub.sqlite"), dir.resolve("cookie_secret"), dir.resolve("proxy.pid"),
                service));
        ProcessBuilder pb = new ProcessBuilder("/usr/bin/jupyterhub", "-f", config.toString()).directory(dir.toFile())
                .redirectErrorStream(true).redirectOutput(dir.resolve("hub.log").toFile());
        // Debian's configurable-http-proxy loads its modules from /usr/share/nodejs; a Node.js from
        // elsewhere (NodeSource's) looks there only when told.
        pb.environment().putIfAbsent("NODE_PATH", "/usr/share/nodejs");
        Process hub = pb.start();
        try {
            String api = "http://127.0.0.1:" + hubPort + "/hub/api";
            HttpClient http = HttpClient.newHttpClient();
            await().atMost(Duration.ofSeconds(90)).ignoreExceptions().until(() -> http.send(HttpRequest.newBuilder(URI.create(api))
                    .build(), HttpResponse.BodyHandlers.ofString()).statusCode() == 200);
            HttpResponse<String> made = http.send(HttpRequest.newBuilder(URI.create(api + "/users/alice"))
                    .header("Authorization", "token " + service).POST(HttpRequest.BodyPublishers.noBody()).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(made.statusCode()).as(made.body()).isIn(201, 409);
            HttpResponse<String> issued = http.send(HttpRequest.newBuilder(URI.create(api + "/users/alice/tokens"))
                    .header("Authorization", "token " + service).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"note\": \"burst test\"}")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(issued.statusCode()).as(issued.body()).isEqualTo(201);
            String aliceHubToken = JSON.readTree(issued.body()).get("token").asText();

            try (TestGateway gw = new TestGateway(dir.resolve("gateway"), b -> b.jupyterHubApi(api))) {
                assertThat(gw.server.database().accounts().user("alice")).isEmpty();
                try (Gateway alice = Gateway.builder(gw.server.url()).token(aliceHubToken)
                        .certificateSha256(gw.server.certificateSha256()).home(dir.resolve("home")).build()) {
                    assertThat(alice.me().name()).isEqualTo("alice");
                    try (GatewayCluster c = alice.newCluster(ClusterOptions.builder().workers(1).build());
                         Client client = Client.connect(c)) {
                        assertThat(client.submit(() -> 6 * 7).get()).isEqualTo(42);
                    }
                }
                assertThat(gw.server.database().accounts().user("alice")).isPresent();
                try (Gateway stranger = Gateway.builder(gw.server.url()).token("not-a-hub-token-" + java.util.UUID.randomUUID())
                        .certificateSha256(gw.server.certificateSha256()).home(dir.resolve("home2")).build()) {
                    assertThatThrownBy(stranger::me).isInstanceOfSatisfying(GatewayException.class, e -> {
                        assertThat(e.status()).isEqualTo(401);
                        assertThat(e.getMessage()).contains("JupyterHub does not know this token");
                    });
                }
            }
        } finally {
            var family = hub.descendants().toList(); // its proxy: gone with it, or ended here
            hub.destroy();
            if (!hub.waitFor(20, TimeUnit.SECONDS)) {
                hub.destroyForcibly();
            }
            family.forEach(ProcessHandle::destroyForcibly);
        }
    }
}
