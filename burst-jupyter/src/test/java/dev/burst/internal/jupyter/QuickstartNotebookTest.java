package dev.burst.internal.jupyter;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.burst.internal.gateway.server.GatewayServer;
import dev.burst.internal.gateway.server.GatewaySettings;
import dev.burst.internal.gateway.ledger.Budget;
import dev.burst.internal.gateway.ledger.Limits;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * docs/notebooks/quickstart.ipynb executed headless by Debian's {@code jupyter-nbconvert} with the
 * kernel {@code burst jupyter install} registers (here: into a temporary Jupyter data directory),
 * against a gateway on loopback; its outputs checked.
 */
@Timeout(value = 420, unit = TimeUnit.SECONDS)
class QuickstartNotebookTest {
    @TempDir
    Path dir;

    @Test
    void theQuickstartNotebookRunsHeadlessWithTheInstalledKernel() throws Exception {
        JupyterTools.requireOrSkip(getClass().getSimpleName(), JupyterTools.NBCONVERT);
        Path data = dir.resolve("jupyter-data");
        KernelSpec.install(data.resolve("kernels"), KernelSpec.DEFAULT_NAME, JupyterTools.java(), JupyterTools.classPath());
        Path notebook = Path.of("..", "docs", "notebooks", "quickstart.ipynb").toAbsolutePath().normalize();
        assertThat(notebook).exists();
        try (GatewayServer gateway = GatewayServer.start(GatewaySettings.builder(dir.resolve("gateway")).port(0)
                .plainHttpOnLoopback().spareProcesses(0).defaultMemory("256m").build())) {
            gateway.database().accounts().addUser("nina", null, false, Limits.NONE, Budget.NONE, Instant.now());
            String token = gateway.database().accounts().issueToken("nina", "test", null, Instant.now());
            Path out = dir.resolve("out.ipynb");
            ProcessBuilder pb = new ProcessBuilder(JupyterTools.NBCONVERT.toString(), "--to", "notebook", "--execute",
                    "--ExecutePreprocessor.kernel_name=" + KernelSpec.DEFAULT_NAME, "--ExecutePreprocessor.timeout=300",
                    "--output", out.toString(), notebook.toString()).redirectErrorStream(true);
            pb.environment().put("JUPYTER_DATA_DIR", data.toString());
            pb.environment().put("BURST_GATEWAY_URL", gateway.url());
            pb.environment().put("BURST_GATEWAY_TOKEN", token);
            pb.environment().put("BURST_HOME", dir.resolve("burst-home").toString());
            long t0 = System.nanoTime();
            Process p = pb.start();
            String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor(360, TimeUnit.SECONDS)).as(log).isTrue();
            System.err.printf("nbconvert ran the quickstart notebook in %.1f s%n", (System.nanoTime() - t0) / 1e9);
            assertThat(p.exitValue()).as(log).isZero();

            JsonNode cells = new ObjectMapper().readTree(out.toFile()).get("cells");
            List<String> results = new ArrayList<>();
            StringBuilder everything = new StringBuilder();
            for (JsonNode c : cells) {
                if (!c.path("cell_type").asText().equals("code")) {
                    continue;
                }
                String result = null;
                for (JsonNode o : c.path("outputs")) {
                    everything.append(o).append('\n');
                    if (o.path("output_type").asText().equals("execute_result")) {
                        result = text(o.path("data").path("text/plain"));
                    }
                }
                results.add(result);
            }
            System.err.println(everything.toString().lines().filter(l -> l.contains("first result")).findFirst().orElse(""));
            assertThat(results.get(0)).isEqualTo("42");
            assertThat(results.get(2)).isEqualTo("5.0");
            assertThat(everything).contains("first result on a process cluster");
            // The cluster's card: HTML with its figures and the dashboard's link.
            JsonNode card = cells.get(7).path("outputs").get(0).path("data");
            assertThat(text(card.path("text/html"))).contains("LocalCluster").contains("workers").contains("dashboard");
            assertThat(results.get(4)).isEqualTo("300");
            assertThat(everything).contains("burst-progress").contains("tasks 300/300");
            assertThat(results.get(5)).isEqualTo("10.0"); // on the gateway
        }
    }

    private static String text(JsonNode n) {
        if (n.isArray()) {
            StringBuilder b = new StringBuilder();
            n.forEach(x -> b.append(x.asText()));
            return b.toString();
        }
        return n.asText();
    }
}
