package dev.burst.internal.jupyter;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Clusters die with their kernel: Debian's Jupyter server starts Burst's kernel, a cell makes a
 * cluster of worker processes, and when the server culls the idle kernel
 * ({@code cull_idle_timeout}) the kernel and every worker process it started are gone.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class KernelCullingTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    @TempDir
    Path dir;

    @Test
    void aCulledKernelLeavesNoWorkerProcess() throws Exception {
        JupyterTools.requireOrSkip(getClass().getSimpleName(), JupyterTools.SERVER);
        Path data = dir.resolve("jupyter-data");
        Path runtime = Files.createDirectories(dir.resolve("jupyter-runtime"));
        KernelSpec.install(data.resolve("kernels"), KernelSpec.DEFAULT_NAME, JupyterTools.java(), JupyterTools.classPath());
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        String token = UUID.randomUUID().toString();
        ProcessBuilder pb = new ProcessBuilder("/usr/bin/python3", "-m", "jupyter_server", "--no-browser", "--ServerApp.ip=127.0.0.1",
                "--ServerApp.port=" + port, "--ServerApp.port_retries=0", "--ServerApp.token=" + token,
                "--ServerApp.root_dir=" + dir, "--MappingKernelManager.cull_idle_timeout=8",
                "--MappingKernelManager.cull_interval=2", "--ServerApp.allow_root=True").redirectErrorStream(true).redirectOutput(dir.resolve("server.log").toFile());
        pb.environment().put("JUPYTER_DATA_DIR", data.toString());
        pb.environment().put("JUPYTER_RUNTIME_DIR", runtime.toString());
        pb.environment().put("BURST_HOME", dir.resolve("burst-home").toString());
        Process server = pb.start();
        try {
            HttpClient http = HttpClient.newHttpClient();
            String base = "http://127.0.0.1:" + port;
            await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> http.send(HttpRequest.newBuilder(
                    URI.create(base + "/api/status")).header("Authorization", "token " + token).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode() == 200);
            HttpResponse<String> started = http.send(HttpRequest.newBuilder(URI.create(base + "/api/kernels"))
                    .header("Authorization", "token " + token).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"name\": \"" + KernelSpec.DEFAULT_NAME + "\"}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(started.statusCode()).as(started.body()).isEqualTo(201);
            String kernel = JSON.readTree(started.body()).get("id").asText();
            Path connection = runtime.resolve("kernel-" + kernel + ".json");
            await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(connection));

            JsonNode cell = runCell(connection, """
                    LocalCluster cluster = LocalCluster.builder().processes(true).workers(2).build();
                    Client client = Client.connect(cluster);
                    List<Long> workerPids = client.gather(client.map(i -> ProcessHandle.current().pid(), List.of(1, 2, 3, 4)));
                    ProcessHandle.current().pid() + " " + ProcessHandle.current().descendants()
                            .map(p -> String.valueOf(p.pid())).collect(java.util.stream.Collectors.joining(" "))
                    """);
            assertThat(cell.path("error").isNull()).as(cell.toString()).isTrue();
            List<Long> pids = new ArrayList<>();
            for (String p : cell.get("result").asText().replace("'", "").replace("\"", "").strip().split("\\s+")) {
                pids.add(Long.parseLong(p));
            }
            assertThat(pids).as("the kernel and its worker processes").hasSizeGreaterThanOrEqualTo(3);
            assertThat(pids).allSatisfy(p -> assertThat(ProcessHandle.of(p)).isPresent());

            // Idle now: the server culls the kernel after 8 s; its workers must not outlive it.
            await().atMost(Duration.ofSeconds(90)).until(() -> pids.stream().noneMatch(p -> ProcessHandle.of(p).isPresent()));
            HttpResponse<String> kernels = http.send(HttpRequest.newBuilder(URI.create(base + "/api/kernels"))
                    .header("Authorization", "token " + token).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(JSON.readTree(kernels.body())).as("the server's kernels after the cull").isEmpty();
            assertThat(Files.readString(dir.resolve("server.log"))).contains("Culling kernel");
        } finally {
            server.destroy();
            if (!server.waitFor(20, TimeUnit.SECONDS)) {
                server.destroyForcibly();
            }
        }
    }

    private JsonNode runCell(Path connection, String code) throws IOException, InterruptedException {
        Path script = dir.resolve("run_cell.py");
        try (var in = getClass().getResourceAsStream("run_cell.py")) {
            Files.copy(in, script, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        Process p = new ProcessBuilder("/usr/bin/python3", script.toString(), connection.toString(), code).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(200, TimeUnit.SECONDS)).as(out).isTrue();
        String last = out.strip().lines().reduce((a, b) -> b).orElse("");
        assertThat(last).as(out).startsWith("{");
        return JSON.readTree(last);
    }
}
